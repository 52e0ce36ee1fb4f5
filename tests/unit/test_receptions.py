"""Reception services on a real database: parsing, rules, the database's guards, figures."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from openpyxl import Workbook
from tortoise.exceptions import IntegrityError, OperationalError

from models.core import OutboxMessage, Role, Staff
from models.receptions import Reception, ReceptionMeal, ReceptionStatus
from services import receptions
from services.clock import FixedClock
from services.errors import InvalidInput, StaleAction
from services.receptions import events, parsing
from services.receptions.demo import seed_demo
from services.receptions.rules import Rules, check

RULES = Rules()


def test_numbers_are_read_in_arabic_and_chinese() -> None:
    assert parsing.numbers("1次 来宾八人 陪餐三人 每人一百二十元") == [1, 8, 3, 120]
    assert parsing.numbers("两千五百") == [2500]
    assert parsing.whole_number("１２人", "x") == 12
    with pytest.raises(InvalidInput):
        parsing.whole_number("8到9个", "x")


def test_guest_lines_name_the_first_bad_line() -> None:
    assert parsing.guest_lines("王强 副局长\n李四，科长", 10) == [["王强", "副局长"],
                                                               ["李四", "科长"]]
    with pytest.raises(InvalidInput) as caught:
        parsing.guest_lines("王强 副局长\n李四", 10)
    assert caught.value.params["line"] == 2
    with pytest.raises(InvalidInput) as too_many:
        parsing.guest_lines("\n".join(f"甲{i} 员" for i in range(5)), 4)
    assert too_many.value.code == "receptions.error.guests_too_many"


def test_guest_files_are_read_from_xlsx_and_gbk_csv_with_a_header() -> None:
    book = Workbook()
    for row in (["姓名", "职务"], ["王强", "副局长"], [None, None], ["李四", "科长"]):
        book.active.append(row)  # type: ignore[union-attr]
    out = io.BytesIO()
    book.save(out)
    assert parsing.guest_file("名单.XLSX", out.getvalue(), 10) == [["王强", "副局长"],
                                                                 ["李四", "科长"]]
    csv_bytes = "姓名,职务\n王强,副局长\n".encode("gbk")
    assert parsing.guest_file("a.csv", csv_bytes, 10) == [["王强", "副局长"]]
    with pytest.raises(InvalidInput) as bad:
        parsing.guest_file("a.xlsx", b"PK broken", 10)
    assert bad.value.code == "receptions.error.guest_file_bad"


def test_itinerary_reads_clock_forms_and_refuses_impossible_times() -> None:
    assert parsing.itinerary("9:30 展厅\n10点半 车间\n14时 座谈", 10) == [
        ["09:30", "展厅"], ["10:30", "车间"], ["14:00", "座谈"]]
    with pytest.raises(InvalidInput):
        parsing.itinerary("25:00 展厅", 10)


@pytest.mark.parametrize(("guests", "allowed"), [(1, 3), (10, 3), (11, 3), (12, 4), (30, 10),
                                                 (31, 10)])
def test_accompanying_diners_allowed_follow_the_regulation(guests: int, allowed: int) -> None:
    assert RULES.accompany_allowed(guests) == allowed


def _plan(**fields: Any) -> Reception:
    values: dict[str, Any] = {
        "start": datetime(2026, 12, 3, 1, tzinfo=UTC), "unit": "市发改委", "letter_no": "1号",
        "guest_count": 8, "head_name": "王强", "guests": [["王", "员"]] * 8, "purpose": "调研",
        "meals": 1, "guest_diners": 8, "staff_diners": 3,
        "meal_standard": Decimal(150),
    }
    values.update(fields)
    plan = Reception(**values)
    plan.host_leader_id = 1  # type: ignore[attr-defined]
    return plan


def test_a_plan_within_every_rule_passes_and_each_breach_says_by_how_much() -> None:
    assert check(_plan(), RULES) == []
    codes = {b.code: b.params for b in check(
        _plan(letter_no="", meals=3, staff_diners=5, meal_standard=Decimal("150.5")), RULES)}
    assert codes["letter_missing"] == {}
    assert codes["meals"]["over"] == 2
    assert codes["accompany"] == {"diners": 5, "limit": 3, "guests": 8, "over": 2}
    assert codes["standard"]["over"] == "0.5"
    assert [b.code for b in check(_plan(unit="", purpose=""), RULES)] == ["incomplete"]
    # No meal, no meal rules.
    assert check(_plan(meals=0, staff_diners=9, meal_standard=Decimal(999)), RULES) == []


def test_rules_come_from_the_settings() -> None:
    class S:
        reception_max_meals = 2
        reception_meal_cap_per_person = 120.0
        reception_small_accompany_max = 2
        reception_small_group_max = 5
        reception_large_accompany_ratio = 0.25
        reception_max_guests = 50

    rules = Rules.from_settings(S())
    assert (rules.max_meals, rules.meal_cap_per_person, rules.accompany_allowed(8)) == (
        2, Decimal("120.0"), 2)


async def _people() -> tuple[Staff, Staff]:
    clerk = await Staff.create(tg_user_id=1003, name="张秘书", role=Role.OFFICE)
    leader = await Staff.create(tg_user_id=1002, name="李主任", role=Role.LEADER)
    return clerk, leader


async def _stored(clerk: Staff, leader: Staff, **fields: Any) -> Reception:
    now = datetime(2026, 11, 26, 2, tzinfo=UTC)
    values = {k: v for k, v in vars(_plan()).items() if not k.startswith("_") and k in {
        "start", "unit", "letter_no", "guest_count", "head_name", "guests", "purpose", "meals",
        "guest_diners", "staff_diners", "meal_standard"}}
    values.update(created_by=clerk, host_leader=leader, created_at=now, updated_at=now,
                  end=values["start"] + timedelta(hours=2), room_decided=True,
                  accommodation="")
    values.update(fields)
    return await Reception.create(**values)


async def test_the_database_refuses_impossible_numbers(db: str, fixed_clock: FixedClock) -> None:
    clerk, leader = await _people()
    with pytest.raises((IntegrityError, OperationalError)):
        await _stored(clerk, leader, guest_count=0)
    with pytest.raises((IntegrityError, OperationalError)):
        await _stored(clerk, leader, guest_count=5000)
    with pytest.raises((IntegrityError, OperationalError)):
        await _stored(clerk, leader, staff_diners=-1)
    with pytest.raises((IntegrityError, OperationalError)):
        await _stored(clerk, leader, status=ReceptionStatus.COMPLETED)
    assert await Reception.all().count() == 0


async def test_a_failed_answer_changes_nothing(db: str, fixed_clock: FixedClock) -> None:
    clerk, _ = await _people()
    plan = await receptions.start_or_resume(clerk)
    await receptions.answer(clerk, receptions.Answer("12月3日上午9点到11点"), rules=RULES,
                            tz="Asia/Shanghai")
    before = await Reception.get(id=plan.id)
    with pytest.raises(InvalidInput):
        await receptions.answer(clerk, receptions.Answer(""), rules=RULES, tz="Asia/Shanghai")
    after = await Reception.get(id=plan.id)
    assert (after.step, after.start, after.unit) == (before.step, before.start, "")
    assert after.step == "unit"


async def test_reminders_go_once_to_the_leader_planner_and_office_a_day_before(
        db: str, fixed_clock: FixedClock) -> None:
    clerk, leader = await _people()
    soon = await _stored(clerk, leader, status=ReceptionStatus.APPROVED)
    await _stored(clerk, leader, status=ReceptionStatus.SUBMITTED)  # not approved: no reminder
    assert await events.send_reminders(datetime(2026, 12, 1, 2, tzinfo=UTC)) == 0
    assert await events.send_reminders(datetime(2026, 12, 2, 2, tzinfo=UTC)) == 1
    assert await events.send_reminders(datetime(2026, 12, 2, 3, tzinfo=UTC)) == 0
    rows = await OutboxMessage.filter(kind="receptions.reminder").values_list("chat_id",
                                                                             flat=True)
    assert sorted(rows) == [1002, 1003]
    assert (await Reception.get(id=soon.id)).reminded_at is not None


async def test_completing_counts_meals_and_figures_sum_by_month(
        db: str, fixed_clock: FixedClock) -> None:
    clerk, leader = await _people()
    first = await _stored(clerk, leader, status=ReceptionStatus.APPROVED,
                          start=datetime(2026, 11, 20, 1, tzinfo=UTC))
    second = await _stored(clerk, leader, status=ReceptionStatus.APPROVED,
                           start=datetime(2026, 11, 25, 1, tzinfo=UTC), guest_count=12,
                           guests=[["王", "员"]] * 12)
    with pytest.raises(StaleAction):
        await receptions.record_actuals(clerk, first.id, "实到 8\n用餐 0", RULES)
    for plan, text in ((first, "实到 8\n用餐 1次 来宾8人 陪餐3人\n餐费 1100\n住宿费 600"),
                       (second, "实到 12\n用餐 1次 来宾12人 陪餐4人\n餐费 1600")):
        await receptions.ask_actuals(clerk, plan.id)
        await receptions.record_actuals(clerk, plan.id, text, RULES)
    with pytest.raises(StaleAction):
        await receptions.ask_actuals(clerk, first.id)
    figures = await receptions.reception_figures(datetime(2026, 11, 1, tzinfo=UTC),
                                                 datetime(2026, 12, 1, tzinfo=UTC))
    assert figures["receptions"] == 2 and figures["guests"] == 20
    assert figures["official_meals"] == 2 and figures["accompanying_ratio"] == 0.35
    assert figures["cost"] == Decimal(3300)
    assert figures["cost_by_month"] == {"2026-11": Decimal(3300)}
    assert await receptions.year_meals(2026) == 2
    assert [m.cost for m in await ReceptionMeal.all().order_by("id")] == [Decimal(1100),
                                                                         Decimal(1600)]


async def test_actual_figures_must_be_complete_and_plausible(db: str) -> None:
    with pytest.raises(InvalidInput) as missing:
        receptions.complete.parse_actuals("餐费 100", RULES)
    assert missing.value.code == "receptions.error.actuals_missing"
    with pytest.raises(InvalidInput) as over:
        receptions.complete.parse_actuals("实到 5\n用餐 1次 来宾6人 陪餐1人", RULES)
    assert over.value.code == "receptions.error.guest_diners_over"
    with pytest.raises(InvalidInput) as huge:
        receptions.complete.parse_actuals("实到 5\n用餐 0\n餐费 99999999", RULES)
    assert huge.value.code == "receptions.error.cost_too_big"


async def test_demo_seeds_one_awaiting_approval_and_one_completed_once(
        db: str, fixed_clock: FixedClock) -> None:
    await _people()
    await seed_demo()
    await seed_demo()
    statuses = sorted(r.status.value for r in await Reception.all())
    assert statuses == ["completed", "submitted"]
    pending = await Reception.get(status=ReceptionStatus.SUBMITTED)
    assert pending.approval_request_id is not None
    assert await ReceptionMeal.all().count() == 1
