"""An async client for the sandbox's control API (``/sandbox/...``)."""

from __future__ import annotations

import asyncio
import base64
from types import TracebackType
from typing import Any

import aiohttp

__all__ = ["SandboxClient", "SandboxControlError"]

Json = dict[str, Any]


class SandboxControlError(RuntimeError):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"sandbox answered {status}: {message}")
        self.status = status
        self.message = message


class SandboxClient:
    """``async with SandboxClient("http://127.0.0.1:PORT") as c: await c.add_user(...)``."""

    def __init__(self, base_url: str, *, timeout: float = 30.0) -> None:
        self.base_url = base_url.rstrip("/")
        self._timeout = timeout
        self._session: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> SandboxClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    def _http(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=self._timeout)
            )
        return self._session

    async def _request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: dict[str, Any] | None = None,
        data: Any = None,
        http_timeout: float | None = None,
    ) -> Any:
        clean = {k: str(v) for k, v in (params or {}).items() if v is not None}
        kwargs: dict[str, Any] = {"params": clean}
        if json is not None:
            kwargs["json"] = json
        if data is not None:
            kwargs["data"] = data
        if http_timeout is not None:
            kwargs["timeout"] = aiohttp.ClientTimeout(total=http_timeout)
        async with self._http().request(method, self.base_url + path, **kwargs) as resp:
            if resp.content_type == "application/json":
                body = await resp.json()
            else:
                body = await resp.read()
            if resp.status >= 400:
                message = body.get("error", body) if isinstance(body, dict) else body
                raise SandboxControlError(resp.status, str(message))
            return body

    # -- roster ------------------------------------------------------------------------------

    async def add_user(
        self,
        id: int,
        first_name: str,
        username: str | None = None,
        language_code: str | None = "zh-hans",
        started: bool = False,
    ) -> Json:
        body = {
            "id": id,
            "first_name": first_name,
            "username": username,
            "language_code": language_code,
            "started": started,
        }
        return await self._request("POST", "/sandbox/users", json=body)  # type: ignore[no-any-return]

    async def add_chat(
        self,
        id: int,
        type: str,
        title: str | None = None,
        members: list[int] | None = None,
        admins: list[int] | None = None,
    ) -> Json:
        body = {"id": id, "type": type, "title": title, "members": list(members or [])}
        if admins:
            body["admins"] = list(admins)
        return await self._request("POST", "/sandbox/chats", json=body)  # type: ignore[no-any-return]

    async def users(self) -> list[Json]:
        return await self._request("GET", "/sandbox/users")  # type: ignore[no-any-return]

    async def chats(self, user_id: int | None = None) -> list[Json]:
        return await self._request(  # type: ignore[no-any-return]
            "GET", "/sandbox/chats", params={"user_id": user_id}
        )

    # -- acting as users ---------------------------------------------------------------------

    async def send_message(
        self, chat_id: int, from_id: int, text: str, reply_to_message_id: int | None = None,
        forward_origin: Json | None = None,
    ) -> Json:
        """Send as the user; with ``forward_origin`` (a MessageOrigin) it arrives forwarded."""
        body: Json = {"chat_id": chat_id, "from_id": from_id, "text": text}
        if reply_to_message_id is not None:
            body["reply_to_message_id"] = reply_to_message_id
        if forward_origin is not None:
            body["forward_origin"] = forward_origin
        return await self._request("POST", "/sandbox/messages", json=body)  # type: ignore[no-any-return]

    async def press(
        self,
        chat_id: int,
        from_id: int,
        message_id: int,
        data: str | None = None,
        button: str | None = None,
    ) -> Json:
        """Press an inline button (by callback ``data`` or by its ``button`` text).

        Returns ``{"update_id", "callback_query_id", "answer", ...}``; ``answer`` is the text the
        bot gave in answerCallbackQuery (None if it answered without text or not within 5 s).
        """
        body: Json = {"chat_id": chat_id, "from_id": from_id, "message_id": message_id}
        if data is not None:
            body["data"] = data
        elif button is not None:
            body["button"] = button
        else:
            raise ValueError("give data or button")
        return await self._request("POST", "/sandbox/callbacks", json=body)  # type: ignore[no-any-return]

    async def send_document(
        self,
        chat_id: int,
        from_id: int,
        file_name: str,
        content: bytes,
        caption: str | None = None,
    ) -> Json:
        body: Json = {
            "chat_id": chat_id,
            "from_id": from_id,
            "file_name": file_name,
            "content_base64": base64.b64encode(content).decode("ascii"),
        }
        if caption is not None:
            body["caption"] = caption
        return await self._request("POST", "/sandbox/documents", json=body)  # type: ignore[no-any-return]

    async def send_photo(
        self,
        chat_id: int,
        from_id: int,
        content: bytes,
        caption: str | None = None,
        forward_origin: Json | None = None,
    ) -> Json:
        """Send a photo as the user; with ``forward_origin`` it arrives forwarded."""
        body: Json = {
            "chat_id": chat_id,
            "from_id": from_id,
            "content_base64": base64.b64encode(content).decode("ascii"),
        }
        if caption is not None:
            body["caption"] = caption
        if forward_origin is not None:
            body["forward_origin"] = forward_origin
        return await self._request("POST", "/sandbox/photos", json=body)  # type: ignore[no-any-return]

    # -- observing ---------------------------------------------------------------------------

    async def messages(self, chat_id: int, after: int = 0, wait: float = 0) -> list[Json]:
        return await self._request(  # type: ignore[no-any-return]
            "GET",
            "/sandbox/messages",
            params={"chat_id": chat_id, "after": after, "wait": wait},
            http_timeout=max(self._timeout, wait + 10),
        )

    async def wait_for_bot_message(
        self,
        chat_id: int,
        after: int = 0,
        timeout: float = 5.0,
        contains: str | None = None,
    ) -> Json:
        """The first bot message with ``message_id > after`` whose text/caption has ``contains``.

        Messages are seen in their current state, so a message edited to match also counts.
        Raises AssertionError listing the chat's messages if none matches within ``timeout``.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        cursor = after
        while True:
            msgs = await self.messages(chat_id, after=after)
            for m in msgs:
                if m["from"]["is_bot"] and _matches(m, contains):
                    return m
            if msgs:
                cursor = max(cursor, max(m["message_id"] for m in msgs))
            remaining = deadline - loop.time()
            if remaining <= 0:
                break
            # wakes on a new bot message; short slices also catch edits of older ones
            await self.messages(chat_id, after=cursor, wait=min(remaining, 0.5))
        shown = "\n".join(
            f"  #{m['message_id']} {'bot' if m['from']['is_bot'] else m['from']['id']}: "
            f"{(m.get('text') or m.get('caption') or _kind(m))!r}"
            for m in await self.messages(chat_id)
        )
        want = f" containing {contains!r}" if contains is not None else ""
        raise AssertionError(
            f"no bot message{want} after #{after} in chat {chat_id} within {timeout} s; "
            f"the chat holds:\n{shown or '  (nothing)'}"
        )

    async def file_bytes(self, file_id: str) -> bytes:
        return await self._request("GET", f"/sandbox/files/{file_id}")  # type: ignore[no-any-return]

    async def calls(self, since: int = 0) -> list[Json]:
        return await self._request(  # type: ignore[no-any-return]
            "GET", "/sandbox/calls", params={"since": since}
        )

    async def commands(
        self, chat_id: int, user_id: int | None = None, language_code: str | None = None
    ) -> list[Json]:
        return await self._request(  # type: ignore[no-any-return]
            "GET",
            "/sandbox/commands",
            params={"chat_id": chat_id, "user_id": user_id, "language_code": language_code},
        )

    # -- faults and limits -------------------------------------------------------------------

    async def fault(
        self,
        method: str,
        mode: str | int,
        count: int = 1,
        retry_after: int | None = None,
        hold: float | None = None,
    ) -> Json:
        body: Json = {"method": method, "mode": str(mode), "count": count}
        if retry_after is not None:
            body["retry_after"] = retry_after
        if hold is not None:
            body["hold"] = hold
        return await self._request("POST", "/sandbox/faults", json=body)  # type: ignore[no-any-return]

    async def clear_faults(self) -> Json:
        return await self._request("DELETE", "/sandbox/faults")  # type: ignore[no-any-return]

    async def reset_limits(self, **changes: Any) -> Json:
        return await self._request("POST", "/sandbox/reset-limits", json=changes)  # type: ignore[no-any-return]


def _matches(message: Json, contains: str | None) -> bool:
    if contains is None:
        return True
    return contains in (message.get("text") or "") or contains in (message.get("caption") or "")


def _kind(message: Json) -> str:
    if "document" in message:
        return f"[document {message['document'].get('file_name')}]"
    if "photo" in message:
        return "[photo]"
    return "[?]"
