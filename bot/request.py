"""Bot API calls without files go as a JSON body, not as a form.

PTB posts every call as `application/x-www-form-urlencoded`: httpx percent-encodes each value
byte by byte in Python (`urllib.parse.quote`), three escapes per Chinese character. In the
profile of /help that was the largest cost of the bot's own: 0.9 ms a reply for the help text
and its keyboard, more than the reply's database work. The Bot API takes `application/json` for
every call without files, and `json.dumps` does the same in C. Calls with files (documents,
charts) keep PTB's multipart form.
"""

from __future__ import annotations

import json

import httpx
from telegram._utils.defaultvalue import DEFAULT_NONE, DefaultValue
from telegram._utils.types import ODVInput
from telegram.error import NetworkError, TimedOut
from telegram.request import HTTPXRequest, RequestData


class JsonRequest(HTTPXRequest):
    """PTB's httpx transport, posting JSON bodies where there is no file."""

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
        timeout = httpx.Timeout(
            connect=_given(connect_timeout, defaults.connect),
            read=_given(read_timeout, defaults.read),
            write=_given(write_timeout, defaults.write),
            pool=_given(pool_timeout, defaults.pool),
        )
        try:
            res = await self._client.request(
                method=method, url=url, content=body, timeout=timeout,
                headers={"User-Agent": self.USER_AGENT, "Content-Type": "application/json"},
            )
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
