"""Measure services.timeparse: the zh-time suites, the project's own cases, and speed.

Usage: python bench/bench_timeparse.py [--data DIR] [--passes N] [--show wrong,ask] [--no-peer]

Shared suites: cases out of scope for room booking are excluded first (holidays, lunar dates,
traditional script, spans longer than a week); each rule's count is printed.

Own cases (tests/data/timeparse_cases_{tune,heldout}.jsonl): written by hand with their answers
before the rules were changed; the held-out third is only ever printed as totals (``--show``
lists tune cases only), so it stays unseen while tuning. The rules and the matching are described
in docs/timeparse.md.
"""

from __future__ import annotations

import argparse
import json
import logging
import re
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from services.timeparse import TimeParse, parse_time

TZ = ZoneInfo("Asia/Shanghai")
DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "zh-time"
OWN_DATA = Path(__file__).resolve().parents[1] / "tests" / "data"
SUITES = ("recognizers", "jionlp")
OWN_PARTS = ("tune", "heldout")

HOLIDAY = re.compile(
    r"节|国庆|春节|元旦|中秋|圣诞|除夕|元宵|清明|端午|五一|十一黄金周|双十一|双11|平安夜|新年|"
    r"立春|雨水|惊蛰|春分|谷雨|立夏|小满|芒种|夏至|小暑|大暑|立秋|处暑|白露|秋分|寒露|霜降|"
    r"立冬|小雪|大雪|冬至|小寒|大寒|暑假|寒假|春天|夏天|秋天|冬天|春季|夏季|秋季|冬季"
)
LUNAR = re.compile(r"农历|阴历|初[一二三四五六七八九十\d]|腊月|正月|冬月|廿|卅|大年|闰")
LUNAR_MD = re.compile(
    r"^(?:去年|今年|明年)?([0-9一二三四五六七八九十]+)月([一二三四五六七八九十]+)(?![日号\d])"
)
CONNECTOR = re.compile(r"到|至|~|～|-|—|和")
WEEK = timedelta(days=7)
#: A part of day is a convention, not a fact: the suites' windows for one word differ by up to
#: 4 hours (晚上: Recognizers 16-20, JioNLP 18-24; 早上: 08-12 against 06-10). A part-of-day
#: answer (no clock time) is right when each end is within this much of the suite's.
PART_SLACK = timedelta(hours=2)


@dataclass
class Case:
    """Hold one test case of a suite."""

    suite: str
    id: str
    text: str
    ref: datetime
    alts: list[dict[str, Any]]


def _cn_month(s: str) -> int:
    """Return a month number written in Arabic or Chinese digits."""
    if s.isdigit():
        return int(s)
    digits = "一二三四五六七八九"
    if s == "十":
        return 10
    if s.startswith("十"):
        return 10 + digits.index(s[1]) + 1
    return digits.index(s[0]) + 1


def exclusion(case: Case) -> str | None:
    """Return the name of the rule that puts a case out of scope, or None."""
    import zhconv

    t = case.text
    if HOLIDAY.search(t):
        return "holiday or season"
    if LUNAR.search(t):
        return "lunar date"
    m = LUNAR_MD.match(t)
    first = case.alts[0]
    if m and first.get("start") and int(first["start"][5:7]) != _cn_month(m[1]):
        return "lunar date"  # JioNLP reads 八月十五 as the lunar date
    if zhconv.convert(t, "zh-hans") != t:
        return "traditional script"
    for a in case.alts[:1]:
        if a["kind"] == "interval":
            span = datetime.fromisoformat(a["end"]) - datetime.fromisoformat(a["start"])
            if span > WEEK:
                return "span longer than a week"
        if a["kind"] == "duration" and a["seconds"] > WEEK.total_seconds():
            return "span longer than a week"
    return None


def _lines(path: Path) -> Iterator[tuple[dict[str, Any], datetime]]:
    """Yield each JSON line of a case file with its reference time (Shanghai wall clock)."""
    with path.open(encoding="utf-8") as f:
        for line in f:
            d = json.loads(line)
            yield d, datetime.fromisoformat(d["ref"]).replace(tzinfo=TZ)


def load(data: Path) -> list[Case]:
    """Read both suites."""
    return [
        Case(suite, d["id"], d["text"], ref, d["alts"])
        for suite in SUITES
        for d, ref in _lines(data / f"{suite}.jsonl")
    ]


def _minute(dt: datetime) -> datetime:
    """Return a naive wall-clock time cut to the minute."""
    if dt.tzinfo is not None:
        dt = dt.astimezone(TZ).replace(tzinfo=None)
    return dt.replace(second=0, microsecond=0)


_FREQ = {"day": "DAILY", "week": "WEEKLY", "month": "MONTHLY", "year": "YEARLY"}
_PERIOD = {
    "P3D": ("DAILY", 3), "PT0.5H": ("MINUTELY", 30), "PT200S": ("SECONDLY", 200),
    "P0.5Y": ("MONTHLY", 6),
}  # fmt: skip
_BYDAY = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def _rule(rrule: str) -> dict[str, str]:
    """Split an RRULE string into its parts."""
    return dict(p.split("=", 1) for p in rrule.split(";") if "=" in p)


def matches(r: TimeParse, alt: dict[str, Any], text: str) -> bool:
    """Tell whether a parse gives the answer one alternative expects."""
    kind = alt["kind"]
    if kind == "duration":
        return (
            r.duration is not None
            and r.start is None
            and (round(r.duration.total_seconds()) == alt["seconds"])
        )
    if kind == "set":
        if r.recurrence is None or r.start is None:
            return False
        rule = _rule(r.recurrence)
        freq = alt["freq"]
        if freq == "workday":
            if not r.workdays_only:
                return False
        elif freq in _PERIOD:
            want, n = _PERIOD[freq]
            if rule.get("FREQ") != want or rule.get("INTERVAL") != str(n):
                return False
        elif rule.get("FREQ") != _FREQ.get(freq) or r.workdays_only:
            return False
        if alt["weekday"] is not None and rule.get("BYDAY") != _BYDAY[alt["weekday"] - 1]:
            return False
        if alt["weekday"] is None and freq == "week" and "BYDAY" in rule:
            return False
        if alt["monthday"] is not None and rule.get("BYMONTHDAY") != str(alt["monthday"]):
            return False
        if alt["time"] is not None:
            if r.grain not in ("hour", "minute") or r.start.strftime("%H:%M") != alt["time"]:
                return False
        return True
    if r.start is None:
        return False
    start = _minute(datetime.fromisoformat(alt["start"]))
    if kind == "instant" and alt.get("time_only"):
        # a clock time with no date: the suite pins it to the reference day, we to the next one
        return _minute(r.start).time() == start.time() and r.grain in ("hour", "minute")
    if _minute(r.start) != start and not (r.part is not None and kind == "interval"):
        return False
    if kind == "instant":
        return True
    if r.end is None:
        return False
    end = _minute(datetime.fromisoformat(alt["end"]))
    got = _minute(r.end)
    if r.part is not None:
        lo = _minute(datetime.fromisoformat(alt["start"]))
        return abs(_minute(r.start) - lo) <= PART_SLACK and abs(got - end) <= PART_SLACK
    if got == end:
        return True
    # "A到B" over whole days: Recognizers writes B's midnight, we (and JioNLP) the next one
    midnight = start.hour == start.minute == end.hour == end.minute == 0
    return midnight and got == end + timedelta(days=1) and bool(CONNECTOR.search(text))


def score(r: TimeParse, case: Case) -> str:
    """Return right, ask or wrong for one parse."""
    if r.status == "ask":
        return "ask"
    if r.status == "ok" and any(matches(r, a, case.text) for a in case.alts):
        return "right"
    return "wrong"


def _describe(r: TimeParse) -> str:
    """Return a short description of a parse for the listings."""
    f = "%Y-%m-%d %H:%M"
    parts = [
        r.status,
        r.start.strftime(f) if r.start else "-",
        r.end.strftime(f) if r.end else "-",
    ]
    if r.duration is not None:
        parts.append(f"dur={r.duration.total_seconds():g}")
    if r.recurrence:
        parts.append(r.recurrence + (" workdays" if r.workdays_only else ""))
    if r.question:
        parts.append(f"?{r.question}")
    return " ".join(parts)


def _alts(case: Case) -> str:
    """Return the expected answers in short form."""
    out = []
    for a in case.alts:
        if a["kind"] == "duration":
            out.append(f"dur={a['seconds']}")
        elif a["kind"] == "set":
            out.append(f"set {a['freq']} wd={a['weekday']} md={a['monthday']} t={a['time']}")
        else:
            out.append(a["start"][:16] + ("~" + a["end"][:16] if a.get("end") else ""))
    return " | ".join(out)


# --------------------------------------------------------------------------- own cases


@dataclass
class OwnCase:
    """Hold one of the project's own cases: a text, its reference time and the answer wanted."""

    part: str  # "tune" | "heldout"
    id: str
    text: str
    ref: datetime
    mode: str  # "read" (allow_past) | "book" (need_start, the booking dialog's call)
    style: str  # "office" | "general"
    kind: str
    want: str


def load_own(data: Path = OWN_DATA) -> list[OwnCase]:
    """Read both parts of the own cases."""
    return [
        OwnCase(part, d["id"], d["text"], ref, d["mode"], d["style"], d["kind"], d["want"])
        for part in OWN_PARTS
        for d, ref in _lines(data / f"timeparse_cases_{part}.jsonl")
    ]


def parse_own(case: OwnCase) -> TimeParse:
    """Parse an own case the way its mode says."""
    if case.mode == "book":
        return parse_time(case.text, case.ref, need_start=True)
    return parse_time(case.text, case.ref, allow_past=True)


def _when(s: str) -> datetime:
    """Return a naive wall-clock time from "YYYY-MM-DD" or "YYYY-MM-DD HH:MM"."""
    return datetime.fromisoformat(s.strip())


def want_is_valid(want: str) -> bool:
    """Tell whether an own case's wanted answer is written in the expected form."""
    head, _, body = want.partition(" ")
    try:
        if head in ("ask", "none"):
            return not body
        if head in ("day", "at", "deadline"):
            _when(body)
            return True
        if head == "span":
            a, b = body.split("/")
            return _when(a) < _when(b)
        if head == "dur":
            return int(body) > 0
        if head == "rule":
            return body.startswith("FREQ=")
    except ValueError:
        return False
    return False


def own_matches(r: TimeParse, want: str) -> bool:
    """Tell whether an ok parse is the answer an own case wants."""
    head, _, body = want.partition(" ")
    start = _minute(r.start) if r.start is not None else None
    end = _minute(r.end) if r.end is not None else None
    if head == "dur":
        return r.start is None and r.duration is not None and (
            round(r.duration.total_seconds()) == int(body)
        )
    if head == "rule":
        words = body.split()
        if r.recurrence is None or start is None:
            return False
        if set(r.recurrence.split(";")) != set(words[0].split(";")):
            return False
        if r.workdays_only != ("workdays" in words):
            return False
        for i, w in enumerate(words):
            if w.startswith("@") and (
                r.grain not in ("minute", "hour") or start.strftime("%H:%M") != w[1:]
            ):
                return False
            if w == "from" and start.date().isoformat() != words[i + 1]:
                return False
        return True
    if r.recurrence is not None:
        return False
    if head == "deadline":
        return r.deadline and end == _when(body)
    if head == "day":
        day = _when(body)
        return start == day and end == day + timedelta(days=1)
    if head == "at":
        return start == _when(body) and end is None and r.grain in ("minute", "hour")
    if head == "span":
        a, b = body.split("/")
        return start == _when(a) and end == _when(b)
    return False


def own_verdict(r: TimeParse, want: str) -> str:
    """Return right, ask or wrong for one own case.

    A case that wants a question is right when asked and wrong when answered; one that wants no
    time is right when none is found, asked when the parser asks, wrong when it answers.
    """
    if want == "ask":
        return "right" if r.status == "ask" else "wrong"
    if r.status == "ask":
        return "ask"
    if want == "none":
        return "right" if r.status == "none" else "wrong"
    return "right" if r.status == "ok" and own_matches(r, want) else "wrong"


def report_own(cases: list[OwnCase], show: Iterable[str], show_heldout: bool) -> None:
    """Print right/ask/wrong of the own cases per part, style and (tune part) kind."""
    show = set(show)
    rows: dict[str, Counter[str]] = {}
    listing: list[str] = []
    for case in cases:
        try:
            r = parse_own(case)
            verdict, desc = own_verdict(r, case.want), _describe(r)
        except Exception as exc:  # a crash counts as wrong and is shown
            verdict, desc = "wrong", f"raised {type(exc).__name__}: {exc}"
        keys = [case.part, f"{case.part} {case.style}"]
        if case.part == "tune":
            keys.append(f"tune kind {case.kind}")
        for key in keys:
            rows.setdefault(key, Counter())[verdict] += 1
        if verdict in show and (case.part == "tune" or show_heldout):
            listing.append(
                f"  {verdict:5} {case.part[:4]} {case.id} {case.mode}"
                f" ref={case.ref:%Y-%m-%d %H:%M} {case.text!r} -> {desc}  want {case.want}"
            )
    print("\n== own cases (tests/data/timeparse_cases_*.jsonl; held-out shown as totals only)")
    order = sorted(rows, key=lambda k: (not k.startswith("tune"), "kind" in k, k))
    print_rows({name: rows[name] for name in order}, listing, width=24)


def report(
    title: str, cases: list[Case], parse: Callable[[Case], TimeParse], show: Iterable[str]
) -> None:
    """Print right/ask/wrong per suite and overall for one way of parsing."""
    show = set(show)
    totals: dict[str, Counter[str]] = {s: Counter() for s in (*SUITES, "overall")}
    listing: list[str] = []
    for case in cases:
        try:
            r = parse(case)
            verdict = score(r, case)
            desc = _describe(r)
        except Exception as exc:  # a crash counts as wrong and is shown
            verdict, desc = "wrong", f"raised {type(exc).__name__}: {exc}"
        totals[case.suite][verdict] += 1
        totals["overall"][verdict] += 1
        if verdict in show:
            listing.append(
                f"  {verdict:5} {case.suite[:4]} ref={case.ref:%Y-%m-%d %H:%M} {case.text!r}"
                f" -> {desc}  want {_alts(case)}"
            )
    print(f"\n== {title}")
    print_rows(totals, listing, width=12)


def print_rows(rows: dict[str, Counter[str]], listing: list[str], width: int) -> None:
    """Print one right/ask/wrong line per row, then the listed cases."""
    for name, c in rows.items():
        n = sum(c.values()) or 1
        print(
            f"  {name:{width}} n={n:4}  right {c['right']:4} ({100 * c['right'] / n:5.1f}%)"
            f"  ask {c['ask']:3} ({100 * c['ask'] / n:4.1f}%)"
            f"  wrong {c['wrong']:3} ({100 * c['wrong'] / n:4.1f}%)"
        )
    for line in listing:
        print(line)


def speed(cases: list[Any], parse: Callable[[Any], Any], passes: int) -> float:
    """Return expressions parsed per second over all cases and several passes."""
    t0 = time.perf_counter()
    n = 0
    for _ in range(passes):
        for case in cases:
            try:
                parse(case)
            except Exception:  # a peer may raise; it still took the time
                pass
            n += 1
    return n / (time.perf_counter() - t0)


def jionlp_peer() -> Callable[[Case], TimeParse] | str:
    """Return a parse function backed by jionlp, or the reason it cannot be used."""
    try:
        import jionlp  # type: ignore[import-not-found]
    except Exception as exc:  # not a dependency: install it beside the bench to compare
        return f"jionlp not importable ({type(exc).__name__}: {exc})"

    logging.disable(logging.CRITICAL)  # jionlp logs a traceback for every text it rejects

    def parse(case: Case) -> TimeParse:
        """Parse with jionlp and map its answer onto a TimeParse."""
        base = case.ref.replace(tzinfo=None).timestamp()
        try:
            res = jionlp.parse_time(case.text, time_base=base)
        except Exception:
            return TimeParse(status="none")
        kind, value = res.get("type"), res.get("time")
        if kind in ("time_point", "time_span") and isinstance(value, list):
            start = datetime.fromisoformat(value[0]).replace(tzinfo=TZ)
            end = datetime.fromisoformat(value[1]).replace(tzinfo=TZ) + timedelta(seconds=1)
            return TimeParse(status="ok", start=start, end=end)
        if kind == "time_delta" and isinstance(value, dict):
            unit = {"year": 31536000, "month": 2592000, "day": 86400, "hour": 3600,
                    "minute": 60, "second": 1}  # fmt: skip
            secs = sum(float(v) * unit.get(k, 0) for k, v in value.items() if v is not None)
            return TimeParse(status="ok", duration=timedelta(seconds=secs))
        return TimeParse(status="none")

    return parse


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the figures."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--passes", type=int, default=5)
    ap.add_argument("--show", default="", help="comma list of verdicts to list: wrong,ask,right")
    ap.add_argument("--no-peer", action="store_true")
    ap.add_argument(
        "--show-heldout",
        action="store_true",
        help="list held-out cases too (only once tuning is over: it makes them seen)",
    )
    ap.add_argument("--own-only", action="store_true", help="score the own cases only")
    ap.add_argument(
        "--peer-path", type=Path, help="a folder with the peer installed (pip install --target)"
    )
    args = ap.parse_args(argv)
    if args.peer_path:
        sys.path.append(str(args.peer_path))
    show = [s for s in args.show.split(",") if s]
    own = load_own()
    report_own(own, show, args.show_heldout)
    if args.own_only:
        return 0
    if not args.data.is_dir():
        print(f"no data at {args.data}: pass --data DIR")
        return 2
    all_cases = load(args.data)
    kept: list[Case] = []
    removed: Counter[str] = Counter()
    for case in all_cases:
        rule = exclusion(case)
        if rule:
            removed[rule] += 1
        else:
            kept.append(case)
    print(f"cases: {len(all_cases)}; booking-relevant kept: {len(kept)}")
    for rule in (
        "holiday or season",
        "lunar date",
        "traditional script",
        "span longer than a week",
    ):
        print(f"  excluded by {rule}: {removed[rule]}")

    def understand(c: Case) -> TimeParse:
        """Parse as a reader of the expression: past dates and parts of day are answers."""
        return parse_time(c.text, c.ref, allow_past=True)

    def booking(c: Case) -> TimeParse:
        """Parse as the booking dialog does: past dates and clockless parts of day are asked."""
        return parse_time(c.text, c.ref, need_start=True)

    report(
        "officebot timeparse (general: allow_past=True, need_start=False)", kept, understand, show
    )
    report("officebot timeparse (booking: defaults, need_start=True)", kept, booking, ())
    rate = speed(all_cases, understand, args.passes)
    print(f"\n  speed: {rate:,.0f} expressions/s ({len(all_cases)} cases x {args.passes} passes)")
    own_rate = speed(own, parse_own, args.passes)
    print(f"  speed on own cases: {own_rate:,.0f} expressions/s ({len(own)} x {args.passes})")
    if not args.no_peer:
        peer = jionlp_peer()
        if isinstance(peer, str):
            print(f"\n== peer jionlp: skipped, {peer}")
        else:
            report("peer: jionlp.parse_time (never asks)", kept, peer, ())
            prate = speed(all_cases, peer, 1)
            print(f"\n  peer speed: {prate:,.0f} expressions/s ({len(all_cases)} cases x 1 pass)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
