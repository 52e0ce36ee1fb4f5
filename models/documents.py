"""Documents and supervision: incoming (收文) and outgoing (发文) documents, handling, slips."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from tortoise import fields
from tortoise.models import Model


class IncomingStatus(StrEnum):
    DRAFT = "draft"
    REGISTERED = "registered"
    SIGNING = "signing"
    RETURNED = "returned"
    SIGNED = "signed"
    HANDLING = "handling"
    DONE = "done"
    FILED = "filed"


class OutgoingStatus(StrEnum):
    DRAFT = "draft"
    PENDING = "pending"
    ISSUED = "issued"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"
    VOIDED = "voided"


class SlipStatus(StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    DONE = "done"
    CANCELLED = "cancelled"


class SlipSource(StrEnum):
    INSTRUCTION = "instruction"
    MEETING = "meeting"
    MANUAL = "manual"


class AssignmentStatus(StrEnum):
    ASSIGNED = "assigned"
    WORKING = "working"
    REPORTED = "reported"
    DONE = "done"
    CANCELLED = "cancelled"


class ExtensionStatus(StrEnum):
    PENDING = "pending"
    GRANTED = "granted"
    REFUSED = "refused"
    WITHDRAWN = "withdrawn"


class DocumentCounter(Model):
    """The last number taken in one sequence (a prefix and a year): locked to take the next."""

    id = fields.IntField(primary_key=True)
    #: The sequence's prefix (收文, 园区发, 督办, 督查专报).
    prefix = fields.CharField(max_length=32)
    year = fields.IntField()
    taken = fields.IntField(default=0)

    class Meta:
        table = "document_counter"
        unique_together = (("prefix", "year"),)


class IncomingDocument(Model):
    """One incoming document (收文) with the register's fields, from registration to filing."""

    id = fields.IntField(primary_key=True)
    status = fields.CharEnumField(IncomingStatus, max_length=16, default=IncomingStatus.DRAFT)
    #: Registration number within the year (收文〔year〕0001号), null while a draft.
    year = fields.IntField(null=True)
    seq = fields.IntField(null=True)
    received_on = fields.DateField()
    #: The sending authority (来文单位).
    sender = fields.CharField(max_length=128, default="")
    #: The sender's reference (文号), e.g. 宜环发〔2026〕35号.
    ref_no = fields.CharField(max_length=64, default="")
    title = fields.CharField(max_length=300, default="")
    #: Attachments as the document lists them (附件).
    attachments = fields.CharField(max_length=200, default="")
    copies = fields.IntField(default=1)
    #: Secrecy level (密级) of a non-classified document: 非密 or 内部.
    secrecy = fields.CharField(max_length=16, default="非密")
    #: Urgency (缓急): empty, 加急 or 特急.
    urgency = fields.CharField(max_length=16, default="")
    due_on = fields.DateField(null=True)
    #: What the deadline asks for: submit (报送) or complete (完成).
    due_kind = fields.CharField(max_length=16, default="")
    #: True when the deadline counts in workdays (the notice says 工作日).
    due_workdays = fields.BooleanField(default=False)
    #: Telegram file of the document (a PDF, DOCX or photo) and its name and kind.
    file_id = fields.CharField(max_length=255, default="")
    file_name = fields.CharField(max_length=128, default="")
    file_kind = fields.CharField(max_length=16, default="")
    #: Proposed handling (拟办意见) and who wrote it.
    proposal = fields.TextField(default="")
    proposed_by: fields.ForeignKeyNullableRelation[Any] = fields.ForeignKeyField(
        "core.Staff", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    proposed_at = fields.DatetimeField(null=True)
    #: Leaders who signed and their instructions, written when the sign-off ends.
    signers = fields.CharField(max_length=200, default="")
    instructions = fields.TextField(default="")
    #: Handling the leaders named in their instructions and confirmed: departments and date.
    plan_departments: Any = fields.JSONField(default=list)
    plan_people: Any = fields.JSONField(default=list)
    plan_due_on = fields.DateField(null=True)
    #: The approvals engine's request of the current sign-off.
    approval_request_id = fields.IntField(null=True)
    #: Reply number (复文号), filing date and file number (档号).
    reply_no = fields.CharField(max_length=64, default="")
    filed_on = fields.DateField(null=True)
    file_no = fields.CharField(max_length=64, default="")
    done_at = fields.DatetimeField(null=True)
    #: Number, reference, sender and title, normalised for searching.
    search = fields.TextField(default="")
    created_by: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField(
        "core.Staff", related_name=False, on_delete=fields.RESTRICT
    )
    created_at = fields.DatetimeField()
    registered_at = fields.DatetimeField(null=True, db_index=True)
    updated_at = fields.DatetimeField()

    class Meta:
        table = "incoming_document"
        unique_together = (("year", "seq"),)
        indexes = (("status", "due_on"),)


class OutgoingDocument(Model):
    """One outgoing document (发文): drafted, reviewed (核稿), signed (签发) and numbered."""

    id = fields.IntField(primary_key=True)
    status = fields.CharEnumField(OutgoingStatus, max_length=16, default=OutgoingStatus.DRAFT)
    title = fields.CharField(max_length=300, default="")
    #: Kind of document (文种): 通知, 请示, 报告, 函, 纪要 ...
    doc_type = fields.CharField(max_length=16, default="")
    #: Number prefix (园区发): one sequence per prefix and year.
    prefix = fields.CharField(max_length=32)
    year = fields.IntField(null=True)
    number = fields.IntField(null=True)
    drafter: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField(
        "core.Staff", related_name=False, on_delete=fields.RESTRICT
    )
    department = fields.CharField(max_length=64, default="")
    file_id = fields.CharField(max_length=255, default="")
    file_name = fields.CharField(max_length=128, default="")
    file_kind = fields.CharField(max_length=16, default="")
    approval_request_id = fields.IntField(null=True)
    #: Who reviewed (核稿) and who signed (签发), written when the chain ends.
    reviewer: fields.ForeignKeyNullableRelation[Any] = fields.ForeignKeyField(
        "core.Staff", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    signer: fields.ForeignKeyNullableRelation[Any] = fields.ForeignKeyField(
        "core.Staff", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    issued_at = fields.DatetimeField(null=True, db_index=True)
    #: A numbered document withdrawn later keeps its number, marked void with the reason.
    void_reason = fields.CharField(max_length=200, default="")
    voided_at = fields.DatetimeField(null=True)
    search = fields.TextField(default="")
    created_at = fields.DatetimeField()
    updated_at = fields.DatetimeField()

    class Meta:
        table = "outgoing_document"
        unique_together = (("prefix", "year", "number"),)


class SupervisionSlip(Model):
    """A supervision slip (督办单): an instruction or decision followed up to its close-out."""

    id = fields.IntField(primary_key=True)
    status = fields.CharEnumField(SlipStatus, max_length=16, default=SlipStatus.DRAFT)
    year = fields.IntField(null=True)
    seq = fields.IntField(null=True)
    source = fields.CharEnumField(SlipSource, max_length=16, default=SlipSource.MANUAL)
    #: The leader's instruction or the meeting decision, in its words.
    source_text = fields.TextField(default="")
    #: What is to be done (督办事项).
    matter = fields.CharField(max_length=300, default="")
    leader: fields.ForeignKeyNullableRelation[Any] = fields.ForeignKeyField(
        "core.Staff", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    document: fields.ForeignKeyNullableRelation[IncomingDocument] = fields.ForeignKeyField(
        "documents.IncomingDocument", related_name="slips", null=True,
        on_delete=fields.SET_NULL,
    )
    #: While a draft: the departments proposed (the first leads) and the people named.
    plan_departments: Any = fields.JSONField(default=list)
    plan_people: Any = fields.JSONField(default=list)
    due_on = fields.DateField(null=True)
    due_workdays = fields.BooleanField(default=False)
    closed_at = fields.DatetimeField(null=True)
    search = fields.TextField(default="")
    created_by: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField(
        "core.Staff", related_name=False, on_delete=fields.RESTRICT
    )
    created_at = fields.DatetimeField()
    opened_at = fields.DatetimeField(null=True)
    updated_at = fields.DatetimeField()

    class Meta:
        table = "supervision_slip"
        unique_together = (("year", "seq"),)


class Assignment(Model):
    """One department's share of handling (承办) a document or a slip, with its deadline."""

    id = fields.IntField(primary_key=True)
    document: fields.ForeignKeyNullableRelation[IncomingDocument] = fields.ForeignKeyField(
        "documents.IncomingDocument", related_name="assignments", null=True,
        on_delete=fields.CASCADE,
    )
    slip: fields.ForeignKeyNullableRelation[SupervisionSlip] = fields.ForeignKeyField(
        "documents.SupervisionSlip", related_name="assignments", null=True,
        on_delete=fields.SET_NULL,
    )
    department = fields.CharField(max_length=64)
    #: The responsible person (责任人) of the department.
    staff: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField(
        "core.Staff", related_name=False, on_delete=fields.RESTRICT
    )
    #: True for the lead department (牵头), false for a co-department (协办).
    lead = fields.BooleanField(default=False)
    status = fields.CharEnumField(AssignmentStatus, max_length=16,
                                  default=AssignmentStatus.ASSIGNED)
    due_on = fields.DateField()
    due_workdays = fields.BooleanField(default=False)
    #: The first deadline (before any extension).
    first_due_on = fields.DateField()
    progress = fields.TextField(default="")
    progress_at = fields.DatetimeField(null=True)
    report_text = fields.TextField(default="")
    #: Files of the completion report as a list of [file id, name, kind].
    report_files: Any = fields.JSONField(default=list)
    reported_at = fields.DatetimeField(null=True)
    review_request_id = fields.IntField(null=True)
    done_at = fields.DatetimeField(null=True, db_index=True)
    created_at = fields.DatetimeField()

    class Meta:
        table = "document_assignment"
        indexes = (("status", "due_on"),)


class AssignmentEvent(Model):
    """What happened in handling: progress, extensions, reports, reviews, chases."""

    id = fields.IntField(primary_key=True)
    assignment: fields.ForeignKeyRelation[Assignment] = fields.ForeignKeyField(
        "documents.Assignment", related_name="events", on_delete=fields.CASCADE
    )
    kind = fields.CharField(max_length=24)
    actor: fields.ForeignKeyNullableRelation[Any] = fields.ForeignKeyField(
        "core.Staff", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    text = fields.TextField(default="")
    files: Any = fields.JSONField(default=list)
    at = fields.DatetimeField()

    class Meta:
        table = "document_assignment_event"


class Extension(Model):
    """A request to move an assignment's deadline, asked before it and decided by sign-off."""

    id = fields.IntField(primary_key=True)
    assignment: fields.ForeignKeyRelation[Assignment] = fields.ForeignKeyField(
        "documents.Assignment", related_name="extensions", on_delete=fields.CASCADE
    )
    asked_by: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField(
        "core.Staff", related_name=False, on_delete=fields.RESTRICT
    )
    reason = fields.CharField(max_length=300)
    old_due_on = fields.DateField()
    new_due_on = fields.DateField()
    status = fields.CharEnumField(ExtensionStatus, max_length=16,
                                  default=ExtensionStatus.PENDING)
    approval_request_id = fields.IntField(null=True)
    created_at = fields.DatetimeField()
    decided_at = fields.DatetimeField(null=True)

    class Meta:
        table = "document_extension"


class Chase(Model):
    """One chase of an assignment at one level on one day (the unique key allows one a day)."""

    id = fields.IntField(primary_key=True)
    assignment: fields.ForeignKeyRelation[Assignment] = fields.ForeignKeyField(
        "documents.Assignment", related_name="chases", on_delete=fields.CASCADE
    )
    #: person, head or office.
    level = fields.CharField(max_length=8)
    day = fields.DateField()
    colour = fields.CharField(max_length=8)
    at = fields.DatetimeField()

    class Meta:
        table = "document_chase"
        unique_together = (("assignment", "level", "day"),)


class DocumentChase(Model):
    """A chase of the office about a document not yet assigned (one a day)."""

    id = fields.IntField(primary_key=True)
    document: fields.ForeignKeyRelation[IncomingDocument] = fields.ForeignKeyField(
        "documents.IncomingDocument", related_name="chases", on_delete=fields.CASCADE
    )
    day = fields.DateField()
    colour = fields.CharField(max_length=8)
    at = fields.DatetimeField()

    class Meta:
        table = "document_office_chase"
        unique_together = (("document", "day"),)


class Prompt(Model):
    """What a person's next message answers (a field, an instruction, a report), one at a time."""

    id = fields.IntField(primary_key=True)
    staff: fields.OneToOneRelation[Any] = fields.OneToOneField(
        "core.Staff", related_name=False, on_delete=fields.CASCADE
    )
    #: What is asked, e.g. in.title, instruct, progress, extend, report.
    action = fields.CharField(max_length=24)
    #: The record it is about (a draft, an assignment, an approval card).
    target = fields.IntField()
    data: Any = fields.JSONField(default=dict)
    created_at = fields.DatetimeField()

    class Meta:
        table = "document_prompt"


class Refusal(Model):
    """A classified document refused: only who, when and why are kept, nothing of it."""

    id = fields.IntField(primary_key=True)
    staff: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField(
        "core.Staff", related_name=False, on_delete=fields.RESTRICT
    )
    #: typed, pdf, docx or photo.
    source = fields.CharField(max_length=16)
    #: The secrecy word that was found (秘密, 机密, 绝密 or 涉密).
    word = fields.CharField(max_length=8)
    at = fields.DatetimeField()

    class Meta:
        table = "document_refusal"


class Bulletin(Model):
    """One issue of the weekly supervision bulletin (督查专报): one per week, numbered per year."""

    id = fields.IntField(primary_key=True)
    year = fields.IntField()
    issue = fields.IntField()
    #: ISO week the issue covers, e.g. 2026-W48.
    week = fields.CharField(max_length=10, unique=True)
    created_at = fields.DatetimeField()

    class Meta:
        table = "document_bulletin"
        unique_together = (("year", "issue"),)
