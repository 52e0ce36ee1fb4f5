"""Approval records: requests, their steps, who must decide, decisions, delegations, the audit."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from tortoise import fields
from tortoise.models import Model

from models.core import Staff


class RequestStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


class StepStatus(StrEnum):
    WAITING = "waiting"
    ACTIVE = "active"
    APPROVED = "approved"
    REJECTED = "rejected"
    SKIPPED = "skipped"
    CLOSED = "closed"


class StepMode(StrEnum):
    ANY = "any"
    ALL = "all"


class Verdict(StrEnum):
    APPROVED = "approved"
    REJECTED = "rejected"
    TRANSFERRED = "transferred"
    CLOSED = "closed"


class AuditAction(StrEnum):
    SUBMIT = "submit"
    APPROVE = "approve"
    REJECT = "reject"
    TRANSFER = "transfer"
    ADD_SIGNER = "add_signer"
    WITHDRAW = "withdraw"
    URGE = "urge"
    REMIND = "remind"
    ESCALATE = "escalate"
    DELEGATE = "delegate"


class ApprovalRequest(Model):
    """Something a feature asks to have approved (a booking, a purchase), walking its flow."""

    id = fields.IntField(primary_key=True)
    #: Request kind, the flow's name (room_booking, purchase, ...).
    kind = fields.CharField(max_length=32, db_index=True)
    #: Id of the feature's record this request is about.
    subject_id = fields.IntField()
    requester: fields.ForeignKeyRelation[Staff] = fields.ForeignKeyField(
        "core.Staff", related_name=False, on_delete=fields.RESTRICT
    )
    title = fields.CharField(max_length=200)
    #: Pairs of (text key, value) the card shows.
    details: Any = fields.JSONField(default=list)
    amount = fields.DecimalField(max_digits=14, decimal_places=2, null=True)
    status = fields.CharEnumField(RequestStatus, max_length=16, default=RequestStatus.PENDING)
    created_at = fields.DatetimeField()
    decided_at = fields.DatetimeField(null=True)
    #: Last time the requester urged the approvers (rate limit).
    last_urged_at = fields.DatetimeField(null=True)
    urge_count = fields.IntField(default=0)

    steps: fields.ReverseRelation[ApprovalStep]

    class Meta:
        table = "approval_request"
        indexes = (("kind", "subject_id"),)


class ApprovalStep(Model):
    """One link of a request's chain: who decides, with any-one or all semantics."""

    id = fields.IntField(primary_key=True)
    request: fields.ForeignKeyRelation[ApprovalRequest] = fields.ForeignKeyField(
        "approvals.ApprovalRequest", related_name="steps", on_delete=fields.CASCADE
    )
    #: Order in the chain (configured steps 100, 200, ... and added signers in between).
    seq = fields.IntField()
    #: Text key or plain label of the step.
    label = fields.CharField(max_length=64, default="")
    mode = fields.CharEnumField(StepMode, max_length=8, default=StepMode.ANY)
    #: The approver spec from the flow (resolved when the step starts).
    spec: Any = fields.JSONField(default=dict)
    #: Who is told of this step's decision (staff ids).
    cc: Any = fields.JSONField(default=list)
    #: Spec of who the step escalates to when it waits too long.
    escalate_to: Any = fields.JSONField(default=dict)
    status = fields.CharEnumField(StepStatus, max_length=16, default=StepStatus.WAITING)
    started_at = fields.DatetimeField(null=True)
    decided_at = fields.DatetimeField(null=True)
    reminded_at = fields.DatetimeField(null=True)
    escalated_at = fields.DatetimeField(null=True)

    class Meta:
        table = "approval_step"
        unique_together = (("request", "seq"),)


class ApprovalAssignee(Model):
    """A person who must decide a step (or their delegate), and what they decided."""

    id = fields.IntField(primary_key=True)
    step: fields.ForeignKeyRelation[ApprovalStep] = fields.ForeignKeyField(
        "approvals.ApprovalStep", related_name="assignees", on_delete=fields.CASCADE
    )
    approver: fields.ForeignKeyRelation[Staff] = fields.ForeignKeyField(
        "core.Staff", related_name=False, on_delete=fields.RESTRICT
    )
    #: The delegate who receives the card while the approver is away.
    acting: fields.ForeignKeyNullableRelation[Staff] = fields.ForeignKeyField(
        "core.Staff", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    #: Added by escalation (their decision settles the step on its own).
    escalated = fields.BooleanField(default=False)
    verdict = fields.CharEnumField(Verdict, max_length=16, null=True)
    decided_at = fields.DatetimeField(null=True)
    #: Who actually pressed the button (the approver or the delegate).
    decided_by: fields.ForeignKeyNullableRelation[Staff] = fields.ForeignKeyField(
        "core.Staff", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    comment = fields.TextField(default="")
    created_at = fields.DatetimeField()

    class Meta:
        table = "approval_assignee"


class ApprovalDecision(Model):
    """The one decision that settled a step (the unique key refuses a second)."""

    id = fields.IntField(primary_key=True)
    step: fields.OneToOneRelation[ApprovalStep] = fields.OneToOneField(
        "approvals.ApprovalStep", related_name="decision", on_delete=fields.CASCADE
    )
    outcome = fields.CharField(max_length=16)
    decided_by: fields.ForeignKeyRelation[Staff] = fields.ForeignKeyField(
        "core.Staff", related_name=False, on_delete=fields.RESTRICT
    )
    decided_at = fields.DatetimeField()

    class Meta:
        table = "approval_decision"


class ReasonPrompt(Model):
    """A rejection (or a transfer) waiting for its reason: the approver's next text is it."""

    id = fields.IntField(primary_key=True)
    staff: fields.OneToOneRelation[Staff] = fields.OneToOneField(
        "core.Staff", related_name=False, on_delete=fields.CASCADE
    )
    assignee: fields.ForeignKeyRelation[ApprovalAssignee] = fields.ForeignKeyField(
        "approvals.ApprovalAssignee", related_name=False, on_delete=fields.CASCADE
    )
    created_at = fields.DatetimeField()
    #: The message that asks for the reason: once answered it shows the answer, without buttons
    message_id = fields.BigIntField(null=True)
    #: Set when the reason is a transfer's: the person the card passes to once it is given
    transfer_to: fields.ForeignKeyNullableRelation[Staff] = fields.ForeignKeyField(
        "core.Staff", related_name=False, null=True, on_delete=fields.CASCADE
    )

    class Meta:
        table = "approval_reason_prompt"


class Delegation(Model):
    """An approver away hands their cards to a delegate for a range of dates."""

    id = fields.IntField(primary_key=True)
    principal: fields.ForeignKeyRelation[Staff] = fields.ForeignKeyField(
        "core.Staff", related_name=False, on_delete=fields.RESTRICT
    )
    delegate: fields.ForeignKeyRelation[Staff] = fields.ForeignKeyField(
        "core.Staff", related_name=False, on_delete=fields.RESTRICT
    )
    starts_on = fields.DateField()
    ends_on = fields.DateField()
    cancelled = fields.BooleanField(default=False)
    created_at = fields.DatetimeField()

    class Meta:
        table = "approval_delegation"


class ApprovalAction(Model):
    """One thing someone did to a request (append-only: the database refuses edits)."""

    id = fields.BigIntField(primary_key=True)
    request: fields.ForeignKeyNullableRelation[ApprovalRequest] = fields.ForeignKeyField(
        "approvals.ApprovalRequest", related_name="actions", null=True,
        on_delete=fields.RESTRICT,
    )
    action = fields.CharEnumField(AuditAction, max_length=16)
    #: Who did it (null for the scheduler's reminders and escalations).
    actor: fields.ForeignKeyNullableRelation[Staff] = fields.ForeignKeyField(
        "core.Staff", related_name=False, null=True, on_delete=fields.RESTRICT
    )
    #: The approver the actor stood in for (delegation), or the person acted upon.
    on_behalf_of: fields.ForeignKeyNullableRelation[Staff] = fields.ForeignKeyField(
        "core.Staff", related_name=False, null=True, on_delete=fields.RESTRICT
    )
    target: fields.ForeignKeyNullableRelation[Staff] = fields.ForeignKeyField(
        "core.Staff", related_name=False, null=True, on_delete=fields.RESTRICT
    )
    step_seq = fields.IntField(null=True)
    comment = fields.TextField(default="")
    at = fields.DatetimeField(db_index=True)

    class Meta:
        table = "approval_action"


SQLITE_GUARDS = [
    """CREATE TRIGGER IF NOT EXISTS approval_action_no_update BEFORE UPDATE ON approval_action
    BEGIN SELECT RAISE(ABORT, 'approval_action is append-only'); END""",
    """CREATE TRIGGER IF NOT EXISTS approval_action_no_delete BEFORE DELETE ON approval_action
    BEGIN SELECT RAISE(ABORT, 'approval_action is append-only'); END""",
]
POSTGRES_GUARDS = [
    """CREATE OR REPLACE FUNCTION approval_action_append_only() RETURNS trigger AS $fn$
    BEGIN RAISE EXCEPTION 'approval_action is append-only'; END
    $fn$ LANGUAGE plpgsql""",
    """DO $do$ BEGIN
      IF NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgname = 'approval_action_append_only') THEN
        CREATE TRIGGER approval_action_append_only BEFORE UPDATE OR DELETE ON approval_action
        FOR EACH ROW EXECUTE FUNCTION approval_action_append_only();
      END IF;
    END $do$""",
]
