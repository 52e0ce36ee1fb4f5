"""Official receptions: the plan, its rule checks and approval, and what actually happened."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.migrations.constraints import CheckConstraint
from tortoise.models import Model


class ReceptionStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"
    CANCELLED = "cancelled"
    COMPLETED = "completed"


class Reception(Model):
    """One official reception (公务接待): planned, approved, held and closed."""

    id = fields.IntField(primary_key=True)
    status = fields.CharEnumField(ReceptionStatus, max_length=16, default=ReceptionStatus.DRAFT)
    #: The question the planner is answering now (null when no question is open).
    step = fields.CharField(max_length=32, null=True)
    #: When the open question was asked (an old open question no longer reads free text).
    step_at = fields.DatetimeField(null=True)
    #: True when the open question edits one field and then returns to the summary.
    editing = fields.BooleanField(default=False)
    created_by: fields.ForeignKeyRelation[Model] = fields.ForeignKeyField(
        "core.Staff", related_name=False, on_delete=fields.RESTRICT
    )
    start = fields.DatetimeField(null=True, db_index=True)
    end = fields.DatetimeField(null=True)
    #: The visiting unit (来访单位).
    unit = fields.CharField(max_length=128, default="")
    #: Number of the official letter (公函), empty when only a scan was sent.
    letter_no = fields.CharField(max_length=64, default="")
    #: Telegram file id of the letter's photo or document.
    letter_file_id = fields.CharField(max_length=255, default="")
    guest_count = fields.IntField(null=True)
    head_name = fields.CharField(max_length=64, default="")
    head_title = fields.CharField(max_length=64, default="")
    #: Guests as a list of [name, position].
    guests: fields.JSONField[list[list[str]]] = fields.JSONField(default=list)
    purpose = fields.TextField(default="")
    host_leader: fields.ForeignKeyNullableRelation[Model] = fields.ForeignKeyField(
        "core.Staff", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    #: Accompanying staff, as a list of names.
    accompany: fields.JSONField[list[str]] = fields.JSONField(default=list)
    #: Itinerary stops (参观线路) as a list of [time HH:MM, place].
    itinerary: fields.JSONField[list[list[str]]] = fields.JSONField(default=list)
    #: Meeting room booked through the rooms service (id of the booking and its room name).
    room_booking_id = fields.IntField(null=True)
    room_name = fields.CharField(max_length=64, default="")
    #: True once the planner answered the room question (a room or none).
    room_decided = fields.BooleanField(default=False)
    meals = fields.IntField(null=True)
    guest_diners = fields.IntField(default=0)
    staff_diners = fields.IntField(default=0)
    #: Meal standard per person in yuan.
    meal_standard = fields.DecimalField(max_digits=10, decimal_places=2, default=0)
    accommodation = fields.CharField(max_length=255, null=True)
    #: The approvals engine's request for this plan.
    approval_request_id = fields.IntField(null=True)
    submitted_at = fields.DatetimeField(null=True)
    decided_at = fields.DatetimeField(null=True)
    reminded_at = fields.DatetimeField(null=True)
    actual_guests = fields.IntField(null=True)
    actual_guest_diners = fields.IntField(null=True)
    actual_staff_diners = fields.IntField(null=True)
    actual_meals = fields.IntField(null=True)
    #: Actual cost by item as a list of [item, yuan].
    costs: fields.JSONField[list[list[str]]] = fields.JSONField(default=list)
    cost_total = fields.DecimalField(max_digits=12, decimal_places=2, default=0)
    completed_at = fields.DatetimeField(null=True)
    completed_by: fields.ForeignKeyNullableRelation[Model] = fields.ForeignKeyField(
        "core.Staff", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    created_at = fields.DatetimeField()
    updated_at = fields.DatetimeField()

    class Meta:
        table = "reception"
        constraints = [
            CheckConstraint(
                check="guest_count IS NULL OR guest_count BETWEEN 1 AND 1000",
                name="reception_guest_count_range",
            ),
            CheckConstraint(
                check="guest_diners >= 0 AND staff_diners >= 0 AND meal_standard >= 0",
                name="reception_meal_numbers_non_negative",
            ),
            CheckConstraint(
                check="meals IS NULL OR meals >= 0", name="reception_meals_non_negative"
            ),
            CheckConstraint(
                check="status <> 'completed' OR (actual_guests IS NOT NULL "
                "AND actual_meals IS NOT NULL AND completed_at IS NOT NULL)",
                name="reception_completed_has_actuals",
            ),
        ]


class ReceptionMeal(Model):
    """One official meal held for a reception (counts toward the year's official meals)."""

    id = fields.IntField(primary_key=True)
    reception: fields.ForeignKeyRelation[Reception] = fields.ForeignKeyField(
        "receptions.Reception", related_name="meal_records", on_delete=fields.CASCADE
    )
    #: When it was held (the reception's start).
    held_at = fields.DatetimeField(db_index=True)
    guest_diners = fields.IntField()
    staff_diners = fields.IntField()
    cost = fields.DecimalField(max_digits=12, decimal_places=2, default=0)

    class Meta:
        table = "reception_meal"
        constraints = [
            CheckConstraint(
                check="guest_diners >= 0 AND staff_diners >= 0 AND cost >= 0",
                name="reception_meal_non_negative",
            ),
        ]


class OfficialMeal(Model):
    """An ordinary official meal (公务用餐) recorded in one line by the office, outside any
    reception plan; counts toward the year's official meals with the receptions' meals."""

    id = fields.IntField(primary_key=True)
    #: When it was held (noon of the day given, in the office's time zone).
    held_at = fields.DatetimeField(db_index=True)
    #: The visiting unit (来访单位).
    unit = fields.CharField(max_length=128)
    guest_diners = fields.IntField()
    staff_diners = fields.IntField()
    #: The kind of meal as typed (工作餐).
    kind = fields.CharField(max_length=32, default="工作餐")
    #: Meal standard per person in yuan.
    standard = fields.DecimalField(max_digits=10, decimal_places=2)
    #: standard × (guests + accompanying diners).
    cost = fields.DecimalField(max_digits=12, decimal_places=2)
    recorded_by: fields.ForeignKeyRelation[Model] = fields.ForeignKeyField(
        "core.Staff", related_name=False, on_delete=fields.RESTRICT
    )
    created_at = fields.DatetimeField()

    class Meta:
        table = "official_meal"
        constraints = [
            CheckConstraint(
                check="guest_diners BETWEEN 1 AND 1000 AND staff_diners >= 0 "
                "AND standard >= 0 AND cost >= 0",
                name="official_meal_numbers",
            ),
        ]


_RECEPTION_OK = (
    "(NEW.guest_count IS NULL OR NEW.guest_count BETWEEN 1 AND 1000)"
    " AND NEW.guest_diners >= 0 AND NEW.staff_diners >= 0"
    " AND CAST(NEW.meal_standard AS REAL) >= 0 AND (NEW.meals IS NULL OR NEW.meals >= 0)"
    " AND (NEW.status <> 'completed' OR (NEW.actual_guests IS NOT NULL"
    " AND NEW.actual_meals IS NOT NULL AND NEW.completed_at IS NOT NULL))"
)
_MEAL_OK = "NEW.guest_diners >= 0 AND NEW.staff_diners >= 0 AND CAST(NEW.cost AS REAL) >= 0"
_OFFICIAL_MEAL_OK = (
    "NEW.guest_diners BETWEEN 1 AND 1000 AND NEW.staff_diners >= 0"
    " AND CAST(NEW.standard AS REAL) >= 0 AND CAST(NEW.cost AS REAL) >= 0"
)

# Why triggers: Tortoise's SQLite schema leaves out Meta.constraints' CHECKs, so the same
# rules are enforced here (PostgreSQL has them as real CHECK constraints).
SQLITE_GUARDS = [
    f"CREATE TRIGGER IF NOT EXISTS reception_guard_{when.lower()} BEFORE {when} ON reception "
    f"WHEN NOT ({_RECEPTION_OK}) "
    "BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: reception numbers'); END;"
    for when in ("INSERT", "UPDATE")
] + [
    f"CREATE TRIGGER IF NOT EXISTS reception_meal_guard_{when.lower()} BEFORE {when} "
    f"ON reception_meal WHEN NOT ({_MEAL_OK}) "
    "BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: reception meal numbers'); END;"
    for when in ("INSERT", "UPDATE")
] + [
    f"CREATE TRIGGER IF NOT EXISTS official_meal_guard_{when.lower()} BEFORE {when} "
    f"ON official_meal WHEN NOT ({_OFFICIAL_MEAL_OK}) "
    "BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: official meal numbers'); END;"
    for when in ("INSERT", "UPDATE")
]


def _pg_check(table: str, constraint: object) -> str:
    name, check = constraint.name, constraint.check  # type: ignore[attr-defined]
    return (
        "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = "
        f"'{name}') THEN ALTER TABLE {table} ADD CONSTRAINT {name} CHECK ({check}); "
        "END IF; END $$;"
    )


# Why here too: the migration's CreateModel does not emit the CHECKs on PostgreSQL either.
POSTGRES_GUARDS = [_pg_check("reception", c) for c in Reception.Meta.constraints] + [
    _pg_check("reception_meal", c) for c in ReceptionMeal.Meta.constraints
] + [_pg_check("official_meal", c) for c in OfficialMeal.Meta.constraints]
