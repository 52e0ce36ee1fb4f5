"""What free text in a private chat starts (issue 17): a booking only when it clearly asks
for a room; talk about a meeting is offered one; anything else is neither.

The rule was tuned on tests/data/private_intent_tuning.txt; tests/data/private_intent_heldout.txt
was written alongside and kept aside (the rule was not changed after reading it).
"""

from __future__ import annotations

from pathlib import Path

from services.rooms.booking import booking_intent

DATA = Path(__file__).resolve().parents[1] / "data"


def _lines(name: str) -> list[tuple[str, str]]:
    rows = (DATA / name).read_text(encoding="utf-8").splitlines()
    return [(want, text) for want, text in (r.split("\t", 1) for r in rows
                                            if r.strip() and not r.startswith("#"))]


def _misses(name: str) -> list[tuple[str, str, str]]:
    return [(text, want, booking_intent(text) or "none") for want, text in _lines(name)
            if (booking_intent(text) or "none") != want]


def test_every_tuning_line_is_read_as_labelled() -> None:
    assert len(_lines("private_intent_tuning.txt")) >= 40
    assert _misses("private_intent_tuning.txt") == []


def test_held_out_lines_are_read_as_labelled_but_for_two() -> None:
    lines = _lines("private_intent_heldout.txt")
    assert len(lines) == 50
    # 48 of 50 at the time of writing: 明天开会我晚点到 (到 read as a range) is offered a
    # booking card, 下午三点在办公室等我 (办公室) is offered one; neither books anything alone.
    assert len(_misses("private_intent_heldout.txt")) <= 2


def test_the_group_chatter_never_reads_as_a_clear_booking() -> None:
    lines = [line for line in (DATA / "office_chatter.txt").read_text(encoding="utf-8")
             .splitlines() if line.strip() and not line.startswith("#")]
    booked = [line for line in lines if booking_intent(line) == "book"]
    # In a group nothing is read unless addressed to the bot; even addressed, these would
    # mostly be offered a booking rather than start one.
    assert len(booked) <= len(lines) // 10, booked
