"""A local stand-in for the Telegram Bot API, with a control API for tests and the web chat.

The sandbox imports nothing of the bot: it speaks HTTP only, like Telegram. See
``docs``/ARCHITECTURE.md ("Sandbox control API") for the contract.

    sb = Sandbox("/path/to/api-10.0.json")
    await sb.start()                      # sb.base_url, sb.bot_api_base, sb.file_api_base
    ...
    await sb.stop()
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import itertools
import json
import logging
import mimetypes
import re
import secrets
import struct
import time
import urllib.parse
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

from sandbox.formatting import EntityParseError, parse_html
from sandbox.limits import RateLimits, TokenBucket
from sandbox.spec import ApiSpec, SpecError, UploadedFile

__all__ = ["ApiError", "RateLimits", "Sandbox"]

log = logging.getLogger(__name__)

WEB_DIR = Path(__file__).with_name("web")
WEB_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ico": "image/x-icon",
}
TOKEN_RE = re.compile(r"^\d+:[A-Za-z0-9_-]+$")
COMMAND_RE = re.compile(r"^/([A-Za-z0-9_]{1,32})(@[A-Za-z0-9_]{3,64})?")
#: An @username in a text: Telegram marks it as a "mention" entity.
MENTION_RE = re.compile(r"(?<![A-Za-z0-9_/])@[A-Za-z][A-Za-z0-9_]{4,31}")


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2
BOT_COMMAND_NAME_RE = re.compile(r"^[a-z0-9_]{1,32}$")
MAX_TEXT = 4096
MAX_CAPTION = 1024
CALLBACK_WAIT_S = 5.0
DEFAULT_ALLOWED = {
    "message",
    "edited_message",
    "channel_post",
    "edited_channel_post",
    "callback_query",
    "inline_query",
    "chosen_inline_result",
    "my_chat_member",
    "business_connection",
    "business_message",
    "edited_business_message",
    "deleted_business_messages",
    "shipping_query",
    "pre_checkout_query",
    "purchased_paid_media",
    "poll",
    "poll_answer",
    "chat_join_request",
    "chat_boost",
    "removed_chat_boost",
}
CHAT_ACTIONS = {
    "typing",
    "upload_photo",
    "record_video",
    "upload_video",
    "record_voice",
    "upload_voice",
    "upload_document",
    "choose_sticker",
    "find_location",
    "record_video_note",
    "upload_video_note",
}
CHAT_NOT_FOUND = "Bad Request: chat not found"
QUERY_INVALID = "Bad Request: query is too old and response timeout expired or query ID is invalid"
NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)
ACCEPTED_GIFT_TYPES = {
    "unlimited_gifts": False,
    "limited_gifts": False,
    "unique_gifts": False,
    "premium_subscription": False,
    "gifts_from_channels": False,
}

_VERBATIM_PARAMS = {"text", "caption", "url", "secret_token", "callback_query_id", "file_id"}

Json = dict[str, Any]
Handler = Callable[[Json], Awaitable[Any]]


class ApiError(Exception):
    """A Bot API error answer: HTTP status == error_code, Telegram's description."""

    def __init__(self, code: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.retry_after = retry_after


class ControlError(Exception):
    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


@dataclass
class SbUser:
    id: int
    first_name: str
    username: str | None = None
    language_code: str | None = "zh-hans"
    started: bool = False
    blocked: bool = False

    def api(self) -> Json:
        d: Json = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.username:
            d["username"] = self.username
        if self.language_code:
            d["language_code"] = self.language_code
        return d

    def view(self) -> Json:
        return {**self.api(), "started": self.started, "blocked": self.blocked}


@dataclass
class SbMessage:
    message_id: int
    chat_id: int
    from_id: int
    is_bot: bool
    date: int
    text: str | None = None
    entities: list[Json] | None = None
    caption: str | None = None
    caption_entities: list[Json] | None = None
    document: Json | None = None
    photo: list[Json] | None = None
    reply_markup: Json | None = None
    edit_date: int | None = None
    reply_to_message_id: int | None = None
    #: Telegram's MessageOrigin of a forwarded message (as the caller gave it).
    forward_origin: Json | None = None


@dataclass
class SbChat:
    id: int
    type: str
    title: str | None = None
    members: list[int] = field(default_factory=list)
    admins: set[int] = field(default_factory=set)
    next_message_id: int = 1
    messages: dict[int, SbMessage] = field(default_factory=dict)
    version: int = 0
    menu_button: Json | None = None
    #: Wakes the long polls waiting on this chat alone (a wake of every waiter on any chat's
    #: change costs the sandbox a sort of each waiting chat per message: quadratic in a burst).
    changed: _Signal = field(default_factory=lambda: _Signal())


@dataclass
class StoredFile:
    file_id: str
    file_unique_id: str
    file_name: str
    mime_type: str
    content: bytes
    file_path: str


@dataclass
class Fault:
    mode: str
    retry_after: int | None = None
    hold: float | None = None


class _Signal:
    """Wake-all notification without lost wake-ups: take ``snapshot()`` before checking."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def snapshot(self) -> asyncio.Event:
        return self._event

    def notify(self) -> None:
        self._event.set()
        self._event = asyncio.Event()


async def _wait_event(event: asyncio.Event, seconds: float) -> bool:
    if seconds <= 0:
        return event.is_set()
    try:
        await asyncio.wait_for(event.wait(), seconds)
    except TimeoutError:
        return False
    return True


def _image_size(content: bytes) -> tuple[int, int]:
    """Width and height of a PNG, GIF or JPEG; (320, 240) when unknown."""
    if content[:8] == b"\x89PNG\r\n\x1a\n" and len(content) >= 24:
        w, h = struct.unpack(">II", content[16:24])
        return int(w), int(h)
    if content[:6] in (b"GIF87a", b"GIF89a") and len(content) >= 10:
        w, h = struct.unpack("<HH", content[6:10])
        return int(w), int(h)
    if content[:2] == b"\xff\xd8":
        i = 2
        while i + 9 < len(content):
            if content[i] != 0xFF:
                break
            marker = content[i + 1]
            seg_len = struct.unpack(">H", content[i + 2 : i + 4])[0]
            if marker in (0xC0, 0xC1, 0xC2):
                h, w = struct.unpack(">HH", content[i + 5 : i + 9])
                return int(w), int(h)
            i += 2 + seg_len
    return 320, 240


def _as_int(value: Any, name: str) -> int:
    if isinstance(value, bool):
        raise ApiError(400, f'Bad Request: parameter "{name}" must be an Integer')
    if isinstance(value, int):
        return value
    if isinstance(value, str) and re.fullmatch(r"-?\d+", value.strip()):
        return int(value.strip())
    raise ApiError(400, f'Bad Request: parameter "{name}" must be an Integer')


def _opt_int(p: Json, name: str) -> int | None:
    v = p.get(name)
    return None if v is None or v == "" else _as_int(v, name)


def _opt_str(p: Json, name: str) -> str | None:
    v = p.get(name)
    if v is None:
        return None
    if isinstance(v, str):
        return v
    if isinstance(v, int | float) and not isinstance(v, bool):
        return str(v)
    raise ApiError(400, f'Bad Request: parameter "{name}" must be a String')


def _opt_bool(p: Json, name: str) -> bool:
    v = p.get(name)
    return v is True or v in ("true", "True", "1", 1)


def _opt_json(p: Json, name: str) -> Any:
    v = p.get(name)
    if isinstance(v, str):
        if v == "":
            return None
        try:
            return json.loads(v)
        except ValueError:
            raise ApiError(400, f"Bad Request: can't parse {name} JSON object") from None
    return v


class Sandbox:
    """In-memory Telegram Bot API stand-in. All state lives in this object."""

    def __init__(
        self,
        spec_path: str | Path | None = None,
        *,
        bot_id: int = 5550001,
        bot_username: str = "officebot_demo_bot",
        bot_name: str = "办公助手",
        enforce_limits: bool = True,
        clock: Callable[[], float] = time.time,
    ) -> None:
        #: Seconds since the epoch for the dates it stamps (a test gives the bot's clock).
        self.clock = clock
        self.spec: ApiSpec | None = ApiSpec.load(spec_path) if spec_path else None
        self.bot_id = bot_id
        self.bot_username = bot_username
        self.bot_name = bot_name
        self.enforce_limits = enforce_limits
        self.limits = RateLimits()
        self.fault_timeout: float = 10.0
        self.callback_wait: float = CALLBACK_WAIT_S
        self.webhook_backoff_max: float = 2.0
        #: Deliver webhook updates over up to setWebhook's max_connections at once, as Telegram
        #: does; off (one at a time, in order) unless a test or the cluster asks for it.
        self.webhook_parallel = False
        self.host = "127.0.0.1"
        self.port: int | None = None

        self.users: dict[int, SbUser] = {}
        self.chats: dict[int, SbChat] = {}
        self.files: dict[str, StoredFile] = {}
        self._files_by_path: dict[str, StoredFile] = {}
        self._file_seq = itertools.count(1)
        self._updates: list[Json] = []
        self._next_update_id = 100_000_001
        self._allowed_updates: set[str] = set(DEFAULT_ALLOWED)
        self._calls: list[Json] = []
        self._call_seq = itertools.count(1)
        self._faults: dict[str, list[Fault]] = {}
        self._callbacks: dict[str, Json] = {}
        self._callback_waiters: dict[str, asyncio.Future[Json]] = {}
        self._commands: dict[tuple[tuple[Any, ...], str], list[Json]] = {}
        self._default_menu_button: Json = {"type": "commands"}
        self._poll_generation = 0
        self._webhook: Json | None = None
        self._webhook_task: asyncio.Task[None] | None = None
        self._webhook_last_error: tuple[int, str] | None = None
        self._updates_signal = _Signal()
        self._closing = False
        self._stopping = asyncio.Event()
        self._buckets: dict[int | None, TokenBucket] = {}
        self._runner: web.AppRunner | None = None

        self.app = web.Application(client_max_size=64 * 1024 * 1024)
        self.app.on_shutdown.append(self._on_shutdown)
        self._bot_handlers: dict[str, Handler] = {
            "getme": self._m_get_me,
            "getupdates": self._m_get_updates,
            "setwebhook": self._m_set_webhook,
            "deletewebhook": self._m_delete_webhook,
            "getwebhookinfo": self._m_get_webhook_info,
            "sendmessage": self._m_send_message,
            "editmessagetext": self._m_edit_message_text,
            "editmessagereplymarkup": self._m_edit_message_reply_markup,
            "editmessagecaption": self._m_edit_message_caption,
            "deletemessage": self._m_delete_message,
            "answercallbackquery": self._m_answer_callback_query,
            "setmycommands": self._m_set_my_commands,
            "getmycommands": self._m_get_my_commands,
            "deletemycommands": self._m_delete_my_commands,
            "senddocument": self._m_send_document,
            "sendphoto": self._m_send_photo,
            "getchatmember": self._m_get_chat_member,
            "getchat": self._m_get_chat,
            "getfile": self._m_get_file,
            "sendchataction": self._m_send_chat_action,
            "setchatmenubutton": self._m_set_chat_menu_button,
            "getchatmenubutton": self._m_get_chat_menu_button,
            "logout": self._m_true,
            "close": self._m_true,
        }
        self._setup_routes()

    # ------------------------------------------------------------------ lifecycle

    @property
    def base_url(self) -> str:
        if self.port is None:
            raise RuntimeError("the sandbox is not started")
        return f"http://{self.host}:{self.port}"

    @property
    def bot_api_base(self) -> str:
        return f"{self.base_url}/bot"

    @property
    def file_api_base(self) -> str:
        return f"{self.base_url}/file/bot"

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self._runner = web.AppRunner(self.app, shutdown_timeout=2.0, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        server = site._server
        assert server is not None
        sockets = getattr(server, "sockets", None) or []
        self.host = host
        self.port = int(sockets[0].getsockname()[1]) if sockets else port

    async def stop(self) -> None:
        self._wake_all()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        await self._stop_webhook_task()

    async def _on_shutdown(self, _app: web.Application) -> None:
        self._wake_all()
        await self._stop_webhook_task()

    def _wake_all(self) -> None:
        self._closing = True
        self._stopping.set()
        self._updates_signal.notify()
        for chat in self.chats.values():
            chat.changed.notify()
        for fut in self._callback_waiters.values():
            if not fut.done():
                fut.cancel()

    # ------------------------------------------------------------------ inspection helpers

    def failed_calls(self) -> list[Json]:
        """Bot API calls answered with ok == False, except injected faults and abandoned polls."""
        return [
            c
            for c in self._calls
            if c["ok"] is False and not c.get("injected") and not c.get("abandoned")
        ]

    def calls(self, since: int = 0) -> list[Json]:
        return [c for c in self._calls if c["seq"] > since]

    def reset_limits(self) -> None:
        self._buckets.clear()

    def add_user(
        self,
        id: int,
        first_name: str,
        username: str | None = None,
        language_code: str | None = "zh-hans",
        started: bool = False,
    ) -> SbUser:
        user = self.users.get(id)
        if user is None:
            user = SbUser(id, first_name, username, language_code, started)
            self.users[id] = user
        else:
            user.first_name = first_name
            user.username = username
            user.language_code = language_code
            user.started = user.started or started
        if id not in self.chats:
            self.chats[id] = SbChat(id=id, type="private", members=[id])
        return user

    def add_chat(
        self,
        id: int,
        type: str,
        title: str | None = None,
        members: list[int] | None = None,
        admins: list[int] | None = None,
    ) -> SbChat:
        if type not in ("private", "group", "supergroup"):
            raise ControlError(f"unsupported chat type {type!r}")
        if type == "private":
            if id not in self.users:
                raise ControlError(f"private chat {id}: no user with that id")
            return self.chats[id]
        if id >= 0:
            raise ControlError("group chat ids are negative")
        for m in [*(members or []), *(admins or [])]:
            if m not in self.users:
                raise ControlError(f"unknown user {m}")
        chat = self.chats.get(id)
        if chat is None:
            chat = SbChat(id=id, type=type)
            self.chats[id] = chat
        chat.type = type
        chat.title = title or chat.title or f"Group {id}"
        chat.members = list(dict.fromkeys([*(members or []), *(admins or [])]))
        chat.admins = set(admins or [])
        return chat

    # ------------------------------------------------------------------ routes

    def _setup_routes(self) -> None:
        r = self.app.router
        r.add_route("*", "/bot{token}/{method}", self._bot_api)
        r.add_get("/file/bot{token}/{path:.+}", self._file_download)
        r.add_post("/sandbox/users", self._c_add_user)
        r.add_get("/sandbox/users", self._c_list_users)
        r.add_post("/sandbox/chats", self._c_add_chat)
        r.add_get("/sandbox/chats", self._c_list_chats)
        r.add_post("/sandbox/messages", self._c_send_message)
        r.add_get("/sandbox/messages", self._c_messages)
        r.add_get("/sandbox/chat-state", self._c_chat_state)
        r.add_post("/sandbox/callbacks", self._c_callback)
        r.add_post("/sandbox/documents", self._c_document)
        r.add_post("/sandbox/photos", self._c_photo)
        r.add_get("/sandbox/files/{file_id}", self._c_file)
        r.add_get("/sandbox/calls", self._c_calls)
        r.add_post("/sandbox/faults", self._c_fault)
        r.add_delete("/sandbox/faults", self._c_clear_faults)
        r.add_post("/sandbox/reset-limits", self._c_reset_limits)
        r.add_get("/sandbox/commands", self._c_commands)
        r.add_get("/sandbox/info", self._c_info)
        r.add_get("/", self._web_index)
        r.add_get("/web/{name}", self._web_asset)

    async def _web_index(self, _request: web.Request) -> web.StreamResponse:
        return self._web_file("index.html")

    async def _web_asset(self, request: web.Request) -> web.StreamResponse:
        return self._web_file(request.match_info["name"])

    @staticmethod
    def _web_file(name: str) -> web.StreamResponse:
        content_type = WEB_TYPES.get(Path(name).suffix)
        path = WEB_DIR / name
        if content_type is None or "/" in name or name.startswith(".") or not path.is_file():
            raise web.HTTPNotFound()
        return web.Response(
            body=path.read_bytes(),
            headers={"Content-Type": content_type, "Cache-Control": "no-cache"},
        )

    # ------------------------------------------------------------------ Bot API dispatch

    async def _read_params(self, request: web.Request) -> Json:
        params: Json = dict(request.query)
        if request.body_exists:
            ctype = request.content_type
            if ctype == "application/json":
                try:
                    body = await request.json()
                except ValueError:
                    raise ApiError(400, "Bad Request: can't parse JSON body") from None
                if not isinstance(body, dict):
                    raise ApiError(400, "Bad Request: JSON body must be an object")
                params.update(body)
            elif ctype in ("application/x-www-form-urlencoded", "multipart/form-data"):
                form = await request.post()
                for key, value in form.items():
                    if isinstance(value, web.FileField):
                        params[key] = UploadedFile(
                            value.filename or key, value.file.read(), value.content_type
                        )
                    else:
                        params[key] = value
        for key, value in list(params.items()):
            if isinstance(value, str) and value.startswith("attach://"):
                ref = value[len("attach://") :]
                if isinstance(params.get(ref), UploadedFile):
                    params[key] = params.pop(ref)
        return params

    @staticmethod
    def _loggable(params: Json) -> Json:
        out: Json = {}
        for key, value in params.items():
            if isinstance(value, UploadedFile):
                out[key] = {"file_name": value.file_name, "size": len(value.content)}
            elif isinstance(value, str) and key not in _VERBATIM_PARAMS:
                if re.fullmatch(r"-?\d{1,18}", value):
                    out[key] = int(value)
                    continue
                if value in ("true", "false"):
                    out[key] = value == "true"
                    continue
                if value[:1] in "[{":
                    try:
                        out[key] = json.loads(value)
                        continue
                    except ValueError:
                        pass
                out[key] = value
            else:
                out[key] = value
        return out

    async def _bot_api(self, request: web.Request) -> web.Response:
        token = request.match_info["token"]
        method = request.match_info["method"]
        call: Json = {
            "seq": next(self._call_seq),
            "time": time.time(),
            "method": method,
            "params": {},
            "ok": None,
            "error_code": None,
            "description": None,
        }
        self._calls.append(call)
        try:
            params = await self._read_params(request)
            call["params"] = self._loggable(params)
            if not TOKEN_RE.match(token):
                raise ApiError(401, "Unauthorized")
            result = await self._dispatch(method, params, call)
        except ApiError as exc:
            call.update(ok=False, error_code=exc.code, description=exc.description)
            if exc.code == 409 and (request.transport is None or request.transport.is_closing()):
                call["abandoned"] = True
            body: Json = {"ok": False, "error_code": exc.code, "description": exc.description}
            if exc.retry_after is not None:
                body["parameters"] = {"retry_after": exc.retry_after}
            return web.json_response(body, status=exc.code, dumps=_dumps)
        call["ok"] = True
        return web.json_response({"ok": True, "result": result}, dumps=_dumps)

    async def _dispatch(self, method: str, params: Json, call: Json) -> Any:
        key = method.lower()
        handler = self._bot_handlers.get(key)
        if self.spec is not None:
            canonical = self.spec.canonical_name(method)
            if canonical is None:
                raise ApiError(404, "Not Found")
            call["method"] = canonical
            if handler is None:
                raise ApiError(501, f"Not Implemented: the sandbox does not implement {canonical}")
        elif handler is None:
            raise ApiError(404, "Not Found")
        await self._apply_fault(key, call)
        if self.spec is not None and key not in ("logout", "close"):
            try:
                self.spec.validate_call(method, params)
            except SpecError as exc:
                raise ApiError(400, f"Bad Request: {exc}") from None
        assert handler is not None
        return await handler(params)

    async def _apply_fault(self, key: str, call: Json) -> None:
        queue = self._faults.get(key)
        if not queue:
            return
        fault = queue.pop(0)
        call["injected"] = True
        if fault.mode == "429":
            ra = fault.retry_after if fault.retry_after is not None else 1
            raise ApiError(429, f"Too Many Requests: retry after {ra}", retry_after=ra)
        if fault.mode == "500":
            raise ApiError(500, "Internal Server Error")
        if fault.mode == "502":
            raise ApiError(502, "Bad Gateway")
        if fault.mode == "403":
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        if fault.mode == "400":
            raise ApiError(400, "Bad Request: injected fault")
        if fault.mode == "timeout":
            hold = fault.hold if fault.hold is not None else self.fault_timeout
            await _wait_event(self._stopping, hold)
            raise ApiError(504, "Gateway Timeout")

    # ------------------------------------------------------------------ common helpers

    def _bot_user(self) -> Json:
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": self.bot_name,
            "username": self.bot_username,
        }

    def _chat_api(self, chat: SbChat) -> Json:
        if chat.type == "private":
            user = self.users[chat.id]
            d: Json = {"id": chat.id, "type": "private", "first_name": user.first_name}
            if user.username:
                d["username"] = user.username
            return d
        return {"id": chat.id, "type": chat.type, "title": chat.title}

    def _resolve_chat(self, p: Json, name: str = "chat_id") -> SbChat:
        raw = p.get(name)
        if raw is None or raw == "":
            raise ApiError(400, "Bad Request: chat_id is empty")
        if isinstance(raw, str) and raw.startswith("@"):
            for user in self.users.values():
                if user.username and "@" + user.username.lower() == raw.lower():
                    # bots cannot address private chats by username
                    break
            raise ApiError(400, CHAT_NOT_FOUND)
        chat = self.chats.get(_as_int(raw, name))
        if chat is None:
            raise ApiError(400, CHAT_NOT_FOUND)
        return chat

    def _chat_for_sending(self, p: Json) -> SbChat:
        chat = self._resolve_chat(p)
        if chat.type == "private":
            user = self.users[chat.id]
            if user.blocked:
                raise ApiError(403, "Forbidden: bot was blocked by the user")
            if not user.started:
                raise ApiError(403, "Forbidden: bot can't initiate conversation with a user")
        return chat

    def _bucket(self, key: int | None, chat: SbChat | None) -> TokenBucket:
        bucket = self._buckets.get(key)
        if bucket is None:
            if chat is None:
                bucket = TokenBucket(self.limits.global_rate, self.limits.global_capacity)
            elif chat.type == "private":
                bucket = TokenBucket(self.limits.private_rate, self.limits.private_capacity)
            else:
                bucket = TokenBucket(self.limits.group_rate, self.limits.group_capacity)
            self._buckets[key] = bucket
        return bucket

    def _check_rate(self, chat: SbChat) -> None:
        if not self.enforce_limits:
            return
        buckets = [self._bucket(None, None), self._bucket(chat.id, chat)]
        wait = max(b.retry_after() for b in buckets)
        if wait:
            raise ApiError(429, f"Too Many Requests: retry after {wait}", retry_after=wait)
        for b in buckets:
            b.take()

    def _format(
        self, p: Json, text_key: str, entities_key: str, *, caption: bool
    ) -> tuple[str | None, list[Json] | None]:
        raw = _opt_str(p, text_key)
        if raw is None:
            if caption:
                return None, None
            raise ApiError(400, "Bad Request: message text is empty")
        parse_mode = _opt_str(p, "parse_mode")
        entities: list[Json] | None = None
        if parse_mode:
            mode = parse_mode.lower()
            if mode == "html":
                try:
                    raw, entities = parse_html(raw)
                except EntityParseError as exc:
                    raise ApiError(400, f"Bad Request: can't parse entities: {exc}") from None
            elif mode not in ("markdown", "markdownv2"):
                raise ApiError(400, f"Bad Request: unsupported parse_mode {parse_mode!r}")
        else:
            given = _opt_json(p, entities_key)
            if given is not None:
                if not isinstance(given, list):
                    raise ApiError(400, f"Bad Request: can't parse {entities_key} JSON object")
                entities = given
        if caption:
            if len(raw) > MAX_CAPTION:
                raise ApiError(400, "Bad Request: message caption is too long")
            return (raw or None), (entities or None)
        if not raw.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if len(raw) > MAX_TEXT:
            raise ApiError(400, "Bad Request: message is too long")
        return raw, (entities or None)

    def _reply_markup(self, p: Json, *, inline_only: bool = False) -> Json | None:
        markup = _opt_json(p, "reply_markup")
        if markup is None:
            return None
        if not isinstance(markup, dict):
            raise ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")
        if "inline_keyboard" in markup:
            rows = markup["inline_keyboard"]
            if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
                raise ApiError(400, "Bad Request: can't parse inline keyboard button")
            for row in rows:
                for button in row:
                    self._check_inline_button(button)
        elif inline_only:
            raise ApiError(400, "Bad Request: inline keyboard expected")
        elif "keyboard" in markup:
            rows = markup["keyboard"]
            if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
                raise ApiError(400, "Bad Request: can't parse keyboard button")
            for row in rows:
                for button in row:
                    text = button.get("text") if isinstance(button, dict) else button
                    if not isinstance(text, str) or not text:
                        raise ApiError(400, "Bad Request: keyboard button text is empty")
        elif not ("remove_keyboard" in markup or "force_reply" in markup):
            raise ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")
        return markup

    @staticmethod
    def _check_inline_button(button: Any) -> None:
        if not isinstance(button, dict) or not isinstance(button.get("text"), str):
            raise ApiError(400, "Bad Request: can't parse inline keyboard button: text expected")
        if not button["text"]:
            raise ApiError(400, "Bad Request: BUTTON_TEXT_INVALID")
        actions = [k for k in button if k not in ("text", "icon_custom_emoji_id", "style")]
        if len(actions) != 1:
            raise ApiError(
                400, "Bad Request: can't parse inline keyboard button: exactly one action expected"
            )
        if "callback_data" in button:
            data = button["callback_data"]
            if not isinstance(data, str) or not 1 <= len(data.encode("utf-8")) <= 64:
                raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
        if "url" in button and not str(button["url"]).strip():
            raise ApiError(400, "Bad Request: BUTTON_URL_INVALID")

    def _reply_to(self, p: Json, chat: SbChat) -> int | None:
        params = _opt_json(p, "reply_parameters")
        mid = _opt_int(p, "reply_to_message_id")
        allow = _opt_bool(p, "allow_sending_without_reply")
        if isinstance(params, dict):
            mid = _as_int(params.get("message_id"), "reply_parameters.message_id")
            allow = bool(params.get("allow_sending_without_reply"))
        if mid is None:
            return None
        if mid not in chat.messages:
            if allow:
                return None
            raise ApiError(400, "Bad Request: message to be replied not found")
        return mid

    def _add_message(
        self, chat: SbChat, msg_kwargs: Json, *, from_id: int, is_bot: bool
    ) -> SbMessage:
        msg = SbMessage(
            message_id=chat.next_message_id,
            chat_id=chat.id,
            from_id=from_id,
            is_bot=is_bot,
            date=int(self.clock()),
            **msg_kwargs,
        )
        chat.next_message_id += 1
        chat.messages[msg.message_id] = msg
        self._touch(chat)
        return msg

    def _touch(self, chat: SbChat) -> None:
        chat.version += 1
        chat.changed.notify()

    def api_message(self, msg: SbMessage, *, with_reply: bool = True) -> Json:
        chat = self.chats[msg.chat_id]
        sender = self._bot_user() if msg.is_bot else self.users[msg.from_id].api()
        d: Json = {
            "message_id": msg.message_id,
            "from": sender,
            "chat": self._chat_api(chat),
            "date": msg.date,
        }
        if msg.edit_date is not None:
            d["edit_date"] = msg.edit_date
        if with_reply and msg.reply_to_message_id in chat.messages:
            ref = chat.messages[msg.reply_to_message_id]
            d["reply_to_message"] = self.api_message(ref, with_reply=False)
        if msg.text is not None:
            d["text"] = msg.text
        if msg.entities:
            d["entities"] = msg.entities
        if msg.document is not None:
            d["document"] = msg.document
        if msg.photo is not None:
            d["photo"] = msg.photo
        if msg.caption is not None:
            d["caption"] = msg.caption
        if msg.caption_entities:
            d["caption_entities"] = msg.caption_entities
        if msg.forward_origin is not None:
            d["forward_origin"] = msg.forward_origin
        if msg.reply_markup and "inline_keyboard" in msg.reply_markup:
            d["reply_markup"] = msg.reply_markup
        return d

    def view_message(self, msg: SbMessage) -> Json:
        if msg.is_bot:
            sender: Json = {
                "id": self.bot_id,
                "is_bot": True,
                "first_name": self.bot_name,
                "username": self.bot_username,
            }
        else:
            u = self.users[msg.from_id]
            sender = {"id": u.id, "is_bot": False, "first_name": u.first_name}
            if u.username:
                sender["username"] = u.username
        d: Json = {
            "message_id": msg.message_id,
            "chat_id": msg.chat_id,
            "date": msg.date,
            "from": sender,
            "edited": msg.edit_date is not None,
        }
        for key in (
            "text",
            "entities",
            "caption",
            "caption_entities",
            "reply_markup",
            "document",
            "photo",
            "reply_to_message_id",
            "edit_date",
            "forward_origin",
        ):
            value = getattr(msg, key)
            if value is not None:
                d[key] = value
        return d

    def _store_file(
        self, content: bytes, file_name: str, mime_type: str | None, kind: str
    ) -> StoredFile:
        n = next(self._file_seq)
        file_id = f"SBF{kind[:3].upper()}{n:06d}{secrets.token_hex(6)}"
        ext = Path(file_name).suffix or ".bin"
        stored = StoredFile(
            file_id=file_id,
            file_unique_id=f"SBU{n:06d}",
            file_name=file_name,
            mime_type=(
                mime_type or mimetypes.guess_type(file_name)[0] or "application/octet-stream"
            ),
            content=content,
            file_path=f"{kind}/file_{n}{ext}",
        )
        self.files[file_id] = stored
        self._files_by_path[stored.file_path] = stored
        return stored

    def _input_file(self, p: Json, name: str, kind: str) -> StoredFile:
        value = p.get(name)
        if isinstance(value, UploadedFile):
            if not value.content:
                raise ApiError(400, "Bad Request: file must be non-empty")
            return self._store_file(value.content, value.file_name, value.content_type, kind)
        if isinstance(value, str) and value:
            if value in self.files:
                return self.files[value]
            if value.startswith(("http://", "https://")):
                raise ApiError(
                    400, "Bad Request: failed to get HTTP URL content (the sandbox is offline)"
                )
            raise ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")
        raise ApiError(400, f"Bad Request: there is no {name} in the request")

    # ------------------------------------------------------------------ updates

    def _queue_update(self, kind: str, payload: Json) -> int:
        update_id = self._next_update_id
        self._next_update_id += 1
        if kind in self._allowed_updates:
            self._updates.append({"update_id": update_id, kind: payload})
            self._updates_signal.notify()
        return update_id

    def _confirm(self, offset: int) -> None:
        if offset > 0:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        elif offset < 0:
            self._updates = self._updates[offset:]

    def _set_allowed(self, allowed: Any) -> None:
        if allowed is None:
            return
        if not isinstance(allowed, list):
            raise ApiError(400, "Bad Request: can't parse allowed_updates JSON array")
        self._allowed_updates = set(allowed) if allowed else set(DEFAULT_ALLOWED)
        self._updates = [
            u
            for u in self._updates
            if any(k in self._allowed_updates for k in u if k != "update_id")
        ]

    # ------------------------------------------------------------------ Bot API methods

    async def _m_true(self, _p: Json) -> bool:
        return True

    async def _m_get_me(self, _p: Json) -> Json:
        return {
            **self._bot_user(),
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def _m_get_updates(self, p: Json) -> list[Json]:
        if self._webhook is not None:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        offset = _opt_int(p, "offset")
        limit = _opt_int(p, "limit") or 100
        limit = max(1, min(100, limit))
        timeout = max(0, min(_opt_int(p, "timeout") or 0, 50))
        self._set_allowed(_opt_json(p, "allowed_updates"))
        if offset is not None:
            self._confirm(offset)
        self._poll_generation += 1
        generation = self._poll_generation
        self._updates_signal.notify()  # a poll still waiting is terminated by this one
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            event = self._updates_signal.snapshot()
            if generation != self._poll_generation:
                raise ApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; "
                    "make sure that only one bot instance is running",
                )
            if self._updates or self._closing:
                return self._updates[:limit]
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                return []
            await _wait_event(event, remaining)

    async def _m_set_webhook(self, p: Json) -> bool:
        url = _opt_str(p, "url") or ""
        if not url:
            return await self._m_delete_webhook(p)
        if not url.startswith(("http://", "https://")):
            raise ApiError(
                400, "Bad Request: bad webhook: an HTTPS URL must be provided for webhook"
            )
        secret = _opt_str(p, "secret_token")
        if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", secret):
            raise ApiError(400, "Bad Request: secret token contains unallowed characters")
        if _opt_bool(p, "drop_pending_updates"):
            self._updates.clear()
        self._set_allowed(_opt_json(p, "allowed_updates"))
        self._webhook = {
            "url": url,
            "secret_token": secret,
            "max_connections": _opt_int(p, "max_connections") or 40,
        }
        self._webhook_last_error = None
        await self._stop_webhook_task()
        if not self._closing:
            self._webhook_task = asyncio.create_task(self._deliver_webhooks())
        # a waiting getUpdates call is ended by the webhook
        self._poll_generation += 1
        self._updates_signal.notify()
        return True

    async def _m_delete_webhook(self, p: Json) -> bool:
        if _opt_bool(p, "drop_pending_updates"):
            self._updates.clear()
        self._webhook = None
        await self._stop_webhook_task()
        return True

    async def _m_get_webhook_info(self, _p: Json) -> Json:
        info: Json = {
            "url": self._webhook["url"] if self._webhook else "",
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }
        if self._webhook:
            info["max_connections"] = self._webhook["max_connections"]
            info["allowed_updates"] = sorted(self._allowed_updates)
        if self._webhook_last_error:
            info["last_error_date"], info["last_error_message"] = self._webhook_last_error
        return info

    async def _stop_webhook_task(self) -> None:
        task, self._webhook_task = self._webhook_task, None
        if task is not None and not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _post_update(self, session: aiohttp.ClientSession, hook: Json,
                           update: Json) -> str | None:
        """Post one update to the webhook; the error Telegram would record, or None."""
        headers = {"Content-Type": "application/json"}
        if hook["secret_token"]:
            headers["X-Telegram-Bot-Api-Secret-Token"] = hook["secret_token"]
        try:
            body = _dumps(update).encode("utf-8")
            async with session.post(hook["url"], data=body, headers=headers) as r:
                await r.read()
                if not 200 <= r.status < 300:
                    return f"Wrong response from the webhook: {r.status} {r.reason}"
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            return f"Connection failed: {exc.__class__.__name__}"
        return None

    async def _deliver_webhooks_in_parallel(self, session: aiohttp.ClientSession) -> None:
        """Up to max_connections updates in flight; an update that fails is posted again."""
        in_flight: set[int] = set()
        tasks: set[asyncio.Task[None]] = set()

        async def deliver(hook: Json, update: Json) -> None:
            error = await self._post_update(session, hook, update)
            if error is None:
                self._updates[:] = [u for u in self._updates
                                    if u["update_id"] != update["update_id"]]
            else:
                self._webhook_last_error = (int(self.clock()), error)
                await _wait_event(self._stopping, 0.2)
            in_flight.discard(update["update_id"])
            self._updates_signal.notify()

        try:
            while not self._closing and self._webhook is not None:
                event = self._updates_signal.snapshot()
                hook = self._webhook
                waiting = [u for u in self._updates if u["update_id"] not in in_flight]
                if not waiting or len(in_flight) >= hook["max_connections"]:
                    await _wait_event(event, 30)
                    continue
                for update in waiting[: hook["max_connections"] - len(in_flight)]:
                    in_flight.add(update["update_id"])
                    task = asyncio.create_task(deliver(hook, update))
                    tasks.add(task)
                    task.add_done_callback(tasks.discard)
        finally:
            for task in list(tasks):
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    async def _deliver_webhooks(self) -> None:
        backoff = 0.05
        timeout = aiohttp.ClientTimeout(total=10)
        async with aiohttp.ClientSession(timeout=timeout) as session:
            if self.webhook_parallel:
                await self._deliver_webhooks_in_parallel(session)
                return
            while not self._closing and self._webhook is not None:
                event = self._updates_signal.snapshot()
                if not self._updates:
                    await _wait_event(event, 30)
                    continue
                update = self._updates[0]
                hook = self._webhook
                headers = {"Content-Type": "application/json"}
                if hook["secret_token"]:
                    headers["X-Telegram-Bot-Api-Secret-Token"] = hook["secret_token"]
                error: str | None = None
                try:
                    body = _dumps(update).encode("utf-8")
                    async with session.post(hook["url"], data=body, headers=headers) as r:
                        await r.read()
                        if not 200 <= r.status < 300:
                            error = f"Wrong response from the webhook: {r.status} {r.reason}"
                except (aiohttp.ClientError, TimeoutError, OSError) as exc:
                    error = f"Connection failed: {exc.__class__.__name__}"
                if error is None:
                    if self._updates and self._updates[0]["update_id"] == update["update_id"]:
                        self._updates.pop(0)
                    backoff = 0.05
                else:
                    self._webhook_last_error = (int(self.clock()), error)
                    await _wait_event(self._stopping, backoff)
                    backoff = min(backoff * 2, self.webhook_backoff_max)

    async def _m_send_message(self, p: Json) -> Json:
        chat = self._chat_for_sending(p)
        text, entities = self._format(p, "text", "entities", caption=False)
        markup = self._reply_markup(p)
        reply_to = self._reply_to(p, chat)
        self._check_rate(chat)
        msg = self._add_message(
            chat,
            {
                "text": text,
                "entities": entities,
                "reply_markup": markup,
                "reply_to_message_id": reply_to,
            },
            from_id=self.bot_id,
            is_bot=True,
        )
        return self.api_message(msg)

    async def _m_send_document(self, p: Json) -> Json:
        chat = self._chat_for_sending(p)
        caption, cap_entities = self._format(p, "caption", "caption_entities", caption=True)
        markup = self._reply_markup(p)
        reply_to = self._reply_to(p, chat)
        stored = self._input_file(p, "document", "documents")
        self._check_rate(chat)
        document = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_name": stored.file_name,
            "mime_type": stored.mime_type,
            "file_size": len(stored.content),
        }
        msg = self._add_message(
            chat,
            {
                "document": document,
                "caption": caption,
                "caption_entities": cap_entities,
                "reply_markup": markup,
                "reply_to_message_id": reply_to,
            },
            from_id=self.bot_id,
            is_bot=True,
        )
        return self.api_message(msg)

    async def _m_send_photo(self, p: Json) -> Json:
        chat = self._chat_for_sending(p)
        caption, cap_entities = self._format(p, "caption", "caption_entities", caption=True)
        markup = self._reply_markup(p)
        reply_to = self._reply_to(p, chat)
        stored = self._input_file(p, "photo", "photos")
        self._check_rate(chat)
        width, height = _image_size(stored.content)
        photo = [
            {
                "file_id": stored.file_id,
                "file_unique_id": stored.file_unique_id,
                "width": width,
                "height": height,
                "file_size": len(stored.content),
            }
        ]
        msg = self._add_message(
            chat,
            {
                "photo": photo,
                "caption": caption,
                "caption_entities": cap_entities,
                "reply_markup": markup,
                "reply_to_message_id": reply_to,
            },
            from_id=self.bot_id,
            is_bot=True,
        )
        return self.api_message(msg)

    def _message_to_edit(self, p: Json) -> tuple[SbChat, SbMessage]:
        if p.get("inline_message_id"):
            raise ApiError(400, "Bad Request: MESSAGE_ID_INVALID")
        chat = self._resolve_chat(p)
        mid = _opt_int(p, "message_id")
        if mid is None:
            raise ApiError(400, "Bad Request: message identifier is not specified")
        msg = chat.messages.get(mid)
        if msg is None:
            raise ApiError(400, "Bad Request: message to edit not found")
        if not msg.is_bot:
            raise ApiError(400, "Bad Request: message can't be edited")
        return chat, msg

    def _finish_edit(self, chat: SbChat, msg: SbMessage, changes: Json) -> Json:
        if all(getattr(msg, k) == v for k, v in changes.items()):
            raise ApiError(400, NOT_MODIFIED)
        for k, v in changes.items():
            setattr(msg, k, v)
        msg.edit_date = int(self.clock())
        self._touch(chat)
        return self.api_message(msg)

    async def _m_edit_message_text(self, p: Json) -> Json:
        chat, msg = self._message_to_edit(p)
        text, entities = self._format(p, "text", "entities", caption=False)
        markup = self._reply_markup(p, inline_only=True)
        if msg.text is None:
            raise ApiError(400, "Bad Request: there is no text in the message to edit")
        return self._finish_edit(
            chat, msg, {"text": text, "entities": entities, "reply_markup": markup}
        )

    async def _m_edit_message_caption(self, p: Json) -> Json:
        chat, msg = self._message_to_edit(p)
        caption, entities = self._format(p, "caption", "caption_entities", caption=True)
        markup = self._reply_markup(p, inline_only=True)
        if msg.text is not None:
            raise ApiError(400, "Bad Request: there is no caption in the message to edit")
        return self._finish_edit(
            chat, msg, {"caption": caption, "caption_entities": entities, "reply_markup": markup}
        )

    async def _m_edit_message_reply_markup(self, p: Json) -> Json:
        chat, msg = self._message_to_edit(p)
        markup = self._reply_markup(p, inline_only=True)
        return self._finish_edit(chat, msg, {"reply_markup": markup})

    async def _m_delete_message(self, p: Json) -> bool:
        chat = self._resolve_chat(p)
        mid = _opt_int(p, "message_id")
        if mid is None or mid not in chat.messages:
            raise ApiError(400, "Bad Request: message to delete not found")
        msg = chat.messages[mid]
        if not msg.is_bot and chat.type != "private" and self.bot_id not in chat.admins:
            raise ApiError(400, "Bad Request: message can't be deleted")
        del chat.messages[mid]
        self._touch(chat)
        return True

    async def _m_answer_callback_query(self, p: Json) -> bool:
        cq_id = _opt_str(p, "callback_query_id") or ""
        entry = self._callbacks.get(cq_id)
        if entry is None or entry["answered"]:
            raise ApiError(400, QUERY_INVALID)
        text = _opt_str(p, "text")
        if text is not None and len(text) > 200:
            raise ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        answer = {"text": text, "show_alert": _opt_bool(p, "show_alert"), "url": p.get("url")}
        entry.update(answered=True, answer=answer)
        fut = self._callback_waiters.get(cq_id)
        if fut is not None and not fut.done():
            fut.set_result(answer)
        return True

    def _scope_key(self, p: Json) -> tuple[Any, ...]:
        scope = _opt_json(p, "scope") or {"type": "default"}
        if not isinstance(scope, dict):
            raise ApiError(400, "Bad Request: can't parse BotCommandScope JSON object")
        kind = scope.get("type", "default")
        if kind in ("default", "all_private_chats", "all_group_chats", "all_chat_administrators"):
            return (kind,)
        if kind in ("chat", "chat_administrators", "chat_member"):
            chat = self._resolve_chat(scope)
            if kind != "chat" and chat.type == "private":
                raise ApiError(400, "Bad Request: can't use this scope in a private chat")
            if kind == "chat_member":
                user_id = _as_int(scope.get("user_id"), "user_id")
                if user_id not in self.users:
                    raise ApiError(400, "Bad Request: user not found")
                return (kind, chat.id, user_id)
            return (kind, chat.id)
        raise ApiError(400, "Bad Request: wrong scope type specified")

    def _language(self, p: Json) -> str:
        lang = _opt_str(p, "language_code") or ""
        if lang and not re.fullmatch(r"[a-z]{2}", lang):
            raise ApiError(400, "Bad Request: LANG_CODE_INVALID")
        return lang

    async def _m_set_my_commands(self, p: Json) -> bool:
        commands = _opt_json(p, "commands")
        if not isinstance(commands, list):
            raise ApiError(400, "Bad Request: can't parse commands JSON array")
        if len(commands) > 100:
            raise ApiError(400, "Bad Request: BOT_COMMANDS_TOO_MUCH")
        clean: list[Json] = []
        for c in commands:
            if not isinstance(c, dict):
                raise ApiError(400, "Bad Request: can't parse BotCommand JSON object")
            name = c.get("command")
            desc = c.get("description")
            if not isinstance(name, str) or not BOT_COMMAND_NAME_RE.match(name):
                raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
            if not isinstance(desc, str) or not 1 <= len(desc) <= 256:
                raise ApiError(400, "Bad Request: command description must be non-empty")
            clean.append({"command": name, "description": desc})
        key = (self._scope_key(p), self._language(p))
        if clean:
            self._commands[key] = clean
        else:
            self._commands.pop(key, None)
        return True

    async def _m_get_my_commands(self, p: Json) -> list[Json]:
        return list(self._commands.get((self._scope_key(p), self._language(p)), []))

    async def _m_delete_my_commands(self, p: Json) -> bool:
        self._commands.pop((self._scope_key(p), self._language(p)), None)
        return True

    def menu_for(self, chat_id: int, user_id: int, language_code: str | None = None) -> list[Json]:
        """The command menu Telegram shows ``user_id`` in ``chat_id`` (documented scope order)."""
        chat = self.chats.get(chat_id)
        if chat is None:
            raise ControlError("chat not found", 404)
        user = self.users.get(user_id)
        if language_code is None and user is not None:
            language_code = user.language_code
        lang = (language_code or "").split("-")[0].lower()
        if chat.type == "private":
            scopes: list[tuple[Any, ...]] = [("chat", chat_id), ("all_private_chats",)]
        else:
            is_admin = user_id in chat.admins
            scopes = [("chat_member", chat_id, user_id)]
            if is_admin:
                scopes.append(("chat_administrators", chat_id))
            scopes.append(("chat", chat_id))
            if is_admin:
                scopes.append(("all_chat_administrators",))
            scopes.append(("all_group_chats",))
        scopes.append(("default",))
        for scope in scopes:
            for lc in [lang, ""] if lang else [""]:
                found = self._commands.get((scope, lc))
                if found:
                    return list(found)
        return []

    async def _m_get_chat_member(self, p: Json) -> Json:
        chat = self._resolve_chat(p)
        user_id = _opt_int(p, "user_id")
        if user_id == self.bot_id:
            status = "administrator" if self.bot_id in chat.admins else "member"
            return self._member(self._bot_user(), status)
        user = self.users.get(user_id or 0)
        if user is None:
            raise ApiError(400, "Bad Request: user not found")
        if chat.type == "private":
            if user.id != chat.id:
                raise ApiError(400, "Bad Request: user not found")
            return self._member(user.api(), "member")
        if user.id in chat.admins:
            return self._member(user.api(), "administrator")
        if user.id in chat.members:
            return self._member(user.api(), "member")
        return self._member(user.api(), "left")

    @staticmethod
    def _member(user: Json, status: str) -> Json:
        d: Json = {"status": status, "user": user}
        if status == "administrator":
            d.update(
                can_be_edited=False,
                is_anonymous=False,
                can_manage_chat=True,
                can_delete_messages=True,
                can_manage_video_chats=True,
                can_restrict_members=True,
                can_promote_members=False,
                can_change_info=True,
                can_invite_users=True,
                can_post_stories=False,
                can_edit_stories=False,
                can_delete_stories=False,
                can_pin_messages=True,
            )
        return d

    async def _m_get_chat(self, p: Json) -> Json:
        chat = self._resolve_chat(p)
        return {
            **self._chat_api(chat),
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": ACCEPTED_GIFT_TYPES,
        }

    async def _m_get_file(self, p: Json) -> Json:
        file_id = _opt_str(p, "file_id") or ""
        stored = self.files.get(file_id)
        if stored is None:
            raise ApiError(400, "Bad Request: invalid file_id")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.content),
            "file_path": stored.file_path,
        }

    async def _m_send_chat_action(self, p: Json) -> bool:
        self._chat_for_sending(p)
        action = _opt_str(p, "action")
        if action not in CHAT_ACTIONS:
            raise ApiError(400, "Bad Request: wrong parameter action in request")
        return True

    async def _m_set_chat_menu_button(self, p: Json) -> bool:
        button = _opt_json(p, "menu_button") or {"type": "default"}
        if not isinstance(button, dict) or button.get("type") not in (
            "commands",
            "web_app",
            "default",
        ):
            raise ApiError(400, "Bad Request: can't parse menu button")
        chat_id = _opt_int(p, "chat_id")
        if chat_id is None:
            self._default_menu_button = button
            return True
        chat = self._resolve_chat(p)
        if chat.type != "private":
            raise ApiError(400, "Bad Request: menu button can be set only in private chats")
        chat.menu_button = button
        return True

    async def _m_get_chat_menu_button(self, p: Json) -> Json:
        chat_id = _opt_int(p, "chat_id")
        if chat_id is None:
            return self._default_menu_button
        chat = self._resolve_chat(p)
        return chat.menu_button or self._default_menu_button

    async def _file_download(self, request: web.Request) -> web.StreamResponse:
        if not TOKEN_RE.match(request.match_info["token"]):
            return web.json_response(
                {"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401
            )
        stored = self._files_by_path.get(request.match_info["path"])
        if stored is None:
            return web.json_response(
                {"ok": False, "error_code": 404, "description": "Not Found"}, status=404
            )
        return web.Response(body=stored.content, content_type=stored.mime_type)

    # ------------------------------------------------------------------ control API

    @staticmethod
    async def _body(request: web.Request) -> Json:
        if not request.body_exists:
            return {}
        try:
            body = await request.json()
        except ValueError:
            raise ControlError("body must be JSON") from None
        if not isinstance(body, dict):
            raise ControlError("body must be a JSON object")
        return body

    @staticmethod
    def _int_field(body: Json | Any, name: str, default: int | None = None) -> int:
        value = body.get(name, default)
        if value is None:
            raise ControlError(f"{name} is required")
        try:
            return int(value)
        except (TypeError, ValueError):
            raise ControlError(f"{name} must be an integer") from None

    async def _control(self, coro: Awaitable[Any], status: int = 200) -> web.Response:
        try:
            result = await coro
        except ControlError as exc:
            return web.json_response({"ok": False, "error": str(exc)}, status=exc.status)
        except ApiError as exc:
            return web.json_response({"ok": False, "error": exc.description}, status=exc.code)
        return web.json_response(result, status=status, dumps=_dumps)

    async def _c_add_user(self, request: web.Request) -> web.Response:
        async def run() -> Json:
            body = await self._body(request)
            uid = self._int_field(body, "id")
            if uid <= 0:
                raise ControlError("user ids are positive")
            user = self.add_user(
                uid,
                str(body.get("first_name") or f"User {uid}"),
                body.get("username"),
                body.get("language_code", "zh-hans"),
                bool(body.get("started", False)),
            )
            if "blocked" in body:
                user.blocked = bool(body["blocked"])
            return user.view()

        return await self._control(run())

    async def _c_list_users(self, _request: web.Request) -> web.Response:
        async def run() -> list[Json]:
            return [u.view() for u in self.users.values()]

        return await self._control(run())

    def _chat_view(self, chat: SbChat) -> Json:
        d: Json = {
            "id": chat.id,
            "type": chat.type,
            "title": chat.title,
            "members": list(chat.members),
            "admins": sorted(chat.admins),
            "version": chat.version,
        }
        if chat.type == "private":
            d["title"] = self.users[chat.id].first_name
        return d

    async def _c_add_chat(self, request: web.Request) -> web.Response:
        async def run() -> Json:
            body = await self._body(request)
            members = body.get("members") or []
            admins = body.get("admins") or []
            if not isinstance(members, list) or not isinstance(admins, list):
                raise ControlError("members and admins must be lists of user ids")
            chat = self.add_chat(
                self._int_field(body, "id"),
                str(body.get("type", "group")),
                body.get("title"),
                [int(m) for m in members],
                [int(a) for a in admins],
            )
            return self._chat_view(chat)

        return await self._control(run())

    async def _c_list_chats(self, request: web.Request) -> web.Response:
        async def run() -> list[Json]:
            uid = request.query.get("user_id")
            chats = list(self.chats.values())
            if uid:
                user_id = self._int_field(request.query, "user_id")
                chats = [
                    c
                    for c in chats
                    if (c.type == "private" and c.id == user_id)
                    or (c.type != "private" and user_id in c.members)
                ]
            return [self._chat_view(c) for c in chats]

        return await self._control(run())

    def _user_in_chat(self, chat_id: int, from_id: int) -> tuple[SbChat, SbUser]:
        user = self.users.get(from_id)
        if user is None:
            raise ControlError(f"unknown user {from_id}", 404)
        chat = self.chats.get(chat_id)
        if chat is None:
            raise ControlError(f"unknown chat {chat_id}", 404)
        if chat.type == "private" and chat.id != from_id:
            raise ControlError("a private chat's id is its user's id")
        if chat.type != "private" and from_id not in chat.members:
            raise ControlError(f"user {from_id} is not a member of chat {chat_id}", 403)
        return chat, user

    def user_message(
        self,
        chat_id: int,
        from_id: int,
        *,
        text: str | None = None,
        reply_to_message_id: int | None = None,
        document: StoredFile | None = None,
        caption: str | None = None,
        forward_origin: Json | None = None,
        photo: StoredFile | None = None,
    ) -> Json:
        chat, user = self._user_in_chat(chat_id, from_id)
        fields: Json = {}
        if photo is not None:
            if caption is not None and len(caption) > MAX_CAPTION:
                raise ControlError("caption is longer than 1024 characters")
            width, height = _image_size(photo.content)
            fields["photo"] = [{
                "file_id": photo.file_id,
                "file_unique_id": photo.file_unique_id,
                "width": width,
                "height": height,
                "file_size": len(photo.content),
            }]
            fields["caption"] = caption or None
        elif document is None:
            if not text or not text.strip():
                raise ControlError("text is empty")
            if len(text) > MAX_TEXT:
                raise ControlError("text is longer than 4096 characters")
            fields["text"] = text
            m = COMMAND_RE.match(text)
            if m:
                fields["entities"] = [{"type": "bot_command", "offset": 0, "length": m.end()}]
            mentions = [{"type": "mention", "offset": _utf16_len(text[:at.start()]),
                         "length": _utf16_len(at.group())} for at in MENTION_RE.finditer(text)]
            if mentions:
                fields["entities"] = [*fields.get("entities", []), *mentions]
        else:
            if caption is not None and len(caption) > MAX_CAPTION:
                raise ControlError("caption is longer than 1024 characters")
            fields["document"] = {
                "file_id": document.file_id,
                "file_unique_id": document.file_unique_id,
                "file_name": document.file_name,
                "mime_type": document.mime_type,
                "file_size": len(document.content),
            }
            fields["caption"] = caption or None
        if reply_to_message_id:
            if reply_to_message_id not in chat.messages:
                raise ControlError(f"no message {reply_to_message_id} in chat {chat_id}")
            fields["reply_to_message_id"] = reply_to_message_id
        if forward_origin is not None:
            if not isinstance(forward_origin, dict) or "type" not in forward_origin:
                raise ControlError("forward_origin must be a MessageOrigin object with a type")
            fields["forward_origin"] = {"date": int(self.clock()), **forward_origin}
            fields.pop("entities", None)
        if chat.type == "private":
            user.started = True
            user.blocked = False
        msg = self._add_message(chat, fields, from_id=from_id, is_bot=False)
        update_id = self._queue_update("message", self.api_message(msg))
        return {"update_id": update_id, "message_id": msg.message_id}

    async def _c_send_message(self, request: web.Request) -> web.Response:
        async def run() -> Json:
            body = await self._body(request)
            reply_to = body.get("reply_to_message_id")
            return self.user_message(
                self._int_field(body, "chat_id"),
                self._int_field(body, "from_id"),
                text=body.get("text"),
                reply_to_message_id=int(reply_to) if reply_to else None,
                forward_origin=body.get("forward_origin"),
            )

        return await self._control(run())

    async def _c_messages(self, request: web.Request) -> web.Response:
        async def run() -> list[Json]:
            q = request.query
            chat_id = self._int_field(q, "chat_id")
            after = self._int_field(q, "after", 0)
            wait = min(float(q.get("wait") or 0), 60.0)
            chat = self.chats.get(chat_id)
            if chat is None:
                raise ControlError(f"unknown chat {chat_id}", 404)
            deadline = asyncio.get_running_loop().time() + wait
            while True:
                event = chat.changed.snapshot()
                msgs = [m for mid, m in sorted(chat.messages.items()) if mid > after]
                remaining = deadline - asyncio.get_running_loop().time()
                if any(m.is_bot for m in msgs) or remaining <= 0 or self._closing:
                    return [self.view_message(m) for m in msgs]
                await _wait_event(event, remaining)

        return await self._control(run())

    async def _c_chat_state(self, request: web.Request) -> web.Response:
        """The whole chat with its version; with ``version`` and ``wait`` waits for a change."""

        async def run() -> Json:
            q = request.query
            chat_id = self._int_field(q, "chat_id")
            version = self._int_field(q, "version", -1)
            wait = min(float(q.get("wait") or 0), 60.0)
            chat = self.chats.get(chat_id)
            if chat is None:
                raise ControlError(f"unknown chat {chat_id}", 404)
            deadline = asyncio.get_running_loop().time() + wait
            while True:
                event = chat.changed.snapshot()
                remaining = deadline - asyncio.get_running_loop().time()
                if chat.version != version or remaining <= 0 or self._closing:
                    return {
                        "chat": self._chat_view(chat),
                        "version": chat.version,
                        "messages": [
                            self.view_message(m) for _, m in sorted(chat.messages.items())
                        ],
                    }
                await _wait_event(event, remaining)

        return await self._control(run())

    async def _c_callback(self, request: web.Request) -> web.Response:
        async def run() -> Json:
            body = await self._body(request)
            chat_id = self._int_field(body, "chat_id")
            from_id = self._int_field(body, "from_id")
            message_id = self._int_field(body, "message_id")
            chat, user = self._user_in_chat(chat_id, from_id)
            msg = chat.messages.get(message_id)
            if msg is None:
                raise ControlError(f"no message {message_id} in chat {chat_id}", 404)
            data = body.get("data")
            if data is None:
                button_text = body.get("button")
                if button_text is None:
                    raise ControlError("give data or button")
                data = self._find_button(msg, str(button_text))
            wait = min(float(body.get("wait", self.callback_wait)), 30.0)
            cq_id = str(secrets.randbits(63))
            payload = {
                "id": cq_id,
                "from": user.api(),
                "message": self.api_message(msg),
                "chat_instance": str(abs(chat_id) * 7919 % 10**12),
                "data": str(data),
            }
            self._callbacks[cq_id] = {"answered": False, "answer": None}
            fut: asyncio.Future[Json] = asyncio.get_running_loop().create_future()
            self._callback_waiters[cq_id] = fut
            update_id = self._queue_update("callback_query", payload)
            answer: Json | None = None
            try:
                answer = await asyncio.wait_for(asyncio.shield(fut), wait)
            except TimeoutError:
                pass
            except asyncio.CancelledError:
                # stop() cancels the waiter; a real cancellation of this request propagates
                task = asyncio.current_task()
                if task is not None and task.cancelling():
                    raise
            finally:
                self._callback_waiters.pop(cq_id, None)
            return {
                "update_id": update_id,
                "callback_query_id": cq_id,
                "answer": answer["text"] if answer else None,
                "show_alert": bool(answer and answer["show_alert"]),
                "answered": answer is not None,
            }

        return await self._control(run())

    @staticmethod
    def _find_button(msg: SbMessage, text: str) -> str:
        rows = (msg.reply_markup or {}).get("inline_keyboard") or []
        for row in rows:
            for button in row:
                if button.get("text") == text:
                    if "callback_data" not in button:
                        raise ControlError(f"button {text!r} has no callback_data")
                    return str(button["callback_data"])
        labels = [b.get("text") for row in rows for b in row]
        raise ControlError(f"no inline button {text!r} in message {msg.message_id}: {labels}")

    async def _c_document(self, request: web.Request) -> web.Response:
        async def run() -> Json:
            content: bytes
            mime: str | None
            if request.content_type == "multipart/form-data":
                form = await request.post()
                fields: Json = {}
                file_part: web.FileField | None = None
                for key, value in form.items():
                    if isinstance(value, web.FileField):
                        file_part = value
                    else:
                        fields[key] = value
                if file_part is None:
                    raise ControlError("no file part in the form")
                content = file_part.file.read()
                file_name = str(fields.get("file_name") or file_part.filename or "file.bin")
                mime = file_part.content_type
            else:
                fields = await self._body(request)
                try:
                    raw = str(fields.get("content_base64") or "")
                    content = base64.b64decode(raw, validate=True)
                except ValueError:
                    raise ControlError("content_base64 is not valid base64") from None
                file_name = str(fields.get("file_name") or "file.bin")
                mime = str(fields["mime_type"]) if fields.get("mime_type") else None
            if not content:
                raise ControlError("the file is empty")
            chat_id = self._int_field(fields, "chat_id")
            from_id = self._int_field(fields, "from_id")
            self._user_in_chat(chat_id, from_id)
            stored = self._store_file(content, file_name, mime, "documents")
            caption = fields.get("caption")
            result = self.user_message(
                chat_id, from_id, document=stored, caption=str(caption) if caption else None
            )
            return {**result, "file_id": stored.file_id}

        return await self._control(run())

    async def _c_photo(self, request: web.Request) -> web.Response:
        """A user sends a photo (JSON with content_base64; forward_origin makes it forwarded)."""

        async def run() -> Json:
            fields = await self._body(request)
            try:
                content = base64.b64decode(str(fields.get("content_base64") or ""), validate=True)
            except ValueError:
                raise ControlError("content_base64 is not valid base64") from None
            if not content:
                raise ControlError("the photo is empty")
            chat_id = self._int_field(fields, "chat_id")
            from_id = self._int_field(fields, "from_id")
            self._user_in_chat(chat_id, from_id)
            png = content[:8] == b"\x89PNG\r\n\x1a\n"
            stored = self._store_file(content, "photo.png" if png else "photo.jpg",
                                      "image/png" if png else "image/jpeg", "photos")
            caption = fields.get("caption")
            result = self.user_message(
                chat_id, from_id, photo=stored, caption=str(caption) if caption else None,
                forward_origin=fields.get("forward_origin"),
            )
            return {**result, "file_id": stored.file_id}

        return await self._control(run())

    async def _c_file(self, request: web.Request) -> web.StreamResponse:
        stored = self.files.get(request.match_info["file_id"])
        if stored is None:
            return web.json_response({"ok": False, "error": "unknown file_id"}, status=404)
        disposition = "inline" if request.query.get("inline") else "attachment"
        quoted = urllib.parse.quote(stored.file_name, safe="")
        return web.Response(
            body=stored.content,
            content_type=stored.mime_type,
            headers={"Content-Disposition": f"{disposition}; filename*=UTF-8''{quoted}"},
        )

    async def _c_calls(self, request: web.Request) -> web.Response:
        async def run() -> list[Json]:
            return self.calls(self._int_field(request.query, "since", 0))

        return await self._control(run())

    def add_fault(
        self,
        method: str,
        mode: str,
        count: int = 1,
        retry_after: int | None = None,
        hold: float | None = None,
    ) -> None:
        if mode not in ("429", "500", "502", "403", "400", "timeout"):
            raise ControlError(f"unknown fault mode {mode!r}")
        key = method.lower()
        if self.spec is not None and not self.spec.has_method(key):
            raise ControlError(f"unknown method {method!r}")
        self._faults.setdefault(key, []).extend(
            Fault(mode, retry_after, hold) for _ in range(max(0, count))
        )

    async def _c_fault(self, request: web.Request) -> web.Response:
        async def run() -> Json:
            body = await self._body(request)
            ra = body.get("retry_after")
            hold = body.get("hold")
            self.add_fault(
                str(body.get("method") or ""),
                str(body.get("mode") or ""),
                self._int_field(body, "count", 1),
                int(ra) if ra is not None else None,
                float(hold) if hold is not None else None,
            )
            return {"ok": True, "pending": {k: len(v) for k, v in self._faults.items() if v}}

        return await self._control(run())

    async def _c_clear_faults(self, _request: web.Request) -> web.Response:
        async def run() -> Json:
            self._faults.clear()
            return {"ok": True}

        return await self._control(run())

    async def _c_reset_limits(self, request: web.Request) -> web.Response:
        async def run() -> Json:
            body = await self._body(request)
            if "enforce" in body:
                self.enforce_limits = bool(body["enforce"])
            for key in RateLimits.__dataclass_fields__:
                if key in body:
                    setattr(self.limits, key, float(body[key]))
            self.reset_limits()
            return {"ok": True, "enforce": self.enforce_limits, **self.limits.__dict__}

        return await self._control(run())

    async def _c_commands(self, request: web.Request) -> web.Response:
        async def run() -> list[Json]:
            q = request.query
            chat_id = self._int_field(q, "chat_id")
            user_id = self._int_field(q, "user_id", chat_id)
            return self.menu_for(chat_id, user_id, q.get("language_code") or None)

        return await self._control(run())

    async def _c_info(self, _request: web.Request) -> web.Response:
        async def run() -> Json:
            return {
                "bot": self._bot_user(),
                "spec_version": self.spec.version if self.spec else None,
                "enforce_limits": self.enforce_limits,
                "pending_updates": len(self._updates),
                "webhook": (self._webhook or {}).get("url"),
            }

        return await self._control(run())


def _dumps(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False)
