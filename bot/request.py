"""Bot API calls without files go as a JSON body (through httpx, or aiohttp where chosen);
calls with files keep PTB's httpx multipart form.

Two costs of PTB's own transport showed in the profiles of /help and of a booking:
- PTB posts every call as `application/x-www-form-urlencoded`, and httpx percent-encodes each value
  byte by byte in Python (`urllib.parse.quote`), three escapes per Chinese character: 0.9 ms a
  /help reply. The Bot API takes `application/json` for every call without files, and
  `json.dumps` does the same in C.
- httpx itself (httpcore, h11, anyio) costs about 1 ms more per call than aiohttp's client on
  this machine (`bench/bench_transport.py`: the same JSON call to the same local server), and a
  booking makes three calls (the card, the answer to the press, the edit). aiohttp is already
  the project's web server and feed client.
  aiohttp is the default (`OFFICEBOT_BOT_API_CLIENT=httpx` posts the same JSON through PTB's
  httpx client); the end-to-end harness waits for each update's end, so a check of a card right
  after a button's answer (the handler answers, then edits) no longer races the edit.
The proxy of the environment (HTTPS_PROXY, NO_PROXY) is looked up once per server: aiohttp's
own `trust_env` looks it up, and reads ~/.netrc, in a worker thread on every call (two thread
hops a call, about a tenth of a booking's CPU in the bench's profile).
Files (documents, charts) are rare and keep PTB's multipart form through httpx. The errors are
PTB's own (`TimedOut`, `NetworkError`), so callers see no difference. PTB has no option for
either, so this is a small `HTTPXRequest` subclass of our own.
"""

from __future__ import annotations

import asyncio
import json

import aiohttp
import httpx
from aiohttp.helpers import BasicAuth, get_env_proxy_for_url
from telegram._utils.defaultvalue import DEFAULT_NONE, DefaultValue
from telegram._utils.types import ODVInput
from telegram.error import NetworkError, TimedOut
from telegram.request import HTTPXRequest, RequestData
from yarl import URL

_JSON_HEADERS = {"User-Agent": HTTPXRequest.USER_AGENT, "Content-Type": "application/json"}


class JsonRequest(HTTPXRequest):
    """PTB's transport, posting JSON bodies where there is no file: through httpx, or through
    aiohttp with `client="aiohttp"`."""

    __slots__ = ("_aiohttp", "_pool_size", "_proxies", "_session")

    def __init__(self, connection_pool_size: int = 256, client: str = "httpx",
                 **kwargs: object) -> None:
        super().__init__(connection_pool_size=connection_pool_size, **kwargs)  # type: ignore[arg-type]
        self._aiohttp = client == "aiohttp"
        self._pool_size = connection_pool_size
        self._session: aiohttp.ClientSession | None = None
        #: The proxy (and its login) of each server called, from the environment.
        self._proxies: dict[str, tuple[URL | None, BasicAuth | None]] = {}

    def _open_session(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            # Made inside the running loop (aiohttp binds a session to it). No cookies (the
            # Bot API sets none). The proxy is `_proxy`'s, not aiohttp's `trust_env`.
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._pool_size),
                cookie_jar=aiohttp.DummyCookieJar())
            self._proxies.clear()
        return self._session

    async def _proxy(self, url: str) -> tuple[URL | None, BasicAuth | None]:
        """The proxy from the environment (HTTPS_PROXY, HTTP_PROXY, NO_PROXY, a proxy login
        in ~/.netrc) for this URL's server, as PTB's httpx client takes it, for an office that
        reaches Telegram through one; looked up once per server, in a worker thread."""
        target = URL(url)
        origin = f"{target.scheme}://{target.host}:{target.port}"
        known = self._proxies.get(origin)
        if known is None:
            try:
                known = await asyncio.to_thread(get_env_proxy_for_url, target)
            except LookupError:  # none set, or NO_PROXY names this server
                known = (None, None)
            self._proxies[origin] = known
        return known

    async def initialize(self) -> None:
        await super().initialize()
        if self._aiohttp:
            self._open_session()

    async def shutdown(self) -> None:
        session, self._session = self._session, None
        if session is not None and not session.closed:
            await session.close()
        await super().shutdown()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = DEFAULT_NONE,
        write_timeout: ODVInput[float] = DEFAULT_NONE,
        connect_timeout: ODVInput[float] = DEFAULT_NONE,
        pool_timeout: ODVInput[float] = DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        body = _json_body(request_data)
        if body is None or self._client.is_closed:
            return await super().do_request(url, method, request_data, read_timeout,
                                            write_timeout, connect_timeout, pool_timeout)
        defaults = self._client.timeout
        if not self._aiohttp:
            return await self._post_httpx(url, method, body, read_timeout, write_timeout,
                                          connect_timeout, pool_timeout)
        connect = _given(connect_timeout, defaults.connect)
        pool = _given(pool_timeout, defaults.pool)
        # aiohttp's `connect` is the wait for a pooled connection plus the connect itself;
        # it has no write timeout (a JSON call is one small write).
        timeout = aiohttp.ClientTimeout(
            total=None,
            connect=None if connect is None or pool is None else connect + pool,
            sock_connect=connect,
            sock_read=_given(read_timeout, defaults.read),
        )
        session = self._open_session()
        proxy, proxy_auth = await self._proxy(url)
        try:
            async with session.request(method, url, data=body, timeout=timeout,
                                       headers=_JSON_HEADERS, proxy=proxy,
                                       proxy_auth=proxy_auth) as res:
                return res.status, await res.read()
        # The errors PTB's own do_request raises, so callers see no difference.
        except TimeoutError as err:
            raise TimedOut from err
        except aiohttp.ClientError as err:
            raise NetworkError(f"aiohttp.{err.__class__.__name__}: {err}") from err

    async def _post_httpx(self, url: str, method: str, body: bytes,
                          read_timeout: ODVInput[float], write_timeout: ODVInput[float],
                          connect_timeout: ODVInput[float], pool_timeout: ODVInput[float],
                          ) -> tuple[int, bytes]:
        defaults = self._client.timeout
        timeout = httpx.Timeout(
            connect=_given(connect_timeout, defaults.connect),
            read=_given(read_timeout, defaults.read),
            write=_given(write_timeout, defaults.write),
            pool=_given(pool_timeout, defaults.pool),
        )
        try:
            res = await self._client.request(method=method, url=url, content=body,
                                             timeout=timeout, headers=_JSON_HEADERS)
        # The errors PTB's own do_request raises, so callers see no difference.
        except httpx.TimeoutException as err:
            if isinstance(err, httpx.PoolTimeout):
                raise TimedOut(message=(
                    "Pool timeout: All connections in the connection pool are occupied. "
                    "Request was *not* sent to Telegram. Consider adjusting the connection "
                    "pool size or the pool timeout.")) from err
            raise TimedOut from err
        except httpx.HTTPError as err:
            raise NetworkError(f"httpx.{err.__class__.__name__}: {err}") from err
        return res.status_code, res.content


def _given(value: ODVInput[float], default: float | None) -> float | None:
    return default if isinstance(value, DefaultValue) else value


def _json_body(request_data: RequestData | None) -> bytes | None:
    """The call's parameters as JSON, or None where a form must go (files, or a value JSON
    cannot carry)."""
    if request_data is None or request_data.contains_files:
        return None
    try:
        return json.dumps(request_data.parameters, ensure_ascii=False,
                          separators=(",", ":")).encode()
    except (TypeError, ValueError):
        return None
