"""Repairs (维修): places and outside companies the office keeps, fault reports and their work."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.migrations.constraints import CheckConstraint
from tortoise.models import Model

from models.checks import postgres_check, sqlite_check
from models.core import Staff


class Urgency(StrEnum):
    URGENT = "urgent"
    NORMAL = "normal"
    LOW = "low"


class RepairStatus(StrEnum):
    DRAFT = "draft"
    REPORTED = "reported"
    ASSIGNED = "assigned"
    IN_PROGRESS = "in_progress"
    #: The cost is above the threshold and waits for approval.
    APPROVAL = "approval"
    #: The handler finished, the reporter has not confirmed yet.
    DONE = "done"
    CONFIRMED = "confirmed"
    CANCELLED = "cancelled"


#: Statuses of a repair still being worked on (chased when overdue).
OPEN = (RepairStatus.REPORTED, RepairStatus.ASSIGNED, RepairStatus.IN_PROGRESS,
        RepairStatus.APPROVAL)


class RepairPlace(Model):
    """A place repairs are reported for: a building and a spot in it (floor, room, area)."""

    id = fields.IntField(primary_key=True)
    building = fields.CharField(max_length=32)
    spot = fields.CharField(max_length=64, default="")
    #: Building and spot as people write them (3号楼 2楼会议室).
    name = fields.CharField(max_length=100, unique=True)
    active = fields.BooleanField(default=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "repair_place"

    def __str__(self) -> str:
        return self.name


class RepairCompany(Model):
    """An outside company the office gives repairs to (property management, lift maintenance)."""

    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=64, unique=True)
    contact = fields.CharField(max_length=32, default="")
    phone = fields.CharField(max_length=32, default="")
    active = fields.BooleanField(default=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "repair_company"

    def __str__(self) -> str:
        return self.name


class Repair(Model):
    """One fault report, from the report to the reporter's rating."""

    id = fields.IntField(primary_key=True)
    reporter: fields.ForeignKeyRelation[Staff] = fields.ForeignKeyField(
        "core.Staff", related_name=False, on_delete=fields.RESTRICT
    )
    place: fields.ForeignKeyNullableRelation[RepairPlace] = fields.ForeignKeyField(
        "repairs.RepairPlace", related_name=False, null=True, on_delete=fields.RESTRICT
    )
    #: A place named in the report that is not on the list (kept to say so).
    unknown_place = fields.CharField(max_length=64, default="")
    description = fields.CharField(max_length=500, default="")
    #: Telegram file ids of the photos.
    photos: fields.JSONField[list[str]] = fields.JSONField(default=list)
    urgency = fields.CharEnumField(Urgency, max_length=16, default=Urgency.NORMAL)
    status = fields.CharEnumField(RepairStatus, max_length=16, default=RepairStatus.DRAFT)
    #: Who does the work: a staff member, or an outside company followed by an office clerk.
    handler: fields.ForeignKeyNullableRelation[Staff] = fields.ForeignKeyField(
        "core.Staff", related_name=False, null=True, on_delete=fields.RESTRICT
    )
    company: fields.ForeignKeyNullableRelation[RepairCompany] = fields.ForeignKeyField(
        "repairs.RepairCompany", related_name=False, null=True, on_delete=fields.RESTRICT
    )
    assigned_by: fields.ForeignKeyNullableRelation[Staff] = fields.ForeignKeyField(
        "core.Staff", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    reported_at = fields.DatetimeField(null=True, db_index=True)
    #: When the work must be done by, from the urgency (2 hours, 1 or 3 workdays).
    due_at = fields.DatetimeField(null=True, db_index=True)
    assigned_at = fields.DatetimeField(null=True)
    accepted_at = fields.DatetimeField(null=True)
    done_at = fields.DatetimeField(null=True)
    work_done = fields.CharField(max_length=500, default="")
    cost = fields.DecimalField(max_digits=12, decimal_places=2, null=True)
    #: An estimate the handler gave before the work.
    estimate = fields.DecimalField(max_digits=12, decimal_places=2, null=True)
    #: The amount an approval allowed (work above the threshold needs it first).
    approved_amount = fields.DecimalField(max_digits=12, decimal_places=2, null=True)
    approval_request_id = fields.IntField(null=True)
    confirmed_at = fields.DatetimeField(null=True)
    rating = fields.IntField(null=True)
    rating_note = fields.CharField(max_length=200, default="")
    chase_count = fields.IntField(default=0)
    last_chased_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField()

    class Meta:
        table = "repair"
        constraints = [
            CheckConstraint(check="rating IS NULL OR rating BETWEEN 1 AND 5",
                            name="repair_rating_range"),
            CheckConstraint(
                check="(cost IS NULL OR cost >= 0) AND (estimate IS NULL OR estimate >= 0)",
                name="repair_amounts_non_negative"),
            CheckConstraint(check="handler_id IS NULL OR company_id IS NULL",
                            name="repair_one_handler"),
        ]


class RepairEvent(Model):
    """One thing that happened to a repair (the history the ledger and the card show)."""

    id = fields.IntField(primary_key=True)
    repair: fields.ForeignKeyRelation[Repair] = fields.ForeignKeyField(
        "repairs.Repair", related_name="events", on_delete=fields.CASCADE
    )
    actor: fields.ForeignKeyNullableRelation[Staff] = fields.ForeignKeyField(
        "core.Staff", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    #: report, assign, accept, decline, progress, photo, estimate, finish, approved, refused,
    #: done, reopen, confirm, chase, cancel
    action = fields.CharField(max_length=16)
    note = fields.CharField(max_length=500, default="")
    amount = fields.DecimalField(max_digits=12, decimal_places=2, null=True)
    #: A photo that came with it (Telegram file id).
    file_id = fields.CharField(max_length=255, default="")
    at = fields.DatetimeField()

    class Meta:
        table = "repair_event"


class RepairPrompt(Model):
    """What the bot waits for a person to type about a repair (a description, progress, cost)."""

    id = fields.IntField(primary_key=True)
    staff: fields.OneToOneRelation[Staff] = fields.OneToOneField(
        "core.Staff", related_name=False, on_delete=fields.CASCADE
    )
    repair: fields.ForeignKeyRelation[Repair] = fields.ForeignKeyField(
        "repairs.Repair", related_name=False, on_delete=fields.CASCADE
    )
    #: description, place, progress, estimate, done, reopen, cancel
    what = fields.CharField(max_length=16)
    created_at = fields.DatetimeField()

    class Meta:
        table = "repair_prompt"


SQLITE_GUARDS = (
    sqlite_check("repair", "repair_rating_range",
                 "NEW.rating IS NULL OR NEW.rating BETWEEN 1 AND 5")
    + sqlite_check("repair", "repair_amounts_non_negative",
                   "(NEW.cost IS NULL OR CAST(NEW.cost AS REAL) >= 0) "
                   "AND (NEW.estimate IS NULL OR CAST(NEW.estimate AS REAL) >= 0)")
    + sqlite_check("repair", "repair_one_handler",
                   "NEW.handler_id IS NULL OR NEW.company_id IS NULL")
)
POSTGRES_GUARDS = [postgres_check("repair", c) for c in Repair.Meta.constraints]
