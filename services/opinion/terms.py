"""Watch terms: the park's names, its companies, include and exclude words, and matching."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from tortoise.exceptions import IntegrityError

from models.core import Staff
from models.opinion import TermKind, WatchTerm
from services.errors import InvalidInput, NotFound
from services.opinion.normalize import normalize
from services.staff import OFFICE_ROLES, require_role

#: Words staff may type for each kind (Chinese first, the stored value too).
KIND_NAMES: dict[str, TermKind] = {
    "名称": TermKind.NAME, "园区": TermKind.NAME, "别名": TermKind.NAME,
    "企业": TermKind.COMPANY, "公司": TermKind.COMPANY,
    "关注": TermKind.INCLUDE, "包含": TermKind.INCLUDE, "关键词": TermKind.INCLUDE,
    "排除": TermKind.EXCLUDE, "屏蔽": TermKind.EXCLUDE,
    **{kind.value: kind for kind in TermKind},
}
MIN_LEN, MAX_LEN = 2, 64


def parse_kind(text: str) -> TermKind:
    """Read a term kind as staff type it (名称/企业/关注/排除 or the English value)."""
    kind = KIND_NAMES.get(text.strip().lower())
    if kind is None:
        raise InvalidInput("opinion.error.bad_kind", value=text)
    return kind


def clean_word(word: str) -> str:
    """Normalise a term as item texts are normalised, and check its length."""
    cleaned = normalize(word).lower()
    if len(cleaned) < MIN_LEN:
        raise InvalidInput("opinion.error.term_short", value=word, n=MIN_LEN)
    if len(cleaned) > MAX_LEN:
        raise InvalidInput("opinion.error.term_long", n=MAX_LEN)
    return cleaned


async def add_terms(actor: Staff | None, kind: TermKind, words: Sequence[str]) -> tuple[
    list[str], list[str]
]:
    """Add words of one kind; returns (added, already there). The CLI passes no actor."""
    if actor is not None:
        require_role(actor, *OFFICE_ROLES)
    if not words:
        raise InvalidInput("opinion.error.term_missing")
    cleaned = [clean_word(w) for w in words]
    added, existing = [], []
    for word in dict.fromkeys(cleaned):
        try:
            await WatchTerm.create(kind=kind, word=word, created_by=actor)
            added.append(word)
        except IntegrityError:
            existing.append(word)
    return added, existing


async def remove_term(actor: Staff | None, word: str, kind: TermKind | None = None) -> int:
    """Remove a word (of any kind unless one is given); NotFound when it is not a term."""
    if actor is not None:
        require_role(actor, *OFFICE_ROLES)
    wanted = normalize(word).lower()
    if len(wanted) > MAX_LEN:  # longer than any stored term: nothing to remove
        raise NotFound("opinion.error.term_unknown", value=word[:MAX_LEN] + "…")
    query = WatchTerm.filter(word=wanted)
    if kind is not None:
        query = query.filter(kind=kind)
    removed = await query.delete()
    if not removed:
        raise NotFound("opinion.error.term_unknown", value=word)
    return removed


async def list_terms() -> dict[TermKind, list[str]]:
    """Every term, by kind, in the order they were added."""
    found: dict[TermKind, list[str]] = {kind: [] for kind in TermKind}
    for term in await WatchTerm.all().order_by("id"):
        found[term.kind].append(term.word)
    return found


@dataclass
class Relevance:
    relevant: bool
    matched: list[str] = field(default_factory=list)
    vetoed_by: list[str] = field(default_factory=list)


@dataclass
class Matcher:
    """Decides whether a normalised text is about us: a watch term and no exclude word."""

    watch: list[str]
    exclude: list[str]
    #: The park's companies (reports of one incident are grouped by them).
    companies: list[str] = field(default_factory=list)

    def match(self, normalized: str) -> Relevance:
        text = normalized.lower()
        matched = [w for w in self.watch if w in text]
        vetoed = [w for w in self.exclude if w in text]
        return Relevance(bool(matched) and not vetoed, matched, vetoed)


async def load_matcher() -> Matcher:
    """The current terms as a matcher (longest words first, so reasons name the precise one)."""
    terms = await list_terms()
    watch = terms[TermKind.NAME] + terms[TermKind.COMPANY] + terms[TermKind.INCLUDE]
    return Matcher(sorted(watch, key=len, reverse=True),
                   sorted(terms[TermKind.EXCLUDE], key=len, reverse=True),
                   sorted(terms[TermKind.COMPANY], key=len, reverse=True))
