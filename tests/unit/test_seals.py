"""Seal-use services on a real database: names, one-line requests, guards, the register."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from tortoise.exceptions import IntegrityError, OperationalError

from models.core import Role, Staff
from models.seals import Seal, SealRequest, SealStatus
from services import approvals, clock
from services.clock import FixedClock
from services.errors import InvalidInput, NotAllowed, NotFound, StaleAction
from services.seals import catalogue, links, requests
from services.seals.register import register_rows, seal_figures


async def _setup() -> tuple[Staff, Staff, Staff]:
    keeper = await Staff.create(tg_user_id=1003, name="张秘书", role=Role.OFFICE,
                                department="党政办")
    clerk = await Staff.create(tg_user_id=1006, name="赵干事", role=Role.OFFICE,
                               department="党政办")
    worker = await Staff.create(tg_user_id=1004, name="刘工", role=Role.STAFF,
                                department="规划建设局")
    await Seal.create(name="党政办章", flow="seal_use", custodian=keeper)
    await Seal.create(name="合同专用章", flow="seal_use_leader", custodian=keeper,
                      allowed_roles=["leader", "office"])
    return keeper, clerk, worker


@pytest.fixture
def outcomes() -> Iterator[None]:
    """The seal kinds' outcome handler, as the running bot registers it."""
    from services.seals import register_outcomes

    register_outcomes()
    yield


def test_seals_are_found_by_the_part_people_always_say() -> None:
    seals = [Seal(id=1, name="党政办章"), Seal(id=2, name="合同专用章"),
             Seal(id=3, name="党工委章")]
    assert catalogue.short("合同专用章") == "合同" and catalogue.short("党工委章") == "党工委"
    assert catalogue.match_in("用一下合同章", seals)[0].id == 2  # type: ignore[union-attr]
    assert catalogue.match_in("党政办章 3份", seals) == (seals[0], "党政办章")
    assert catalogue.match_in("财务章", seals) == (None, "")


async def test_a_one_line_request_is_read_into_its_fields(db: str, fixed_clock: FixedClock
                                                          ) -> None:
    _, _, worker = await _setup()
    draft = await requests.draft_for(worker)
    filled = await requests.add_text(worker, draft.id, "党政办章 《关于印发2份材料的通知》 三份 "
                                                       "用途：报送市局")
    assert (filled.document, filled.copies, filled.purpose) == (
        "《关于印发2份材料的通知》", 3, "报送市局")
    assert requests.missing(filled) is None and filled.asking == ""


async def test_a_refused_seal_keeps_what_was_typed_and_names_who_may(db: str) -> None:
    _, _, worker = await _setup()
    draft = await requests.draft_for(worker)
    with pytest.raises(NotAllowed) as refused:
        await requests.add_text(worker, draft.id, "合同专用章 《租赁合同》 2份")
    assert refused.value.params == {"seal": "合同专用章", "role": "staff",
                                    "allowed": "leader,office"}
    kept = await SealRequest.get(id=draft.id)
    assert kept.seal_id is None and kept.copies == 2 and kept.document == "《租赁合同》"  # type: ignore[attr-defined]
    with pytest.raises(InvalidInput):
        await requests.set_copies(worker, draft.id, 0)
    with pytest.raises(InvalidInput):
        await requests.set_copies(worker, draft.id, 1001)
    with pytest.raises(NotFound):
        await requests.add_text(worker, draft.id, "财务章")


async def test_the_database_refuses_impossible_counts(db: str) -> None:
    _, _, worker = await _setup()
    seal = await Seal.get(name="党政办章")
    with pytest.raises((IntegrityError, OperationalError)):
        await SealRequest.create(requester=worker, seal=seal, copies=0, created_at=clock.now())
    request = await SealRequest.create(requester=worker, seal=seal, copies=2,
                                       created_at=clock.now())
    with pytest.raises((IntegrityError, OperationalError)):
        await SealRequest.filter(id=request.id).update(used_count=3)
    with pytest.raises((IntegrityError, OperationalError)):
        # Stamped without a place in the register.
        await SealRequest.filter(id=request.id).update(status=SealStatus.USED, used_count=2,
                                                       used_at=clock.now())


async def _approved(worker: Staff, keeper: Staff, title: str) -> SealRequest:
    draft = await requests.draft_for(worker)
    await requests.add_text(worker, draft.id, f"党政办章 《{title}》 2份 用途：存档")
    request = await requests.submit(worker, draft.id)
    card = (await approvals.pending_for(keeper))[-1]
    await approvals.approve(card.id, keeper)
    return await SealRequest.get(id=request.id)


async def test_register_numbers_run_per_year_and_stamps_are_checked(
        db: str, fixed_clock: FixedClock, outcomes: None) -> None:
    keeper, clerk, worker = await _setup()
    fixed_clock.set(datetime(2026, 12, 31, 8, 0, tzinfo=UTC))
    first = await _approved(worker, keeper, "年终总结")
    assert first.status == SealStatus.APPROVED
    with pytest.raises(NotAllowed):
        await requests.stamp(clerk, first.id, 2)  # not the custodian
    with pytest.raises(InvalidInput):
        await requests.stamp(keeper, first.id, 3)  # more than approved
    stamped = await requests.stamp(keeper, first.id, 2)
    assert (stamped.register_year, stamped.register_no) == (2026, 1)
    with pytest.raises(StaleAction):
        await requests.stamp(keeper, first.id, 2)
    # After midnight in Shanghai (still 31 December in UTC) the register starts again.
    fixed_clock.set(datetime(2026, 12, 31, 16, 30, tzinfo=UTC))
    second = await requests.stamp(keeper, (await _approved(worker, keeper, "新年计划")).id, 1)
    assert (second.register_year, second.register_no) == (2027, 1)
    rows = await register_rows(datetime(2026, 1, 1).date(), datetime(2027, 12, 31).date(),
                               requests.RULES.tz)
    assert [(r.year, r.no, r.approvers) for r in rows] == [(2026, 1, "张秘书"),
                                                           (2027, 1, "张秘书")]


async def test_lapsing_happens_once_and_only_after_the_days_allowed(
        db: str, fixed_clock: FixedClock, outcomes: None) -> None:
    keeper, _, worker = await _setup()
    request = await _approved(worker, keeper, "验收报告")
    assert request.lapses_at == clock.now() + timedelta(days=7)
    assert await requests.lapse_due(clock.now() + timedelta(days=6)) == 0
    later = clock.now() + timedelta(days=7, minutes=1)
    assert await requests.lapse_due(later) == 1
    assert await requests.lapse_due(later) == 0
    assert (await SealRequest.get(id=request.id)).status == SealStatus.LAPSED
    figures = await seal_figures(clock.now() - timedelta(days=1), later + timedelta(days=1))
    assert figures == {"requests": 1, "stamps": 0, "copies": 0, "lapsed": 1}


async def test_a_document_record_links_only_once_its_feature_registers(db: str) -> None:
    _, _, worker = await _setup()
    draft = await requests.draft_for(worker)
    plain = await requests.add_text(worker, draft.id, "党政办章 发文12 1份 用途：存档")
    assert plain.document == "发文12" and plain.document_ref == ""

    async def titles(record_id: int) -> str | None:
        return {12: "园区发〔2026〕12号 关于安全生产的通知"}.get(record_id)

    links.register("outgoing", titles)
    try:
        other = await SealRequest.create(requester=worker, created_at=clock.now())
        linked = await requests.add_text(worker, other.id, "党政办章 发文 #12 1份 用途：存档")
        assert linked.document_ref == "outgoing:12"
        assert linked.document == "园区发〔2026〕12号 关于安全生产的通知"
        third = await SealRequest.create(requester=worker, created_at=clock.now())
        with pytest.raises(NotFound):
            await requests.add_text(worker, third.id, "发文99")
    finally:
        links.unregister("outgoing")


def test_the_annual_sentence_names_seal_use_only_in_a_year_that_had_some() -> None:
    from handlers.views.reports import annual_sentence
    from services.reports import none_when_idle
    from services.reports.figures import YearInNumbers

    busy = {"requests": 3.0, "stamps": 2.0, "copies": 5.0, "lapsed": 1.0}
    idle = {"requests": 0.0, "stamps": 0.0, "copies": 0.0, "lapsed": 0.0}
    rooms = {"meetings": 4.0}
    said = annual_sentence(YearInNumbers(2026, {"rooms": rooms, "seals": busy}, [],
                                         {"rooms": None, "seals": none_when_idle(busy)}),
                           "zh_CN")
    assert said == "2026年，党政办全年统筹安排会议4场，严格执行公章使用规定，办理用印申请3件，" \
                   "登记用印2次共5份。"
    quiet = annual_sentence(YearInNumbers(2026, {"rooms": rooms, "seals": idle}, [],
                                          {"rooms": None, "seals": none_when_idle(idle)}), "en")
    assert "seal" not in quiet and quiet.endswith(".")
