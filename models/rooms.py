"""Meeting rooms, their bookings, booking series, booking drafts and calendar feed tokens."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from tortoise import fields
from tortoise.models import Model

from models.core import Staff


class BookingStatus(StrEnum):
    PENDING = "pending"
    CONFIRMED = "confirmed"
    CANCELLED = "cancelled"
    RELEASED = "released"
    REJECTED = "rejected"


#: Statuses that hold the room (the overlap guards look only at these).
HOLDING = (BookingStatus.PENDING, BookingStatus.CONFIRMED)


class DraftStep(StrEnum):
    DAY = "day"
    START = "start"
    LENGTH = "length"
    NEEDS = "needs"
    ROOM = "room"
    TITLE = "title"
    CONFIRM = "confirm"
    ASK = "ask"
    REASON = "reason"
    DONE = "done"
    DROPPED = "dropped"


class Room(Model):
    """A meeting room that staff may book, with its rules."""

    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=64, unique=True)
    building = fields.CharField(max_length=64, default="")
    floor = fields.CharField(max_length=16, default="")
    capacity = fields.IntField()
    #: Equipment codes such as projector, video, whiteboard.
    equipment: fields.JSONField[list[str]] = fields.JSONField(default=list)
    #: Opening hours as minutes after local midnight.
    opens_minute = fields.IntField(default=8 * 60)
    closes_minute = fields.IntField(default=18 * 60)
    #: Longest single booking in minutes.
    max_minutes = fields.IntField(default=240)
    #: How many days ahead the room may be booked.
    max_days_ahead = fields.IntField(default=30)
    #: Roles that may book it (empty list means everyone).
    allowed_roles: fields.JSONField[list[str]] = fields.JSONField(default=list)
    #: Departments that may book it (empty list means every department).
    allowed_departments: fields.JSONField[list[str]] = fields.JSONField(default=list)
    needs_approval = fields.BooleanField(default=False)
    checkin_required = fields.BooleanField(default=False)
    active = fields.BooleanField(default=True)
    #: Secret part of the room's calendar feed address.
    feed_token = fields.CharField(max_length=48, unique=True)

    class Meta:
        table = "room"

    def __str__(self) -> str:
        return self.name


class BookingSeries(Model):
    """A recurring booking: the rule and the occurrences that were booked from it."""

    id = fields.IntField(primary_key=True)
    rule = fields.CharField(max_length=255)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "room_booking_series"


class Booking(Model):
    """One booking of a room for a time span (end exclusive), held while pending or confirmed."""

    id = fields.IntField(primary_key=True)
    room: fields.ForeignKeyRelation[Room] = fields.ForeignKeyField(
        "rooms.Room", related_name="bookings", on_delete=fields.RESTRICT
    )
    organiser: fields.ForeignKeyRelation[Staff] = fields.ForeignKeyField(
        "core.Staff", related_name=False, on_delete=fields.RESTRICT
    )
    title = fields.CharField(max_length=128)
    start_at = fields.DatetimeField(db_index=True)
    end_at = fields.DatetimeField()
    attendees = fields.IntField(default=0)
    status = fields.CharEnumField(BookingStatus, max_length=16, default=BookingStatus.CONFIRMED)
    series: fields.ForeignKeyNullableRelation[BookingSeries] = fields.ForeignKeyField(
        "rooms.BookingSeries", related_name="bookings", null=True, on_delete=fields.SET_NULL
    )
    checked_in_at = fields.DatetimeField(null=True)
    reason = fields.CharField(max_length=255, default="")
    #: Raised on every change, so calendar clients replace the event.
    sequence = fields.IntField(default=0)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "room_booking"


class BookingDraft(Model):
    """A booking dialog in progress: what was entered so far and which step it is at."""

    id = fields.IntField(primary_key=True)
    staff: fields.ForeignKeyRelation[Staff] = fields.ForeignKeyField(
        "core.Staff", related_name=False, on_delete=fields.CASCADE
    )
    chat_id = fields.BigIntField()
    step = fields.CharEnumField(DraftStep, max_length=16, default=DraftStep.DAY)
    day = fields.DateField(null=True)
    start_at = fields.DatetimeField(null=True)
    minutes = fields.IntField(null=True)
    room: fields.ForeignKeyNullableRelation[Room] = fields.ForeignKeyField(
        "rooms.Room", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    #: A room named in the text that does not exist (kept to say so).
    unknown_room = fields.CharField(max_length=64, default="")
    title = fields.CharField(max_length=128, default="")
    attendees = fields.IntField(default=0)
    equipment: fields.JSONField[list[str]] = fields.JSONField(default=list)
    #: RRULE of a recurring booking, with its end (a date or a count).
    recurrence = fields.CharField(max_length=255, default="")
    workdays_only = fields.BooleanField(default=False)
    until = fields.DateField(null=True)
    count = fields.IntField(null=True)
    #: The text being read when the parser asked back, and its question.
    text = fields.TextField(default="")
    question = fields.CharField(max_length=32, default="")
    question_params: fields.JSONField[dict[str, Any]] = fields.JSONField(default=dict)
    #: The booking this dialog changes or cancels (change of time, cancellation with reason).
    target: fields.ForeignKeyNullableRelation[Booking] = fields.ForeignKeyField(
        "rooms.Booking", related_name=False, null=True, on_delete=fields.CASCADE
    )
    booking: fields.ForeignKeyNullableRelation[Booking] = fields.ForeignKeyField(
        "rooms.Booking", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "room_booking_draft"


class PersonFeed(Model):
    """The secret calendar feed address of one person's bookings."""

    id = fields.IntField(primary_key=True)
    staff: fields.OneToOneRelation[Staff] = fields.OneToOneField(
        "core.Staff", related_name=False, on_delete=fields.CASCADE
    )
    token = fields.CharField(max_length=48, unique=True)

    class Meta:
        table = "room_person_feed"


_ACTIVE = "('pending', 'confirmed')"
_OVERLAP = (
    "SELECT RAISE(ABORT, 'room_booking_overlap') WHERE EXISTS (SELECT 1 FROM room_booking b "
    "WHERE b.room_id = NEW.room_id AND b.id IS NOT NEW.id AND b.status IN " + _ACTIVE + " "
    "AND b.start_at < NEW.end_at AND NEW.start_at < b.end_at)"
)

#: Why triggers: SQLite has no exclusion constraints. Times are stored as UTC text of one
#: format (whole minutes), so text comparison orders them.
SQLITE_GUARDS = [
    "CREATE TRIGGER IF NOT EXISTS room_booking_no_overlap_insert BEFORE INSERT ON room_booking "
    f"WHEN NEW.status IN {_ACTIVE} BEGIN "
    "SELECT RAISE(ABORT, 'room_booking_span') WHERE NEW.end_at <= NEW.start_at; "
    f"{_OVERLAP}; END",
    "CREATE TRIGGER IF NOT EXISTS room_booking_no_overlap_update BEFORE UPDATE ON room_booking "
    f"WHEN NEW.status IN {_ACTIVE} BEGIN "
    "SELECT RAISE(ABORT, 'room_booking_span') WHERE NEW.end_at <= NEW.start_at; "
    f"{_OVERLAP}; END",
]

POSTGRES_GUARDS = [
    "CREATE EXTENSION IF NOT EXISTS btree_gist",
    """DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'room_booking_no_overlap') THEN
    ALTER TABLE room_booking ADD CONSTRAINT room_booking_no_overlap EXCLUDE USING gist
      (room_id WITH =, tstzrange(start_at, end_at, '[)') WITH &&)
      WHERE (status IN ('pending', 'confirmed'));
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'room_booking_span') THEN
    ALTER TABLE room_booking ADD CONSTRAINT room_booking_span CHECK (end_at > start_at);
  END IF;
END $$""",
]

#: Any change of the room table, by whichever process, tells the replicas to forget their rooms
#: (services.rooms.catalog.ROOM_CACHE; bot.db listens on the channel).
POSTGRES_GUARDS += [
    """CREATE OR REPLACE FUNCTION officebot_rooms_changed() RETURNS trigger AS $fn$
    BEGIN
      PERFORM pg_notify('officebot_rooms', '');
      RETURN NULL;
    END
    $fn$ LANGUAGE plpgsql""",
    """DO $do$ BEGIN
      IF NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgname = 'room_changed_notify') THEN
        CREATE TRIGGER room_changed_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON room
        FOR EACH STATEMENT EXECUTE FUNCTION officebot_rooms_changed();
      END IF;
    END $do$""",
]
