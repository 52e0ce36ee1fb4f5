"""Domain rules for negative public opinion about the park: categories, guards and levels."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

LEXICON_PATH = Path(__file__).with_name("lexicon.yaml")
LEVELS: tuple[str, ...] = ("red", "orange", "yellow")
_LEVEL_RANK = {name: rank for rank, name in enumerate(LEVELS)}
_SENTENCE_SPLIT = re.compile(r"[。！？!?\n；;]+|\.(?=\s|$)")
_CLAUSE_SPLIT = re.compile(r"[,，、:：()（）【】\[\]「」“”\"]+|\s+")
_GAP = ".{0,8}?"


def worst_level(levels: Iterable[str | None]) -> str | None:
    """Return the most severe of the given levels, or None when there is none."""
    known = [lv for lv in levels if lv in _LEVEL_RANK]
    return min(known, key=_LEVEL_RANK.__getitem__) if known else None


_GAP_TOKEN = "\0gap"


def _trie_regex(node: dict[str, Any]) -> str:
    """Render a trie of tokens as a regex that prefers the longest word."""
    end = "" in node
    alts = []
    for token in sorted(k for k in node if k):
        head = _GAP if token == _GAP_TOKEN else re.escape(token)
        alts.append(head + _trie_regex(node[token]))
    if not alts:
        return ""
    body = alts[0] if len(alts) == 1 and not end else "(?:" + "|".join(alts) + ")"
    if len(alts) == 1 and not end:
        return body
    return body + ("?" if end else "")


def _pattern(words: Iterable[str]) -> re.Pattern[str] | None:
    """Compile words (``*`` = short gap) into one trie-shaped regex, longest match first."""
    trie: dict[str, Any] = {}
    for word in {str(w).strip() for w in words}:
        if not word:
            continue
        node = trie
        for i, part in enumerate(word.split("*")):
            if i:
                node = node.setdefault(_GAP_TOKEN, {})
            for ch in part:
                node = node.setdefault(ch, {})
        node[""] = {}
    return re.compile(_trie_regex(trie)) if trie else None


@dataclass(frozen=True)
class Category:
    """One negative category with its words, default level and red-raising words."""

    name: str
    level: str
    words: tuple[str, ...]
    severe: tuple[str, ...] = ()


@dataclass(frozen=True)
class RuleHit:
    """Words of one category found in a text, with the level they imply."""

    category: str
    level: str
    words: tuple[str, ...]

    def as_reason(self) -> dict[str, Any]:
        """Return the hit as a reason record."""
        return {"kind": "rule", "category": self.category, "level": self.level,
                "words": list(self.words)}


@dataclass
class RuleResult:
    """What the rules found in one text: unguarded hits, guarded hits and tone words."""

    hits: list[RuleHit] = field(default_factory=list)
    guarded: list[dict[str, Any]] = field(default_factory=list)
    guards: list[str] = field(default_factory=list)
    positive: list[str] = field(default_factory=list)

    @property
    def negative(self) -> bool:
        """Return True when at least one hit survived the guards."""
        return bool(self.hits)

    @property
    def level(self) -> str | None:
        """Return the most severe level among the hits."""
        return worst_level(h.level for h in self.hits)


class Rules:
    """Match the office's word lists against normalised text, clause by clause."""

    def __init__(self, lexicon: Mapping[str, Any]) -> None:
        """Build matchers from a lexicon mapping (the shape of lexicon.yaml)."""
        cats = lexicon.get("categories") or {}
        self.categories: list[Category] = []
        for name, spec in cats.items():
            level = str(spec.get("level", "yellow"))
            if level not in _LEVEL_RANK:
                raise ValueError(f"unknown level {level!r} for category {name!r}")
            self.categories.append(Category(
                name=str(name), level=level,
                words=tuple(str(w) for w in spec.get("words") or ()),
                severe=tuple(str(w) for w in spec.get("severe") or ()),
            ))
        self._cat_re = {c.name: _pattern(c.words) for c in self.categories}
        self._any = _pattern(w for c in self.categories for w in c.words)
        self._severe_re = {c.name: _pattern(c.severe) for c in self.categories}
        guards = lexicon.get("guards") or {}
        self._clause_guard = _pattern(guards.get("clause") or ())
        self._sentence_guard = _pattern(guards.get("sentence") or ())
        self._breaker = _pattern(guards.get("breakers") or ())
        negators = sorted({str(n) for n in guards.get("negators") or ()}, key=len, reverse=True)
        self._negators = tuple(negators)
        self.strong: float = float(guards.get("strong", 0.85))
        tone = lexicon.get("tone") or {}
        self._positive = _pattern(tone.get("positive") or ())

    @classmethod
    def from_yaml(cls, path: Path = LEXICON_PATH) -> Rules:
        """Load rules from a YAML lexicon file."""
        with path.open(encoding="utf-8") as fh:
            return cls(yaml.safe_load(fh) or {})

    def _guards_in(self, pattern: re.Pattern[str] | None, text: str) -> list[tuple[int, int]]:
        """Return spans of guard words in text that are not negated (不合格 is no 合格)."""
        if pattern is None:
            return []
        spans = []
        for m in pattern.finditer(text):
            before = text[: m.start()]
            if any(before.endswith(n) for n in self._negators):
                continue
            spans.append(m.span())
        return spans

    def _clause_guards(self, clause: str) -> list[tuple[int, int]]:
        """Return spans of clause guards that hold (none if the clause reports a finding)."""
        spans = self._guards_in(self._clause_guard, clause)
        if not spans or self._breaker is None:
            return spans
        masked = list(clause)
        for a, b in spans:
            masked[a:b] = " " * (b - a)
        if self._breaker.search("".join(masked)):
            return []
        return spans

    def _hits_in(self, clause: str) -> list[tuple[str, str, int, int]]:
        """Return (category, word, start, end) for every category word in a clause."""
        found: list[tuple[str, str, int, int]] = []
        for cat in self.categories:
            pat = self._cat_re[cat.name]
            if pat is not None:
                found.extend((cat.name, m.group(0), *m.span()) for m in pat.finditer(clause))
        return found

    def match(self, text: str) -> RuleResult:
        """Find unguarded category hits in normalised text.

        A guard that overlaps a hit (污水处理 over 污水, 零事故 over 事故) removes only that
        hit; any other guard in the clause, or a sentence guard, removes every hit in the clause.
        """
        result = RuleResult()
        if self._positive is not None:
            result.positive = _unique(m.group(0) for m in self._positive.finditer(text))
        if self._any is None or not self._any.search(text):
            spans = self._guards_in(self._sentence_guard, text)
            spans += self._guards_in(self._clause_guard, text)
            result.guards = _unique(text[a:b] for a, b in spans)
            return result
        by_cat: dict[str, list[str]] = {}
        clauses: dict[str, list[str]] = {}
        for sentence in _SENTENCE_SPLIT.split(text):
            if not sentence.strip():
                continue
            s_guards = [sentence[a:b] for a, b in self._guards_in(self._sentence_guard, sentence)]
            result.guards.extend(s_guards)
            for clause in _CLAUSE_SPLIT.split(sentence):
                if not clause:
                    continue
                found = self._hits_in(clause)
                spans = self._clause_guards(clause)
                result.guards.extend(clause[a:b] for a, b in spans)
                if not found:
                    continue
                compound = [g for g in spans if any(g[0] < e and s < g[1] for *_, s, e in found)]
                context = s_guards + [clause[a:b] for a, b in spans if (a, b) not in compound]
                kept = [h for h in found
                        if not any(a < h[3] and h[2] < b for a, b in compound)]
                suppressed = [h for h in found if h not in kept] + (kept if context else [])
                if suppressed:
                    used = context + [clause[a:b] for a, b in compound]
                    result.guarded.append({"kind": "guard", "words": _unique(used),
                                           "suppressed": _unique(h[1] for h in suppressed)})
                if context:
                    continue
                for name, word, _, _ in kept:
                    by_cat.setdefault(name, []).append(word)
                    if clause not in clauses.setdefault(name, []):
                        clauses[name].append(clause)
        result.guards = _unique(result.guards)
        for cat in self.categories:
            words = by_cat.get(cat.name)
            if not words:
                continue
            level = cat.level
            severe = self._severe_re[cat.name]
            raised = [] if severe is None else [
                m.group(0) for c in clauses[cat.name] for m in severe.finditer(c)]
            if raised:
                level = "red"
            result.hits.append(RuleHit(cat.name, level, tuple(_unique(words + raised))))
        result.hits.sort(key=lambda h: _LEVEL_RANK[h.level])
        return result


def _unique(items: Iterable[str]) -> list[str]:
    """Return items without repeats, first occurrence first."""
    return list(dict.fromkeys(items))


@lru_cache(maxsize=1)
def default_rules() -> Rules:
    """Return the rules from the packaged lexicon (loaded once)."""
    return Rules.from_yaml()
