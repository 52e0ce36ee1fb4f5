"""Demo documents: a realistic month of about 60 incoming, 7 outgoing and 5 slips, every state.

The records are written directly (a month of history would otherwise flood the chats); the
items still waiting for someone (leaders' sign-offs, 核稿 and 签发, reviews) go through the
approvals engine, so their cards are really there.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from models.approvals import ApprovalAssignee
from models.core import Role, Staff
from models.documents import (
    Assignment,
    AssignmentEvent,
    AssignmentStatus,
    IncomingDocument,
    IncomingStatus,
    OutgoingDocument,
    OutgoingStatus,
    Refusal,
    SlipSource,
    SlipStatus,
    SupervisionSlip,
)
from services import approvals, clock, workdays
from services.documents import common, incoming, outgoing, parsing
from services.documents.common import POLICY
from services.errors import DomainError

SENDERS = [
    ("市生态环境局", "宜环发"), ("市应急管理局", "宜应急发"), ("市发展和改革委员会", "宜发改发"),
    ("市住房和城乡建设局", "宜建发"), ("市工业和信息化局", "宜工信发"), ("市财政局", "宜财发"),
    ("市人力资源和社会保障局", "宜人社发"), ("市市场监督管理局", "宜市监发"),
    ("市委办公室", "宜委办发"), ("市政府办公室", "宜政办发"),
    ("市安全生产委员会办公室", "宜安委办"),
    ("市统计局", "宜统字"), ("市自然资源和规划局", "宜资规发"), ("市商务局", "宜商发"),
]
TOPICS = [
    "开展冬季大气污染防治专项检查", "做好岁末年初安全生产工作", "报送2026年度重点项目推进情况",
    "开展危险化学品企业隐患排查整治", "做好园区企业用工情况统计", "开展2026年度统计年报工作",
    "加强建设工程质量安全监管", "推进工业企业数字化转型", "开展消防安全专项整治",
    "做好园区污水管网排查", "开展营商环境评价自查", "报送节能减排工作总结",
    "落实重点群体就业帮扶政策", "开展食品安全风险隐患排查", "做好冬季防汛抗旱物资储备",
    "推进园区绿色低碳循环发展", "开展安全生产月活动总结", "做好重要节假日值班值守",
    "开展城镇燃气安全专项排查", "组织申报省级专精特新企业",
]
KINDS = ("通知", "通知", "通知", "函", "意见", "通报")
#: How many of the month's incoming documents rest in each state (one waits for the leader: a
#: card each is what a leader of the demo should find, not a pile).
PLAN = [
    (IncomingStatus.REGISTERED, 5), (IncomingStatus.SIGNING, 1), (IncomingStatus.RETURNED, 1),
    (IncomingStatus.SIGNED, 4), (IncomingStatus.HANDLING, 22), (IncomingStatus.DONE, 21),
    (IncomingStatus.FILED, 6),
]


def _at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour, 0), POLICY.tz)


def _month_workdays(today: date) -> list[date]:
    days = [today - timedelta(days=n) for n in range(30, 0, -1)]
    return [d for d in days if workdays.is_workday(d)] or days


async def seed_demo() -> None:
    """Create the month of documents once (idempotent: nothing when any exists)."""
    if await IncomingDocument.exists() or await OutgoingDocument.exists():
        return
    office = await Staff.filter(role=Role.OFFICE, active=True).order_by("id").first()
    leader = await Staff.filter(role=Role.LEADER, active=True).order_by("id").first()
    if office is None or leader is None:
        return
    handlers = list(await Staff.filter(active=True).exclude(department="").exclude(
        role=Role.LEADER).order_by("id"))
    rng = random.Random(14)
    today = common.today()
    days = _month_workdays(today)
    documents = await _incoming(rng, office, leader, handlers, days, today)
    await _outgoing(office, leader, handlers, days)
    await _slips(office, leader, handlers, documents, today)
    await Refusal.create(staff=office, source="pdf", word="机密", at=_at(days[3], 10))


async def _incoming(rng: random.Random, office: Staff, leader: Staff, handlers: list[Staff],
                    days: list[date], today: date) -> list[IncomingDocument]:
    states = [status for status, n in PLAN for _ in range(n)]
    # The oldest are the most advanced: filed and done first, fresh ones still with the office.
    order = sorted(states, key=[s for s, _ in PLAN][::-1].index)
    made = []
    for i, status in enumerate(order):
        day = days[min(len(days) - 1, i * len(days) // len(order))]
        sender, prefix = SENDERS[rng.randrange(len(SENDERS))]
        topic = TOPICS[i % len(TOPICS)]
        kind = KINDS[rng.randrange(len(KINDS))]
        due = parsing.add_days(day, rng.choice((5, 10, 15, 20)), True)
        registered = _at(day, 9 + i % 7)
        seq = await common.take_number(common.INCOMING_PREFIX, registered.year)
        document = await IncomingDocument.create(
            status=status, year=registered.year, seq=seq, received_on=day, sender=sender,
            ref_no=f"{prefix}〔{registered.year}〕{rng.randint(3, 160)}号",
            title=f"关于{topic}的{kind}", copies=1, urgency="加急" if i % 9 == 0 else "",
            attachments="1.自查表" if i % 4 == 0 else "", due_on=due, due_kind="submit",
            due_workdays=True, created_by=office, created_at=registered,
            registered_at=registered, updated_at=registered)
        document.search = incoming.search_text(document)
        await document.save(update_fields=["search"])
        if status != IncomingStatus.REGISTERED:
            document.proposal = f"拟请{leader.name}阅示，交{_department(handlers, i)}办理。"
            document.proposed_by, document.proposed_at = office, registered  # type: ignore[assignment]
        if status in (IncomingStatus.SIGNED, IncomingStatus.HANDLING, IncomingStatus.DONE,
                      IncomingStatus.FILED):
            document.signers = leader.name
            unit = _department(handlers, i)
            document.instructions = f"{leader.name}：请{unit}抓紧办理，按期报送。"
        if status == IncomingStatus.FILED:
            document.filed_on = min(today, day + timedelta(days=12))
            document.file_no = f"WS·{registered.year}·Y·{seq:03d}"
        await document.save()
        if status == IncomingStatus.SIGNING:
            await _send_for_signing(office, leader, document)
        elif status == IncomingStatus.RETURNED:
            document.instructions = ""
            await document.save(update_fields=["instructions"])
        elif status in (IncomingStatus.HANDLING, IncomingStatus.DONE, IncomingStatus.FILED):
            await _handled(rng, office, handlers, document, i, today)
        made.append(document)
    return made


def _department(handlers: list[Staff], i: int) -> str:
    departments = sorted({s.department for s in handlers if s.department != "党政办"}) \
        or sorted({s.department for s in handlers})
    return departments[i % len(departments)] if departments else "党政办"


async def _send_for_signing(office: Staff, leader: Staff, document: IncomingDocument) -> None:
    try:
        request = await approvals.submit(
            incoming.KIND, document.id, office, title=document.title,
            details=[("documents.f.number", common.incoming_no(document.year, document.seq))],
            chosen=[leader.id])
    except DomainError:  # no approvals flow configured: it simply waits as registered
        document.status = IncomingStatus.REGISTERED
        await document.save(update_fields=["status"])
        return
    document.approval_request_id = request.id
    await document.save(update_fields=["approval_request_id"])


async def _handled(rng: random.Random, office: Staff, handlers: list[Staff],
                   document: IncomingDocument, i: int, today: date) -> None:
    """The document's assignments: open ones with every colour, or done on time or late."""
    department = _department(handlers, i)
    people = [s for s in handlers if s.department == department] or handlers
    person = people[i % len(people)]
    assert document.registered_at is not None
    start = document.registered_at + timedelta(hours=2)
    if document.status == IncomingStatus.HANDLING:
        # Spread the open deadlines: some passed (red), some close (yellow), most ahead.
        offset = (-4, -1, 1, 2, 3, 6, 9, 12, 15)[i % 9]
        due = today + timedelta(days=offset)
        task = await Assignment.create(
            document=document, department=department, staff=person, lead=True, due_on=due,
            due_workdays=False, first_due_on=due,
            status=AssignmentStatus.WORKING if i % 3 else AssignmentStatus.ASSIGNED,
            progress="已组织自查，正在汇总材料。" if i % 3 else "", progress_at=start
            if i % 3 else None, created_at=start)
        await AssignmentEvent.create(assignment=task, kind="assigned", actor=office,
                                     text=department, at=start)
        document.due_on, document.due_workdays = due, False
        await document.save(update_fields=["due_on", "due_workdays"])
        if i % 11 == 5:
            await _reported(office, person, task)
        return
    due = document.due_on or today
    late = i % 6 == 0
    finished = datetime.combine(due + timedelta(days=2 if late else -1), time(16), POLICY.tz)
    finished = min(finished, clock.now() - timedelta(hours=1))
    task = await Assignment.create(
        document=document, department=department, staff=person, lead=True, due_on=due,
        due_workdays=True, first_due_on=due, status=AssignmentStatus.DONE,
        report_text="已按要求办结，材料已报送。", reported_at=finished, done_at=finished,
        created_at=start)
    await AssignmentEvent.create(assignment=task, kind="passed", actor=office, at=finished)
    document.done_at = finished
    await document.save(update_fields=["done_at"])


async def _reported(office: Staff, person: Staff, task: Assignment) -> None:
    """A completion report waiting for the office's review (a real review card)."""
    task.status, task.report_text = AssignmentStatus.REPORTED, "已完成排查，整改清单见附件。"
    task.reported_at = clock.now() - timedelta(hours=3)
    try:
        request = await approvals.submit(
            "document_review", task.id, person, title="办结审核",
            details=[("documents.f.department", task.department)], chosen=[office.id])
    except DomainError:
        task.status = AssignmentStatus.WORKING
        await task.save()
        return
    task.review_request_id = request.id
    await task.save()


async def _outgoing(office: Staff, leader: Staff, handlers: list[Staff], days: list[date]
                    ) -> None:
    """Seven outgoing documents: issued, voided, in review, at sign-off, sent back, withdrawn,
    a draft."""
    drafter = next((s for s in handlers if s.role == Role.STAFF), office)
    titles = [
        ("通知", "关于开展2026年度园区安全生产大检查的通知"),
        ("报告", "关于园区11月份重点工作推进情况的报告"),
        ("函", "关于商请支持园区污水处理厂提标改造项目的函"),
        ("请示", "关于申请园区道路维修资金的请示"),
        ("纪要", "园区安全生产专题会议纪要"),
        ("通知", "关于做好元旦春节期间值班值守工作的通知"),
        ("意见", "关于进一步规范园区公务接待管理的意见"),
    ]
    states = [OutgoingStatus.ISSUED, OutgoingStatus.VOIDED, "check", "sign",
              OutgoingStatus.REJECTED, OutgoingStatus.WITHDRAWN, OutgoingStatus.DRAFT]
    for i, ((kind, title), state) in enumerate(zip(titles, states, strict=True)):
        day = days[min(len(days) - 1, 3 + i * 3)]
        created = _at(day, 10)
        document = await OutgoingDocument.create(
            title=title, doc_type=kind, prefix=POLICY.prefixes[0], drafter=drafter,
            department=drafter.department, file_name=f"{title[:12]}.docx",
            status=OutgoingStatus.DRAFT, created_at=created, updated_at=created)
        if state in (OutgoingStatus.ISSUED, OutgoingStatus.VOIDED):
            issued = _at(day + timedelta(days=1), 15)
            document.year = issued.year
            document.number = await common.take_number(document.prefix, issued.year)
            document.status, document.issued_at = OutgoingStatus.ISSUED, issued
            document.reviewer, document.signer = office, leader  # type: ignore[assignment]
            if state == OutgoingStatus.VOIDED:
                document.status, document.voided_at = OutgoingStatus.VOIDED, issued + timedelta(
                    days=1)
                document.void_reason = "主送单位有误，已重新发文"
        elif state in (OutgoingStatus.REJECTED, OutgoingStatus.WITHDRAWN):
            document.status = OutgoingStatus(state)
        document.search = outgoing.search_text(document)
        await document.save()
        if state in ("check", "sign"):
            try:
                await outgoing.submit(drafter, document.id)
            except DomainError:
                continue
            if state == "sign":
                card = await ApprovalAssignee.filter(step__request__kind=outgoing.KIND,
                                                     step__request__subject_id=document.id,
                                                     verdict=None).first()
                if card is not None:
                    who = await Staff.get(id=card.approver_id)  # type: ignore[attr-defined]
                    await approvals.approve(card.id, who)


async def _slips(office: Staff, leader: Staff, handlers: list[Staff],
                 documents: list[IncomingDocument], today: date) -> None:
    """Five slips: from a meeting, from instructions and by hand; red, yellow, green, done."""
    plans = [
        (SlipSource.MEETING, "园区安全生产专题会议决定：各部门开展危化品企业隐患排查。",
         "危化品企业隐患排查", -3, False),
        (SlipSource.INSTRUCTION, f"{leader.name}批示：请抓紧推进雨污分流改造，每周报告进度。",
         "雨污分流改造进度", 2, False),
        (SlipSource.INSTRUCTION, f"{leader.name}批示：请做好民生实事项目督办。",
         "民生实事项目推进", 12, False),
        (SlipSource.MANUAL, "党工委交办：完成园区道路标识更新。", "园区道路标识更新", 20,
         False),
        (SlipSource.MEETING, "主任办公会决定：完成园区夜间照明改造。", "园区夜间照明改造", -8,
         True),
    ]
    open_docs = [d for d in documents if d.status == IncomingStatus.HANDLING]
    for i, (source, text, matter, offset, done) in enumerate(plans):
        opened = clock.now() - timedelta(days=20 - i * 3)
        year = common.local(opened).year
        slip = await SupervisionSlip.create(
            status=SlipStatus.DONE if done else SlipStatus.OPEN, year=year,
            seq=await common.take_number(common.SLIP_PREFIX, year), source=source,
            source_text=text, matter=matter,
            leader=leader if source == SlipSource.INSTRUCTION else None,
            document=open_docs[i] if source == SlipSource.INSTRUCTION and i < len(open_docs)
            else None, due_on=today + timedelta(days=offset), created_by=office,
            created_at=opened, opened_at=opened, updated_at=opened,
            closed_at=clock.now() - timedelta(days=2) if done else None)
        slip.search = parsing.search_form(common.slip_no(slip.year, slip.seq), matter, text)
        await slip.save(update_fields=["search"])
        if slip.document_id is not None:  # type: ignore[attr-defined]
            await Assignment.filter(document_id=slip.document_id).update(slip_id=slip.id)  # type: ignore[attr-defined]
            continue
        for j, person in enumerate(_distinct_departments(handlers)[:2]):
            due = today + timedelta(days=offset)
            await Assignment.create(
                slip=slip, department=person.department, staff=person, lead=j == 0,
                due_on=due, due_workdays=False, first_due_on=due,
                status=AssignmentStatus.DONE if done else AssignmentStatus.WORKING,
                progress="已完成过半。" if not done else "", progress_at=opened,
                done_at=slip.closed_at, created_at=opened)


def _distinct_departments(handlers: list[Staff]) -> list[Staff]:
    """One person per department, heads first."""
    chosen: dict[str, Staff] = {}
    for person in sorted(handlers, key=lambda s: (not s.is_head, s.id)):
        chosen.setdefault(person.department, person)
    return list(chosen.values())
