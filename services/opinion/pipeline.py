"""The pipeline: validate, normalise, judge relevance, cluster reposts, classify, open cases."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import numpy as np
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from models.core import Staff
from models.opinion import OpinionCluster, OpinionItem, OpinionSource, SourceKind
from services import clock
from services.errors import InvalidInput
from services.opinion import config, incident
from services.opinion.classify import Classifier, Verdict
from services.opinion.cleaning import (
    EARLIEST_YEAR,
    LATEST_YEAR,
    clean_item_text,
    in_calendar_range,
    is_blank,
    removed_characters,
)
from services.opinion.normalize import normalize
from services.opinion.terms import load_matcher

log = logging.getLogger("officebot.opinion")
MAX_BATCH = 500
MAX_TITLE, MAX_TEXT, MAX_URL, MAX_SOURCE, MAX_EXTERNAL = 300, 20_000, 1000, 128, 128
SHINGLE = 3
PERMUTATIONS = 64
_PRIME = 4_294_967_311
_rng = np.random.default_rng(20261126)
_A = _rng.integers(1, 2**32 - 1, PERMUTATIONS, dtype=np.uint64)
_B = _rng.integers(0, 2**32 - 1, PERMUTATIONS, dtype=np.uint64)
_NON_WORD = re.compile(r"[\W_]+")


@dataclass
class Candidate:
    """An item as it arrived, before the pipeline judges it."""

    title: str = ""
    text: str = ""
    url: str = ""
    external_id: str | None = None
    source_name: str = ""
    published_at: datetime | None = None


@dataclass
class ItemResult:
    """What became of one candidate."""

    index: int
    status: str  # created, duplicate, refused or failed (not stored: try again)
    item_id: int | None = None
    reason: str | None = None
    params: dict[str, Any] = field(default_factory=dict)
    relevant: bool = False
    neg: bool = False
    level: str | None = None
    sentiment: str = "neutral"
    case_id: int | None = None
    #: This item opened the case (rather than joining a story that had one).
    case_opened: bool = False
    #: It joined a case as another report of the same incident (not a repost).
    follow_up: bool = False
    cluster_id: int | None = None
    cluster_size: int = 0
    reasons: list[dict[str, Any]] = field(default_factory=list)
    matched: list[str] = field(default_factory=list)
    vetoed_by: list[str] = field(default_factory=list)


# ---------------------------------------------------------------------------- validation


def check_url(url: str) -> str:
    """Accept an http(s) link (stripped) or nothing."""
    url = clean_item_text(url or "")
    if not url:
        return ""
    try:
        parts = urlsplit(url)
    except ValueError:  # an unclosed IPv6 bracket and the like
        parts = None
    if (parts is None or parts.scheme not in ("http", "https") or not parts.netloc
            or len(url) > MAX_URL or any(ch.isspace() for ch in url)):
        raise InvalidInput("opinion.ingest.bad_url", value=url[:80])
    return url


def parse_published(value: Any, tz: Any) -> datetime | None:
    """Read an ISO 8601 time or a Unix timestamp; a time without a zone is the office's.

    Only years EARLIEST_YEAR to LATEST_YEAR are dates (0001-01-01 is a blank in disguise).
    """
    if value is None or value == "":
        return None
    shown = clean_item_text(str(value))[:40]
    try:
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise ValueError
        if isinstance(value, int | float):
            parsed = datetime.fromtimestamp(float(value), tz)
        else:
            parsed = datetime.fromisoformat(value.strip())
    except (ValueError, OverflowError, OSError):
        raise InvalidInput("opinion.ingest.bad_published", value=shown) from None
    if not in_calendar_range(parsed):
        raise InvalidInput("opinion.ingest.published_out_of_range", value=shown,
                           earliest=EARLIEST_YEAR, latest=LATEST_YEAR)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=tz)


#: Fields of an ingest API item that are text, and whether each keeps its line breaks.
TEXT_FIELDS = {"title": False, "text": True, "url": False, "source": False}


def api_candidate(raw: Any, now: datetime) -> Candidate:
    """Check one item of the ingest API; raise InvalidInput naming what is wrong with it."""
    if not isinstance(raw, dict):
        raise InvalidInput("opinion.ingest.not_object")
    for key in TEXT_FIELDS:
        if raw.get(key) is not None and not isinstance(raw.get(key), str):
            raise InvalidInput("opinion.ingest.not_text", field=key)
    external = raw.get("external_id", raw.get("id"))
    if external is not None:
        if not isinstance(external, str | int) or isinstance(external, bool):
            raise InvalidInput("opinion.ingest.bad_external_id")
        external = clean_item_text(str(external))
        if is_blank(external) or len(external) > MAX_EXTERNAL:
            raise InvalidInput("opinion.ingest.bad_external_id")
    title = clean_item_text(raw.get("title") or "", limit=MAX_TEXT, field="title")
    text = clean_item_text(raw.get("text") or "", limit=MAX_TEXT, multiline=True)
    if is_blank(title) and is_blank(text):
        raise InvalidInput("opinion.ingest.empty")
    check_not_command(title, text)
    source = clean_item_text(raw.get("source") or "")
    if is_blank(source) or len(source) > MAX_SOURCE:
        raise InvalidInput("opinion.ingest.bad_source", limit=MAX_SOURCE)
    url = check_url(raw.get("url") or "")
    if not url and external is None:
        raise InvalidInput("opinion.ingest.no_id")
    published = parse_published(raw.get("published"), config.get().tz)
    if published is not None and published > now + timedelta(days=1):
        raise InvalidInput("opinion.ingest.future",
                           value=clean_item_text(str(raw.get("published")))[:40])
    return Candidate(title[:MAX_TITLE].rstrip(), text, url, external, source, published)


def cleaned_fields(raw: Any) -> list[str]:
    """The text fields of an API item from which cleaning dropped characters (or cut a title)."""
    if not isinstance(raw, dict):
        return []
    found = [key for key in TEXT_FIELDS
             if isinstance(raw.get(key), str) and removed_characters(raw[key])]
    external = raw.get("external_id", raw.get("id"))
    if isinstance(external, str) and removed_characters(external):
        found.append("external_id")
    if isinstance(raw.get("title"), str) and "title" not in found and len(
            clean_item_text(raw["title"])) > MAX_TITLE:
        found.append("title")
    return found


def _sha1(text: str) -> str:
    return hashlib.sha1(text.encode()).hexdigest()


def dedup_key(candidate: Candidate) -> str:
    """One key per item: its external id at its source, else its link, else its text."""
    if candidate.external_id:
        return f"ext:{candidate.source_name[:60]}:{candidate.external_id}"[:191]
    if candidate.url:
        return f"url:{_sha1(candidate.url)}"
    return f"text:{_sha1(normalize(candidate.title + ' ' + candidate.text))}"


# ---------------------------------------------------------------------------- clustering


def signature(text: str) -> np.ndarray:
    """MinHash signature of the text's character shingles (punctuation and spaces dropped)."""
    compact = _NON_WORD.sub("", normalize(text).lower())
    grams = {compact[i:i + SHINGLE] for i in range(max(len(compact) - SHINGLE + 1, 1))}
    hashes = np.array(
        [int.from_bytes(hashlib.blake2b(g.encode(), digest_size=4).digest(), "little")
         for g in grams], dtype=np.uint64,
    )
    if hashes.size == 0:
        return np.zeros(PERMUTATIONS, dtype=np.uint64)
    mixed = (hashes[:, None] * _A[None, :] + _B[None, :]) % np.uint64(_PRIME)
    return mixed.min(axis=0)  # type: ignore[no-any-return]


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Estimated Jaccard similarity of two signatures."""
    return float(np.mean(a == b))


class StoryIndex:
    """Signatures of recent stories, to find the one a repost belongs to."""

    def __init__(self, rows: Sequence[tuple[int, list[int]]]) -> None:
        self.ids = [r[0] for r in rows]
        self.sigs = (np.array([r[1] for r in rows], dtype=np.uint64) if rows
                     else np.zeros((0, PERMUTATIONS), dtype=np.uint64))

    def best(self, sig: np.ndarray, threshold: float) -> int | None:
        if not self.ids:
            return None
        scores = (self.sigs == sig[None, :]).mean(axis=1)
        index = int(np.argmax(scores))
        return self.ids[index] if scores[index] >= threshold else None

    def add(self, cluster_id: int, sig: np.ndarray) -> None:
        self.ids.append(cluster_id)
        self.sigs = np.vstack([self.sigs, sig[None, :]])


@dataclass
class IncidentIndex:
    """Stories with a case seen in the last few days, with what their reports say, so a
    follow-up report (another article on the same incident) joins its case."""

    companies: list[str]
    days: float
    stories: list[tuple[int, datetime, incident.Features]] = field(default_factory=list)

    def find(self, text: str, now: datetime) -> int | None:
        """The most recent story this report is a follow-up of, if any."""
        said = incident.features(text, self.companies)
        if not said.complaints:
            return None
        for cluster_id, seen, story in sorted(self.stories, key=lambda s: s[1], reverse=True):
            gap = (now - seen).total_seconds() / 86400
            if incident.same_incident(story, said, gap, self.days):
                return cluster_id
        return None

    def add(self, cluster_id: int, now: datetime, text: str) -> None:
        said = incident.features(text, self.companies)
        for index, (known, _, story) in enumerate(self.stories):
            if known == cluster_id:
                self.stories[index] = (known, now, story.union(said))
                return
        self.stories.append((cluster_id, now, said))


async def recent_incidents(now: datetime, days: float, companies: list[str]) -> IncidentIndex:
    """The stories with a case last seen within `days`, read from their items."""
    index = IncidentIndex(companies, days)
    clusters = await OpinionCluster.filter(
        last_seen_at__gte=now - timedelta(days=days), case__id__isnull=False,
    ).order_by("last_seen_at").limit(500)
    for cluster in clusters:
        for title, text in await OpinionItem.filter(cluster_id=cluster.id).order_by(
                "id").limit(20).values_list("title", "text"):
            index.add(cluster.id, cluster.last_seen_at, f"{title}。{text}")
    return index


async def recent_stories(now: datetime, days: int) -> StoryIndex:
    rows = await OpinionCluster.filter(last_seen_at__gte=now - timedelta(days=days)).order_by(
        "-last_seen_at").limit(20_000).values_list("id", "signature")
    return StoryIndex([(int(r[0]), list(r[1])) for r in rows if r[1]])


# ---------------------------------------------------------------------------- classification

_classifiers: dict[tuple[str, float], Classifier] = {}


def _classify(texts: list[str]) -> list[Verdict]:
    return classifier().classify(texts)


def classifier() -> Classifier:
    """The classifier with the trained model when there is one (reloaded when it changes)."""
    path: Path | None = config.get().model_path
    key = ("", 0.0)
    if path is not None and path.exists():
        key = (str(path), path.stat().st_mtime)
    if key not in _classifiers:
        _classifiers.clear()
        _classifiers[key] = Classifier(Path(key[0]) if key[0] else None)
    return _classifiers[key]


# ---------------------------------------------------------------------------- ingest


async def ingest(
    candidates: Sequence[Candidate],
    *,
    via: SourceKind,
    source: OpinionSource | None = None,
    added_by: Staff | None = None,
    vouched: bool = False,
    now: datetime | None = None,
) -> list[ItemResult]:
    """Store new candidates, judge them, join reposts to their story and alert on negatives.

    `vouched` items (staff sent them by hand) count as about us without a watch term.
    """
    from services.opinion import handling

    now = now or clock.now()
    cfg = config.get()
    if len(candidates) > MAX_BATCH:
        raise InvalidInput("opinion.ingest.batch_too_big", limit=MAX_BATCH)
    results = [ItemResult(i, "created") for i in range(len(candidates))]
    keys = [dedup_key(c) for c in candidates]
    url_keys = [_sha1(c.url) if c.url else None for c in candidates]
    known = set(await OpinionItem.filter(dedup_key__in=keys).values_list("dedup_key", flat=True))
    known_urls = set(await OpinionItem.filter(
        url_key__in=[k for k in url_keys if k]).values_list("url_key", flat=True))
    fresh: list[int] = []
    seen: set[str] = set()
    for i, _candidate in enumerate(candidates):
        if keys[i] in known or keys[i] in seen or (url_keys[i] and (
                url_keys[i] in known_urls or url_keys[i] in seen)):
            results[i].status = "duplicate"
            continue
        seen.add(keys[i])
        if url_keys[i]:
            seen.add(url_keys[i])  # type: ignore[arg-type]
        fresh.append(i)
    if not fresh:
        return results
    matcher = await load_matcher()
    texts = [f"{candidates[i].title}。{candidates[i].text}" for i in fresh]
    # Off the event loop: the first call loads the model (about a second), and a batch of 500
    # texts is tens of milliseconds of scoring that other updates should not wait behind.
    verdicts = await asyncio.to_thread(_classify, texts)
    stories = await recent_stories(now, cfg.cluster_days)
    incidents = await recent_incidents(now, cfg.incident_days, matcher.companies)
    for i, text, verdict in zip(fresh, texts, verdicts, strict=True):
        relevance = matcher.match(normalize(text))
        relevant = relevance.relevant or vouched
        result = results[i]
        result.matched, result.vetoed_by = relevance.matched, relevance.vetoed_by
        try:
            async with in_transaction():
                await _store(candidates[i], keys[i], url_keys[i], text, verdict, relevant,
                             relevance.matched, via, source, added_by, now,
                             (stories, incidents), result, handling)
        except IntegrityError:
            result.status = "duplicate"
        except Exception:
            # One item the database will not take must not cost the rest of the batch: its
            # transaction rolled back whole, so it is simply not stored, and the caller may
            # send it again.
            log.exception("opinion item %s of a batch from %r was not stored", i,
                          candidates[i].source_name)
            result.status, result.reason = "failed", "not_stored"
            result.item_id = result.case_id = result.cluster_id = None
    return results


async def _store(candidate: Candidate, key: str, url_key: str | None, text: str,
                 verdict: Verdict, relevant: bool, matched: list[str], via: SourceKind,
                 source: OpinionSource | None, added_by: Staff | None, now: datetime,
                 indexes: tuple[StoryIndex, IncidentIndex], result: ItemResult,
                 handling: Any) -> None:
    """Write one item, its story and, for a negative item about us, the case and its alerts.

    A repost joins its story by its text; a negative follow-up (another report of the same
    incident) joins the incident's story and case: the case is raised or added to, and no
    second alert goes out.
    """
    stories, incidents = indexes
    cfg = config.get()
    neg = bool(verdict.neg) and relevant
    item = await OpinionItem.create(
        dedup_key=key, url=candidate.url, url_key=url_key, external_id=candidate.external_id,
        source=source, source_name=candidate.source_name[:MAX_SOURCE], via=via,
        title=candidate.title[:MAX_TITLE], text=candidate.text,
        published_at=candidate.published_at,
        fetched_at=now, relevant=relevant, matched_terms=matched, neg=neg,
        sentiment=verdict.sentiment if relevant else "neutral", score=verdict.score,
        level=verdict.level if neg else None, reasons=verdict.reasons, added_by=added_by,
    )
    result.item_id, result.relevant, result.neg = item.id, relevant, neg
    result.level, result.sentiment = item.level, item.sentiment
    result.reasons = verdict.reasons
    if not relevant:
        return
    sig = signature(text)
    cluster_id = stories.best(sig, cfg.cluster_similarity)
    if cluster_id is None and neg:
        cluster_id = incidents.find(text, now)
        result.follow_up = cluster_id is not None
    if cluster_id is None:
        cluster = await OpinionCluster.create(
            title=(candidate.title or candidate.text)[:MAX_TITLE], first_seen_at=now,
            last_seen_at=now, signature=[int(x) for x in sig],
        )
        stories.add(cluster.id, sig)
    else:
        cluster = await OpinionCluster.filter(id=cluster_id).select_for_update().get()
    item.cluster = cluster  # type: ignore[assignment]
    await item.save(update_fields=["cluster_id"])
    names = await OpinionItem.filter(cluster_id=cluster.id).values_list("source_name", flat=True)
    cluster.size = len(names)
    cluster.source_count = len(set(names))
    cluster.last_seen_at = now
    await cluster.save(update_fields=["size", "source_count", "last_seen_at"])
    result.cluster_id, result.cluster_size = cluster.id, cluster.size
    case = await handling.case_of_cluster(cluster.id)
    if case is None and neg:
        case = await handling.open_case(cluster, item, now)
        result.case_opened = True
    elif case is not None:
        await handling.on_follow_up(case, cluster, item, now, result.follow_up)
    if case is not None:
        incidents.add(cluster.id, now, text)
    result.case_id = case.id if case is not None else None


_LINK = re.compile(r"https?://[^\s<>\"'，。；）)】]+")


#: Words of the /yq command and its dialogs: sent alone they are never an item.
COMMAND_WORDS = frozenset({
    "录入", "报送", "上报", "新增", "添加", "增加", "删除", "帮助", "今日", "今天", "日报", "本周",
    "周报", "导出", "关注词", "来源", "取消", "确定", "确认", "是", "否", "yq", "help", "add",
    "enter", "report", "today", "week", "export", "terms", "sources", "remove", "delete",
    "del", "cancel", "ok", "yes", "no", "?", "？",
})
_EDGES = " \t\n。，,.!！?？:：;；、/"


def check_not_command(*parts: str) -> None:
    """Refuse an item that is nothing but a command word (/yq 录入 is not news)."""
    words = [p.strip(_EDGES).lower() for p in parts if p and p.strip(_EDGES)]
    if words and all(w.lstrip("/") in COMMAND_WORDS for w in words):
        raise InvalidInput("opinion.ingest.command_word", word=words[0][:20])


def manual_candidate(text: str, source_name: str = "", url: str = "",
                     fallback_source: str = "") -> Candidate:
    """An item staff sent by hand: the first line is its title, a link in it is its address."""
    text = clean_item_text(text or "", limit=MAX_TEXT, multiline=True)
    if is_blank(text) and not url:
        raise InvalidInput("opinion.ingest.empty")
    if not url:
        check_not_command(text)
    found = _LINK.search(text)
    url = check_url(url or (found.group(0) if found else ""))
    title = text.splitlines()[0].strip() if text else url
    if url and title.strip() == url:
        title = url
    host = urlsplit(url).hostname if url else ""
    source_name = clean_item_text(source_name or host or fallback_source or "")
    return Candidate(title=title[:MAX_TITLE], text=text, url=url,
                     source_name=source_name[:MAX_SOURCE])
