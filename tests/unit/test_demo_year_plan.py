"""The demo year's plan: the office's volumes, on workdays (调休 included) in working hours,
busier before holidays, and the same year for the same seed."""

from __future__ import annotations

from collections import Counter
from datetime import date, time

from bot.demo_year.people import DEPARTMENTS, people
from bot.demo_year.year import VOLUMES, Planner, busy_weights, year_workdays
from services import workdays


def plan(seed: int, scale: float = 1.0) -> list[tuple[str, str]]:
    return [(act.at.isoformat(), act.kind) for act in Planner(2026, seed, scale,
                                                              people()).plan()]


def test_the_roster_is_the_demo_five_and_forty_staff_in_eight_departments() -> None:
    roster = people()
    assert [p.uid for p in roster[:5]] == [1001, 1002, 1003, 1004, 1005]
    staff = [p for p in roster if p.department in DEPARTMENTS]
    assert len(DEPARTMENTS) == 8 and len(staff) == 40
    assert len({p.name for p in roster}) == len(roster)
    assert all(sum(p.head for p in staff if p.department == d) == 1 for d in DEPARTMENTS)


def test_a_full_year_plays_the_office_volumes() -> None:
    kinds = Counter(kind for _, kind in plan(1))
    for kind in ("incoming", "outgoing", "drafts", "bulletins", "meetings", "media",
                 "opinion", "supplies", "seals", "repairs"):
        assert kinds[kind] == VOLUMES[kind], kind
    assert kinds["info"] == VOLUMES["info_used"] + VOLUMES["info_returned"]
    # The office's 33 receptions are held within the year; one more is planned and rejected.
    assert kinds["receptions_done"] == VOLUMES["receptions"] == 33
    assert kinds["receptions"] == VOLUMES["receptions"] + 1
    assert all(at[:4] == "2026" for at, _ in plan(1))
    # 761 official meals: one with each reception held, the rest recorded in one line.
    assert kinds["meals"] + kinds["receptions_done"] == VOLUMES["meals"] == 761


def test_acts_fall_on_workdays_in_working_hours() -> None:
    acts = Planner(2026, 1, 1.0, people()).plan()
    assert all(workdays.is_workday(a.at.date()) for a in acts)
    assert all(time(8, 0) <= a.at.time() <= time(17, 30) for a in acts)
    # 调休: Saturday 02-14 and Sunday 09-20 are workdays; 02-16 to 02-23 and 10-01 to 10-07
    # are not.
    days = year_workdays(2026)
    assert date(2026, 2, 14) in days and date(2026, 9, 20) in days
    assert not any(date(2026, 10, 1) <= d <= date(2026, 10, 7) for d in days)
    assert not any(date(2026, 2, 16) <= d <= date(2026, 2, 23) for d in days)


def test_the_weeks_before_a_holiday_are_busier() -> None:
    days = year_workdays(2026)
    weights = dict(zip(days, busy_weights(days), strict=True))
    assert weights[date(2026, 9, 30)] == 2.0 and weights[date(2026, 2, 13)] == 2.0
    assert weights[date(2026, 3, 11)] == 1.0
    acts = Planner(2026, 1, 1.0, people()).plan()
    per_day = Counter(a.at.date() for a in acts if a.kind == "incoming")
    busy = [per_day[d] for d in days if weights[d] == 2.0]
    calm = [per_day[d] for d in days if weights[d] == 1.0]
    assert sum(busy) / len(busy) > 1.5 * sum(calm) / len(calm)


def test_the_same_seed_plays_the_same_year_and_another_seed_another() -> None:
    assert plan(5, 0.1) == plan(5, 0.1)
    assert plan(5, 0.1) != plan(6, 0.1)
