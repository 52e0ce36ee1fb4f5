"""The opinion ingest API judges each item on its own and never answers 500 (issue 22, part 5).

Hostile items (extreme or unreadable dates, lone surrogates, NUL and other control characters,
missing, empty, over-long and wrongly typed fields) are refused one by one with their reason,
or stored cleaned; the rest of the batch is kept. Hostile bodies get a clear 4xx.
"""

from __future__ import annotations

import asyncio
import json
import random
import unicodedata
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.app import Runtime
from models.opinion import OpinionItem, OpinionSource
from sandbox.server import Sandbox
from services.clock import FixedClock
from services.errors import DomainError
from services.opinion import pipeline
from services.opinion.cleaning import clean_item_text
from services.opinion.sources import parse_feed
from tests.conftest import OFFICE_NOW
from tests.e2e.conftest import start_env

TOKEN = "s3cret-ingest-token"
#: Characters that must never reach the database: C0/C1 controls but tab and newline, DEL,
#: lone surrogates, the byte-order mark and the two non-characters.
UNSAFE = {chr(c) for c in [*range(0x00, 0x09), *range(0x0B, 0x20), *range(0x7F, 0xA0),
                           *range(0xD800, 0xE000), 0xFEFF, 0xFFFE, 0xFFFF]}


@pytest.fixture
async def api(fixed_clock: FixedClock, db: str, sandbox: Sandbox) -> AsyncIterator[Runtime]:
    runtime = await start_env(db, sandbox, ingest_token=TOKEN)
    try:
        yield runtime
    finally:
        await runtime.stop()


def url_of(runtime: Runtime) -> str:
    return f"http://127.0.0.1:{runtime.web_port}/api/opinion/items"


async def post(runtime: Runtime, body: Any = None, *, raw: bytes | None = None,
               headers: dict[str, str] | None = None) -> tuple[int, Any]:
    """POST a batch; `body` is sent as JSON with every non-ASCII character escaped, so that
    lone surrogates and NUL travel as JSON escapes exactly as a careless client sends them."""
    data = raw if raw is not None else json.dumps(body).encode()
    sent = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}
    sent.update(headers or {})
    async with aiohttp.ClientSession() as session, session.post(
            url_of(runtime), data=data, headers=sent) as response:
        text = await response.text()
        try:
            return response.status, json.loads(text)
        except ValueError:
            return response.status, text


def ok(n: int, **fields: Any) -> dict[str, Any]:
    """A good item with its own link."""
    return {"url": f"https://news.example.org/p/{n}", "source": "本地论坛",
            "title": f"绿谷园区第{n}条消息", **fields}


# Each hostile item and the reason it must be refused with (the per-item answer's `reason`).
REFUSED: list[tuple[dict[str, Any] | Any, str]] = [
    (ok(101, published="0001-01-01T00:00:00"), "published_out_of_range"),
    (ok(102, published="9999-12-31T23:59:59+14:00"), "published_out_of_range"),
    (ok(103, published="1899-12-31T23:59:59"), "published_out_of_range"),
    (ok(104, published=-1e10), "published_out_of_range"),
    (ok(105, published=1e20), "bad_published"),
    (ok(106, published=10**45), "bad_published"),
    (ok(107, published="2026-13-01"), "bad_published"),
    (ok(108, published=["2026-11-26"]), "bad_published"),
    (ok(109, published="\ud800"), "bad_published"),
    (ok(110, published=True), "bad_published"),
    (ok(111, published="2031-01-01T00:00:00+08:00"), "future"),
    (ok(112, title="\ud800"), "empty"),
    (ok(113, title="\x00\x01\x07\x1b"), "empty"),
    (ok(114, title="\u200b\u200d\ufeff"), "empty"),
    (ok(115, title=" \t\r\n "), "empty"),
    (ok(116, title=5), "not_text"),
    (ok(117, text=["正文"]), "not_text"),
    (ok(118, source={"name": "微博"}), "not_text"),
    (ok(119, url=404), "not_text"),
    (ok(120, source=None), "bad_source"),
    (ok(121, source="\x00\x00"), "bad_source"),
    (ok(122, source="长" * 129), "bad_source"),
    (ok(123, title="标" * 20_001), "too_long"),
    (ok(124, text="字" * 20_001), "too_long"),
    (ok(125, url="http://["), "bad_url"),
    (ok(126, url="javascript:alert(1)"), "bad_url"),
    (ok(127, url="http://a b.example.org/x"), "bad_url"),
    (ok(128, url="https://x.org/" + "a" * 1000), "bad_url"),
    ({"external_id": True, "title": "t", "source": "s"}, "bad_external_id"),
    ({"external_id": {"k": 1}, "title": "t", "source": "s"}, "bad_external_id"),
    ({"external_id": "e" * 129, "title": "t", "source": "s"}, "bad_external_id"),
    ({"external_id": "\x00", "title": "t", "source": "s"}, "bad_external_id"),
    ({"external_id": 10**45, "title": "t", "source": "s"}, "bad_external_id"),
    ({"title": "没有链接也没有编号", "source": "s"}, "no_id"),
    ({}, "empty"),
    ("一条文字", "not_object"),
    (42, "not_object"),
    (None, "not_object"),
    ([ok(129)], "not_object"),
]


async def test_batch_keeps_good_items_and_names_each_bad_ones_reason(api: Runtime) -> None:
    good = [
        # NUL, BEL and ESC dropped from a title; the rest of it kept.
        ok(1, title="绿谷园区\x00通报\x07会议\x1b"),
        # Word's vertical tab and CR LF become line breaks; a lone surrogate is dropped.
        ok(2, text="第一段\x0b第二段\r\n第三段\ud83d结尾"),
        # Decomposed accents become one character each (NFC).
        ok(3, title="Cafe\u0301 绿谷"),
        # A time without a zone is the office's; 1900 and an hour ahead are dates.
        ok(4, published="2026-11-26 08:00"),
        ok(5, published="1900-01-01T00:00:00+08:00"),
        ok(6, published="2026-11-26T11:00:00+08:00"),
        # A long title is cut to 300 characters (the text keeps it all).
        ok(7, title="长" * 400, text="正文"),
        # Right-to-left text and emoji are text like any other.
        ok(8, title="\u202eمرحبا 👩‍💻 绿谷"),
        {"external_id": 9, "title": "编号为数字", "source": "微信公众号"},
    ]
    batch: list[Any] = []
    expected: list[tuple[str, str | None]] = []
    for i, (item, reason) in enumerate(REFUSED):
        if i < len(good):
            batch.append(good[i])
            expected.append(("created", None))
        batch.append(item)
        expected.append(("refused", reason))
    status, answer = await post(api, batch)
    assert status == 200, answer
    got = [(r["status"], r.get("reason")) for r in answer["results"]]
    assert got == expected
    assert (answer["created"], answer["refused"], answer["failed"]) == (
        len(good), len(REFUSED), 0)
    for result in answer["results"]:
        if result["status"] == "refused":
            assert result["message"] and not result["message"].startswith("opinion.")
    too_long = [r for r in answer["results"] if r.get("reason") == "too_long"]
    assert [r["field"] for r in too_long] == ["title", "text"]

    rows = {i.url or i.external_id: i for i in await OpinionItem.all()}
    assert len(rows) == len(good)
    first = rows["https://news.example.org/p/1"]
    assert first.title == "绿谷园区通报会议"
    assert rows["https://news.example.org/p/2"].text == "第一段\n第二段\n第三段结尾"
    assert rows["https://news.example.org/p/3"].title == "Café 绿谷"
    assert rows["https://news.example.org/p/4"].published_at == OFFICE_NOW.replace(hour=0)
    assert rows["https://news.example.org/p/5"].published_at.year in (1899, 1900)
    assert rows["https://news.example.org/p/7"].title == "长" * 300
    assert rows["9"].source_name == "微信公众号"
    for row in rows.values():
        for value in (row.title, row.text, row.source_name, row.url, row.external_id or ""):
            assert not UNSAFE & set(value), value
            assert unicodedata.is_normalized("NFC", value)
    cleaned = {r["index"]: r.get("cleaned") for r in answer["results"]
               if r["status"] == "created"}
    assert cleaned[batch.index(good[0])] == ["title"]
    assert cleaned[batch.index(good[1])] == ["text"]
    assert cleaned[batch.index(good[6])] == ["title"]
    assert cleaned[batch.index(good[3])] is None

    # The same batch again: the good ones are duplicates now, the bad ones refused again.
    status, again = await post(api, batch)
    assert status == 200
    assert [r["status"] for r in again["results"]] == [
        "duplicate" if s == "created" else s for s, _ in expected]
    assert await OpinionItem.all().count() == len(good)


# What a careless or hostile client sends as a whole body, and the status it must get.
BAD_BODIES: list[tuple[str, bytes, dict[str, str], int]] = [
    ("not JSON", b"{items: [", {}, 400),
    ("truncated", b'[{"title": "t"', {}, 400),
    ("empty", b"", {}, 400),
    ("a string", b'"items"', {}, 400),
    ("a number", b"42", {}, 400),
    ("null", b"null", {}, 400),
    ("an empty list", b"[]", {}, 400),
    ("an object without items", b'{"title": "t"}', {}, 400),
    ("items that are no list", b'{"items": "t"}', {}, 400),
    ("a 5,000-digit number", b"9" * 5000, {}, 400),
    ("nested 100,000 deep", b"[" * 100_000 + b"]" * 100_000, {}, 400),
    ("not UTF-8", b'[{"title": "\xff\xfe\xfa"}]', {}, 400),
    ("a charset no one knows", b"[]", {"Content-Type": "application/json; charset=klingon"},
     400),
    ("NaN and Infinity", b'[{"title": NaN, "published": Infinity, "source": "s"}]', {}, 200),
    ("501 items", json.dumps([ok(i) for i in range(501)]).encode(), {}, 413),
    ("9 MB", b"[" + b'"x",' * (9 * 1024 * 1024 // 4) + b'"x"]', {}, 413),
    ("no token", b"[]", {"Authorization": ""}, 401),
    ("a wrong token", b"[]", {"Authorization": "Bearer nope"}, 401),
    ("a token in another scheme", b"[]", {"Authorization": f"Basic {TOKEN}"}, 401),
]


async def test_hostile_bodies_get_a_clear_4xx_and_never_500(api: Runtime) -> None:
    for name, raw, headers, expected in BAD_BODIES:
        status, answer = await post(api, raw=raw, headers=headers)
        assert status == expected, (name, status, answer)
        if status >= 400:
            assert isinstance(answer, dict) and answer["ok"] is False and answer["error"], name
    assert await OpinionItem.all().count() == 0
    # A body sent in chunks without a length is cut off at the same limit.

    async def chunks() -> AsyncIterator[bytes]:
        yield b"["
        for _ in range(9 * 1024):
            yield b'"' + b"x" * 1022 + b'",'
        yield b'"x"]'

    async with aiohttp.ClientSession() as session, session.post(
            url_of(api), data=chunks(), headers={"Authorization": f"Bearer {TOKEN}"}) as resp:
        assert resp.status == 413
        assert "MB" in (await resp.json())["error"]
    # Raw bytes in the Authorization header that are no UTF-8 (no client library sends them).
    assert await raw_request(api, b"Authorization: Bearer \xff\xfe\r\n") == 401


async def raw_request(runtime: Runtime, header: bytes) -> int:
    reader, writer = await asyncio.open_connection("127.0.0.1", runtime.web_port)
    body = b"[]"
    writer.write(b"POST /api/opinion/items HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                 + header + b"Content-Type: application/json\r\nContent-Length: "
                 + str(len(body)).encode() + b"\r\n\r\n" + body)
    await writer.drain()
    status_line = await reader.readline()
    writer.close()
    await writer.wait_closed()
    return int(status_line.split()[1])


async def test_an_item_the_database_refuses_costs_only_itself(
        api: Runtime, monkeypatch: pytest.MonkeyPatch) -> None:
    real_store = pipeline._store

    async def flaky_store(candidate: pipeline.Candidate, *args: Any) -> None:
        await real_store(candidate, *args)
        if "坏" in candidate.title:  # after the row is written: the whole item rolls back
            raise RuntimeError("the database went away")

    monkeypatch.setattr(pipeline, "_store", flaky_store)
    batch = [ok(1), ok(2, title="绿谷园区坏消息"), ok(3)]
    status, answer = await post(api, batch)
    assert status == 503, answer  # try again later
    assert [r["status"] for r in answer["results"]] == ["created", "failed", "created"]
    assert answer["results"][1]["reason"] == "not_stored"
    assert "again" in answer["results"][1]["message"]
    assert sorted(await OpinionItem.all().values_list("url", flat=True)) == [
        "https://news.example.org/p/1", "https://news.example.org/p/3"]

    monkeypatch.setattr(pipeline, "_store", real_store)
    status, answer = await post(api, batch)
    assert status == 200
    assert [r["status"] for r in answer["results"]] == ["duplicate", "created", "duplicate"]


#: Atoms a generated hostile item is made of.
HOSTILE_TEXT = ["", " ", "\x00", "\x07", "\x0b", "\x1b[31m", "\x7f", "\x85", "\u2028",
                "\ud800", "\udfff", "\ufeff", "\u200b", "\u202e", "<b>", "&amp;",
                "<script>alert(1)</script>", "'; DROP TABLE opinion_item; --", "%s%n",
                "{title}", "\\u0000", "e\u0301", "２０２６", "👩‍💻", "ﷺ", "𠮷", "绿谷园区",
                "a" * 4000, "字" * 301, "\r\n"]
HOSTILE_VALUES: list[Any] = [None, True, False, 0, -1, 2**31, 2**63, 10**45, 1e308, -0.0,
                             [], {}, ["x"], {"a": "b"}]
HOSTILE_DATES: list[Any] = ["0001-01-01T00:00:00", "9999-12-31T23:59:59", "1900-01-01",
                            "2100-12-31T23:59:59+14:00", "2026-02-30", "2026-11-26 08:00",
                            "2026-11-26T08:00:00Z", "昨天", "", 0, -62135596800, 253402300800,
                            1e20, float("nan"), "2026-11-26T08:00:00+25:00"]


def hostile_item(rng: random.Random, n: int) -> Any:
    """A generated item: mostly fields of hostile text, sometimes values of the wrong type."""
    if rng.random() < 0.05:
        return rng.choice(HOSTILE_VALUES + HOSTILE_TEXT)

    def words() -> str:
        return "".join(rng.choice(HOSTILE_TEXT) for _ in range(rng.randint(0, 4)))

    def text() -> Any:
        return rng.choice(HOSTILE_VALUES) if rng.random() < 0.1 else words()

    item: dict[str, Any] = {}
    for key in ("title", "text"):
        if rng.random() < 0.85:
            item[key] = text()
    if rng.random() < 0.6:  # a real source name, hostile characters around it
        item["source"] = rng.choice(["", "\x00", "\u200b", " "]) + "论坛" + words()[:20]
    elif rng.random() < 0.85:
        item["source"] = text()
    roll = rng.random()
    if roll < 0.5:
        item["url"] = f"https://fuzz.example.org/{n}" + rng.choice(
            ["", "?q=\x00", " x", "#\ud800"])
    elif roll < 0.8:
        item["external_id"] = rng.choice([str(n), n, f"{n}\x00", f"{n}\u200b", *HOSTILE_VALUES])
    else:
        item["url"] = text()
    if rng.random() < 0.6:
        item["published"] = rng.choice(HOSTILE_DATES)
    return item


FUZZ_ITEMS = 1500


async def test_generated_hostile_batches_never_answer_500_and_store_only_clean_text(
        api: Runtime) -> None:
    rng = random.Random(20261126)
    items = [hostile_item(rng, n) for n in range(FUZZ_ITEMS)]
    statuses: dict[str, int] = {}
    for start in range(0, FUZZ_ITEMS, 500):
        batch = items[start:start + 500]
        status, answer = await post(api, batch)
        assert status == 200, answer
        assert len(answer["results"]) == len(batch)
        for result in answer["results"]:
            statuses[result["status"]] = statuses.get(result["status"], 0) + 1
            if result["status"] == "refused":
                assert result["reason"] and result["message"]
    assert set(statuses) <= {"created", "duplicate", "refused"}
    # Both outcomes are well represented, so the fuzz reaches storage as well as refusal.
    assert statuses["created"] > 100 and statuses["refused"] > 100, statuses
    rows = await OpinionItem.all()
    assert len(rows) == statuses["created"]
    for row in rows:
        for value in (row.title, row.text, row.source_name, row.url, row.external_id or ""):
            assert not UNSAFE & set(value), repr(value)[:80]
        assert row.published_at is None or 1899 <= row.published_at.year <= 2100
    for source in await OpinionSource.all():
        assert not UNSAFE & set(source.name) and source.name.strip()


ANY_TEXT = st.text(st.characters(exclude_categories=()))


@settings(max_examples=3000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(
    st.dictionaries(st.sampled_from(["title", "text", "url", "source", "external_id", "id",
                                     "published"]),
                    st.one_of(ANY_TEXT, st.integers(), st.floats(), st.booleans(), st.none(),
                              st.lists(ANY_TEXT, max_size=2)), max_size=7),
    ANY_TEXT, st.integers(), st.none(),
))
def test_any_item_is_either_a_clean_candidate_or_refused_with_a_reason(raw: Any) -> None:
    try:
        candidate = pipeline.api_candidate(raw, OFFICE_NOW)
    except DomainError as error:
        assert error.code.startswith("opinion.ingest.")
        return
    for value in (candidate.title, candidate.text, candidate.url, candidate.source_name,
                  candidate.external_id or ""):
        assert not UNSAFE & set(value)
        assert value == clean_item_text(value, multiline=True)
    assert candidate.source_name and (candidate.title or candidate.text)
    assert candidate.url or candidate.external_id
    published = candidate.published_at
    assert published is None or (published.tzinfo and 1900 <= published.year <= 2100)


def test_feed_entries_are_cleaned_and_impossible_dates_dropped() -> None:
    body = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>t</title>
<item><title>\xe7\xbb\xbf\xe8\xb0\xb7&#x7;\xe5\x9b\xad\xe5\x8c\xba</title>
<link>https://feed.example.org/1</link>
<description>line one&#xb;line two</description>
<pubDate>Mon, 01 Jan 0001 00:00:00 GMT</pubDate></item>
<item><title>good</title><link>https://feed.example.org/2</link>
<pubDate>Thu, 26 Nov 2026 08:00:00 +0800</pubDate></item>
</channel></rss>"""
    first, second = parse_feed(body, "某论坛")
    assert not UNSAFE & set(first.title + first.text)
    assert first.published_at is None
    assert second.published_at is not None and second.published_at.year == 2026
