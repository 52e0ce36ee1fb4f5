"""Calendar feeds do not leak (issue 22, part 6).

The personal feed address is sent in private only; a deactivated person's feed answers 404;
`/mybookings 订阅 重置` (`/mybookings feed reset`) makes a new address and the old one answers
404; a malformed, over-long or unknown token answers 404 on the room and person feeds alike.
"""

from __future__ import annotations

import re
from urllib.parse import quote

import aiohttp
from icalendar import Calendar

from models.core import Role
from models.rooms import PersonFeed, Room
from services.rooms.demo import seed_demo
from tests.e2e.conftest import Env

GROUP = -2001
PERSON_URL = re.compile(r"http://\S+/feeds/people/([A-Za-z0-9_-]+)\.ics")


async def fetch(url: str, method: str = "GET") -> tuple[int, bytes]:
    async with aiohttp.ClientSession() as http, http.request(method, url) as response:
        return response.status, await response.read()


async def book(env: Env, user: int, text: str) -> None:
    card = await env.say(user, f"/book {text}")
    await env.press(user, card, button="✅ 确认预订")


def events(body: bytes) -> list[str]:
    return [str(e["summary"]) for e in Calendar.from_ical(body).walk("VEVENT")]


async def people(env: Env) -> None:
    await seed_demo()
    await env.person(1001, "王管理", Role.ADMIN, "党政办")
    await env.person(1004, "刘工", Role.STAFF, "规划建设局")
    await env.person(1005, "Mr Chen", Role.STAFF, "规划建设局", lang="en")
    await env.group(GROUP, "党政办工作群", [1001, 1004, 1005])
    await book(env, 1004, "明天上午10点到11点 1号会议室 周例会")


async def test_mybookings_in_a_group_never_posts_the_feed_address(env: Env) -> None:
    await people(env)
    in_group = await env.say(1004, "/mybookings", chat_id=GROUP)
    assert "周例会" in in_group["text"]
    assert "/feeds/" not in in_group["text"] and "私聊" in in_group["text"]
    asked = await env.say(1004, "/mybookings 订阅", chat_id=GROUP)
    assert "/feeds/" not in asked["text"] and "私聊我发送 /mybookings 订阅" in asked["text"]
    english = await env.say(1005, "/mybookings feed", chat_id=GROUP)
    assert "/feeds/" not in english["text"] and "private" in english["text"]

    private = await env.say(1004, "/mybookings")
    url = PERSON_URL.search(private["text"])
    assert url and "周例会" in private["text"]
    token = url[1]
    status, body = await fetch(url[0])
    assert status == 200 and events(body) == ["周例会"]
    shown = await env.say(1004, "/mybookings 订阅")
    assert f"/feeds/people/{token}.ics" in shown["text"] and "重置" in shown["text"]
    # Whatever reached the group, no token did (messages as shown, and every Bot API call).
    for message in await env.client.messages(GROUP):
        assert token not in str(message)
    for call in await env.client.calls():
        if str(call["params"].get("chat_id")) == str(GROUP):
            assert "/feeds/people/" not in str(call["params"]), call


async def test_a_deactivated_persons_feed_answers_404(env: Env) -> None:
    await people(env)
    url = PERSON_URL.search((await env.say(1004, "/mybookings 订阅"))["text"])[0]
    assert (await fetch(url))[0] == 200
    liu = env.users[1004]
    card = await env.say(1001, f"/staff {liu.id}")
    await env.press(1001, card, button="停用")
    await liu.refresh_from_db()
    assert liu.active is False
    assert (await fetch(url))[0] == 404
    assert (await fetch(url, "HEAD"))[0] == 404
    # The rooms' feeds and the other people's are untouched.
    chen_url = PERSON_URL.search((await env.say(1005, "/mybookings feed"))["text"])[0]
    assert (await fetch(chen_url))[0] == 200


async def test_resetting_the_feed_makes_the_old_address_404(env: Env) -> None:
    await people(env)
    old = PERSON_URL.search((await env.say(1004, "/mybookings 订阅"))["text"])
    assert (await fetch(old[0]))[0] == 200

    reset = await env.say(1004, "/mybookings 订阅 重置")
    new = PERSON_URL.search(reset["text"])
    assert new and new[1] != old[1] and "旧地址已失效" in reset["text"]
    assert (await fetch(old[0]))[0] == 404
    status, body = await fetch(new[0])
    assert status == 200 and events(body) == ["周例会"]
    assert await PersonFeed.filter(token=old[1]).count() == 0

    # Typed as one word, and in English: the same.
    again = PERSON_URL.search((await env.say(1004, "/mybookings 订阅重置"))["text"])
    assert again[1] != new[1] and (await fetch(new[0]))[0] == 404
    chen = PERSON_URL.search((await env.say(1005, "/mybookings feed"))["text"])
    chen_reset = await env.say(1005, "/mybookings feed reset")
    assert "no longer works" in chen_reset["text"]
    chen_new = PERSON_URL.search(chen_reset["text"])
    assert chen_new[1] != chen[1] and (await fetch(chen[0]))[0] == 404
    assert (await fetch(chen_new[0]))[0] == 200

    # Someone who sees their address leaked in the group resets it there: done at once, and
    # the new address is not posted.
    in_group = await env.say(1004, "/mybookings 订阅 重置", chat_id=GROUP)
    assert "/feeds/" not in in_group["text"] and "旧地址已失效" in in_group["text"]
    assert (await fetch(again[0]))[0] == 404
    latest = PERSON_URL.search((await env.say(1004, "/mybookings 订阅"))["text"])
    assert latest[1] not in (old[1], new[1], again[1])
    assert (await fetch(latest[0]))[0] == 200


#: Tokens no feed has; each must answer 404 on both feeds (percent-encoded where needed).
MALFORMED = [
    "x", "a" * 15, "a" * 47, "a" * 48, "a" * 49, "a" * 200, "a" * 4000, "a" * 7000,
    "%00", "%00" * 20, "a" * 20 + "%00", "%ff%fe", "%ED%A0%80" * 6, quote("🙂" * 10),
    quote("' OR '1'='1' --"), quote("%' OR token LIKE '%"), "%25" * 20, "_" * 20, "-" * 20,
    "..%2F..%2F..%2Fetc%2Fpasswd", "%2e%2e%2f" * 6, quote("<script>alert(1)</script>"),
    quote("\u202e" * 20), "+" * 20, "%20" * 20, "%0d%0aSet-Cookie:x=1",
]


async def test_malformed_and_unknown_tokens_answer_404_on_both_feeds(env: Env) -> None:
    await people(env)
    person_token = PERSON_URL.search((await env.say(1004, "/mybookings 订阅"))["text"])[1]
    room = await Room.get(name="1号会议室")
    base = f"http://127.0.0.1:{env.runtime.web_port}/feeds"
    assert (await fetch(f"{base}/rooms/{room.feed_token}.ics"))[0] == 200
    assert (await fetch(f"{base}/people/{person_token}.ics"))[0] == 200

    near_misses = [
        person_token.upper() if person_token.upper() != person_token else person_token.lower(),
        person_token + "x", person_token[:-1], person_token + "%20", "%20" + person_token,
        person_token + "%00", room.feed_token,  # a room's token is no person's
    ]
    for kind, tokens in (("people", MALFORMED + near_misses),
                         ("rooms", [*MALFORMED, person_token, room.feed_token + "x"])):
        for token in tokens:
            for method in ("GET", "HEAD"):
                status, body = await fetch(f"{base}/{kind}/{token}.ics", method)
                assert status == 404, (kind, token[:60], status, body[:200])
    # Longer than the HTTP server reads in a request line: refused before any route, not 500.
    status, _ = await fetch(f"{base}/people/{'a' * 9000}.ics")
    assert 400 <= status < 500
