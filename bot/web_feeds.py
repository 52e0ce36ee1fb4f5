"""Calendar feeds on the web server: /feeds/rooms/<token>.ics, /feeds/people/<token>.ics."""

from __future__ import annotations

from aiohttp import web

from bot.web import ROUTE_HOOKS
from services import clock
from services.errors import NotFound
from services.rooms import schedule


async def room_feed(request: web.Request) -> web.Response:
    return await _serve(request, schedule.room_feed)


async def person_feed(request: web.Request) -> web.Response:
    return await _serve(request, schedule.person_feed)


async def _serve(request: web.Request, build: object) -> web.Response:
    token = request.match_info["token"]
    try:
        body = await build(token, clock.now())  # type: ignore[operator]
    except NotFound:
        return web.Response(status=404, text="unknown feed\n")
    # The address is the secret: keep it out of search engines and other sites' logs.
    return web.Response(body=body, content_type="text/calendar", charset="utf-8",
                        headers={"Cache-Control": "no-cache", "X-Robots-Tag": "noindex",
                                 "Referrer-Policy": "no-referrer"})


def add_routes(app: web.Application) -> None:
    app.router.add_get(r"/feeds/rooms/{token:[A-Za-z0-9_\-]+}.ics", room_feed)
    app.router.add_get(r"/feeds/people/{token:[A-Za-z0-9_\-]+}.ics", person_feed)


if add_routes not in ROUTE_HOOKS:
    ROUTE_HOOKS.append(add_routes)
