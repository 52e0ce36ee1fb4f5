"""Documents services on a real database: reading files and lines, numbers without gaps or
repeats under concurrency, withdrawal after numbering, colours by workdays."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime

import pytest
from tortoise.exceptions import IntegrityError

from models.approvals import ApprovalAssignee
from models.core import Role, Staff
from models.documents import (
    Assignment,
    DocumentCounter,
    IncomingDocument,
    OutgoingDocument,
    OutgoingStatus,
)
from services import approvals, documents
from services.clock import FixedClock
from services.documents import common, incoming, outgoing, parsing
from services.errors import InvalidInput
from tests import documents_files as files

TODAY = date(2026, 11, 26)


# ------------------------------------------------------------------ reading


def test_one_line_registration_reads_sender_reference_title_and_deadline() -> None:
    found = parsing.read_line("市生态环境局 宜环发〔2026〕35号 "
                              "关于开展冬季大气污染防治专项检查的通知 12月20日前报送", TODAY)
    assert (found.sender, found.ref_no, found.title) == (
        "市生态环境局", "宜环发〔2026〕35号", "关于开展冬季大气污染防治专项检查的通知")
    assert (found.due_on, found.due_kind) == (date(2026, 12, 20), "submit")
    # Another order, ASCII brackets and a completion deadline.
    other = parsing.read_line("关于做好安全生产工作的通知 宜安委办[2026]8号 市安委办 "
                              "2026年12月31日前完成", TODAY)
    assert (other.ref_no, other.title, other.due_kind) == (
        "宜安委办〔2026〕8号", "关于做好安全生产工作的通知", "complete")
    assert other.due_on == date(2026, 12, 31)


def test_pdf_and_docx_text_prefill_every_field() -> None:
    for kind, data in (("pdf", files.pdf(files.NOTICE)), ("docx", files.docx(files.NOTICE))):
        text = parsing.extract_text(kind, data)
        found = parsing.read_fields(text, TODAY)
        assert found.sender == "宜兴市生态环境局", kind
        assert found.ref_no == "宜环发〔2026〕35号", kind
        assert found.title == "关于开展冬季大气污染防治专项检查的通知", kind
        assert found.due_on == date(2026, 12, 20) and found.due_kind == "submit", kind


def test_a_damaged_pdf_is_refused_politely() -> None:
    with pytest.raises(InvalidInput) as caught:
        parsing.extract_text("pdf", b"%PDF-1.4 this is not really a pdf")
    assert caught.value.code == "documents.error.unreadable"


def test_secrecy_marks_are_found_but_talk_of_secrets_is_not_a_mark() -> None:
    assert parsing.secrecy_word("机密★1年\n宜国安办发〔2026〕3号") == "机密"
    assert parsing.secrecy_word("关于……\n密级：秘密\n正文") == "秘密"
    assert parsing.secrecy_word("绝密\n关于某事的通知") == "绝密"
    assert parsing.secrecy_word("标题\n" + "正文。" * 60 + "\n秘密\n") == "秘密"
    notice = "关于加强保密工作的通知\n各部门要保守国家秘密和工作秘密，严禁在互联网传输涉密文件。"
    assert parsing.secrecy_word(notice + "正文" * 100) is None
    assert incoming.typed_secrecy("涉密 市委办 关于某事") == "涉密"
    assert incoming.typed_secrecy("市委办 关于保守国家秘密的通知") is None


def test_deadlines_in_workdays_skip_holidays_and_weekends() -> None:
    # 5 workdays from Thursday 09-24: Mid-autumn (25th), the weekend, National Day intervene.
    due = parsing.find_deadline("请于收到通知后5个工作日内报送", date(2026, 9, 24))
    assert due is not None and due[:3] == (date(2026, 10, 9), "submit", True)
    assert parsing.parse_due("3个工作日", date(2026, 9, 24)) == (date(2026, 9, 30), True)
    assert parsing.parse_due("10天", TODAY) == (date(2026, 12, 6), False)
    assert parsing.parse_due("无", TODAY) == (None, False)
    with pytest.raises(InvalidInput) as past:
        parsing.parse_due("11月20日", TODAY)
    assert past.value.code == "documents.error.due_past"
    with pytest.raises(InvalidInput):
        parsing.parse_due("下下周", TODAY)
    # A date without a year early in the next year belongs to it.
    assert parsing.parse_due("1月10日", date(2026, 12, 20)) == (date(2027, 1, 10), False)


def test_colours_count_workdays_when_the_deadline_does(calendar_state: None) -> None:
    due = date(2026, 9, 30)
    # From Thursday 09-24 three workdays remain (28, 29, 30), but six calendar days.
    assert common.days_left(due, date(2026, 9, 24), True) == 3
    assert common.colour(due, True, date(2026, 9, 24)) == common.YELLOW
    assert common.colour(due, False, date(2026, 9, 24)) == common.GREEN
    assert common.colour(due, True, date(2026, 10, 8)) == common.RED
    assert common.days_left(due, date(2026, 10, 8), True) == -1
    assert common.days_left(due, date(2026, 10, 8), False) == -8


def test_instructions_name_departments_people_and_dates_not_report_recipients() -> None:
    found = parsing.propose_handling(
        "请生态环境局配合，规划建设局牵头，刘工具体负责，12月15日前完成并报党政办",
        ["党政办", "规划建设局", "生态环境局"], ["刘工", "陈科长"], TODAY)
    assert found.departments == ("规划建设局", "生态环境局")
    assert found.people == ("刘工",) and found.due_on == date(2026, 12, 15)
    typed = parsing.propose_handling("规划建设局 经济发展局 12月20日",
                                     ["规划建设局"], [], TODAY, strict=True)
    assert typed.unknown == ("经济发展局",)


# ------------------------------------------------------------------ numbers


async def _staff() -> dict[str, Staff]:
    people = {
        "office": await Staff.create(tg_user_id=1003, name="张秘书", role=Role.OFFICE,
                                     department="党政办"),
        "leader": await Staff.create(tg_user_id=1002, name="李主任", role=Role.LEADER,
                                     department="园区领导"),
        "drafter": await Staff.create(tg_user_id=1004, name="刘工", role=Role.STAFF,
                                      department="规划建设局"),
    }
    return people


async def _at_signing(people: dict[str, Staff], n: int) -> list[int]:
    """n outgoing documents through 核稿, each waiting for 签发: the leader's card ids."""
    cards = []
    for i in range(n):
        draft = await outgoing.start(people["drafter"], f"通知 关于第{i + 1}项工作的通知")
        await outgoing.submit(people["drafter"], draft.id)
        check = await ApprovalAssignee.filter(step__request__subject_id=draft.id,
                                              step__request__kind=outgoing.KIND,
                                              verdict=None).first()
        assert check is not None
        await approvals.approve(check.id, people["office"])
        sign = await ApprovalAssignee.filter(step__request__subject_id=draft.id,
                                             step__request__kind=outgoing.KIND,
                                             verdict=None).first()
        assert sign is not None and sign.approver_id == people["leader"].id  # type: ignore[attr-defined]
        cards.append(sign.id)
    return cards


async def test_twenty_concurrent_sign_offs_take_numbers_one_to_twenty(
        db: str, fixed_clock: FixedClock) -> None:
    assert documents.outgoing is outgoing  # the outcome handlers are registered
    people = await _staff()
    cards = await _at_signing(people, 20)
    await asyncio.gather(*(approvals.approve(card, people["leader"]) for card in cards))
    issued = await OutgoingDocument.filter(status=OutgoingStatus.ISSUED).order_by("number")
    assert [d.number for d in issued] == list(range(1, 21))
    assert {d.year for d in issued} == {2026} and {d.prefix for d in issued} == {"园区发"}
    assert all(d.signer_id == people["leader"].id and d.reviewer_id == people["office"].id  # type: ignore[attr-defined]
               for d in issued)
    assert (await DocumentCounter.get(prefix="园区发", year=2026)).taken == 20
    assert outgoing.number_of(issued[0]) == "园区发〔2026〕1号"


async def test_a_voided_number_is_kept_and_never_given_again(
        db: str, fixed_clock: FixedClock) -> None:
    people = await _staff()
    first, second = await _at_signing(people, 2)
    await approvals.approve(first, people["leader"])
    voided = await OutgoingDocument.get(number=1)
    await outgoing.void(people["office"], voided.id, "内容有误，重新发文")
    voided = await OutgoingDocument.get(id=voided.id)
    assert (voided.status, voided.number) == (OutgoingStatus.VOIDED, 1)
    # A document withdrawn before 签发 takes no number at all.
    pending = await outgoing.start(people["drafter"], "函 关于商请支持的函")
    await outgoing.submit(people["drafter"], pending.id)
    await outgoing.withdraw(people["drafter"], pending.id)
    assert (await OutgoingDocument.get(id=pending.id)).number is None
    await approvals.approve(second, people["leader"])
    assert (await OutgoingDocument.get(number=2)).status == OutgoingStatus.ISSUED
    with pytest.raises(IntegrityError):
        await OutgoingDocument.create(title="x", prefix="园区发", year=2026, number=2,
                                      drafter=people["drafter"],
                                      created_at=datetime.now(UTC),
                                      updated_at=datetime.now(UTC))


async def test_twenty_concurrent_registrations_are_numbered_without_gaps(
        db: str, fixed_clock: FixedClock) -> None:
    people = await _staff()
    drafts = [await incoming.start_typed(people["office"], f"市某局 关于第{i}件事的通知")
              for i in range(20)]
    await asyncio.gather(*(incoming.register(people["office"], d.id) for d in drafts))
    numbers = sorted(d.seq for d in await IncomingDocument.filter(year=2026))
    assert numbers == list(range(1, 21))
    one = await IncomingDocument.get(seq=7)
    assert common.incoming_no(one.year, one.seq) == "收文〔2026〕0007号"


async def test_demo_seeds_a_month_in_every_state_once(db: str, fixed_clock: FixedClock) -> None:
    from bot.demo import ROSTER
    from models.documents import IncomingStatus, SlipStatus, SupervisionSlip
    from services.documents import demo

    for uid, name, username, role, dept, head in ROSTER:
        await Staff.create(tg_user_id=uid, name=name, username=username, role=role,
                           department=dept, is_head=head)
    await demo.seed_demo()
    await demo.seed_demo()
    assert await IncomingDocument.all().count() == 60
    assert {d.status for d in await IncomingDocument.all()} == set(IncomingStatus) - {
        IncomingStatus.DRAFT}
    assert await OutgoingDocument.all().count() == 7
    assert {d.status for d in await OutgoingDocument.all()} == set(OutgoingStatus)
    issued = sorted(d.number for d in await OutgoingDocument.exclude(number=None))
    assert issued == list(range(1, len(issued) + 1))
    slips = await SupervisionSlip.all()
    assert len(slips) == 5 and {s.status for s in slips} == {SlipStatus.OPEN, SlipStatus.DONE}
    seqs = sorted(d.seq for d in await IncomingDocument.all())
    assert seqs == list(range(1, 61))
    colours = {common.colour(a.due_on, a.due_workdays, common.today())
               for a in await Assignment.filter(status__in=["assigned", "working"])}
    assert colours == {common.RED, common.YELLOW, common.GREEN}


def test_text_read_from_a_file_loses_its_control_characters(monkeypatch) -> None:
    """Text from a PDF or DOCX goes into registers and exports: no control characters there."""
    dirty = "宜环发\x07〔2026〕35号\x0b关于\x00开展检查的通知\u202e\r\n正文"
    monkeypatch.setattr(parsing, "_pdf_text", lambda content: dirty)
    monkeypatch.setattr(parsing, "_docx_text", lambda content: dirty)
    for kind in ("pdf", "docx"):
        text = parsing.extract_text(kind, b"any")
        assert not any(ord(ch) < 32 and ch != "\n" for ch in text), (kind, text)
        assert "\u202e" not in text and "35号" in text and "开展检查的通知" in text
