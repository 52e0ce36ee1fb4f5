"""Core records: staff and their roles, invites, bound groups, the outbox, processed updates."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from tortoise import fields
from tortoise.models import Model


class Role(StrEnum):
    ADMIN = "admin"
    LEADER = "leader"
    OFFICE = "office"
    STAFF = "staff"


class ChatPurpose(StrEnum):
    OFFICE = "office"
    LEADERS = "leaders"


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    DEAD = "dead"


class Staff(Model):
    """A registered member of the park's staff who may talk to the bot."""

    id = fields.IntField(primary_key=True)
    #: Telegram user id, also the id of the private chat with the bot.
    tg_user_id = fields.BigIntField(unique=True)
    name = fields.CharField(max_length=64)
    username = fields.CharField(max_length=64, null=True)
    role = fields.CharEnumField(Role, max_length=16, default=Role.STAFF)
    department = fields.CharField(max_length=64, default="")
    #: Head of their department (approves the department's requests).
    is_head = fields.BooleanField(default=False)
    #: Chosen language, null for the office default.
    lang = fields.CharField(max_length=8, null=True)
    active = fields.BooleanField(default=True)
    #: False once Telegram refused a message because the user never started the bot.
    reachable = fields.BooleanField(default=True)
    joined_at = fields.DatetimeField(auto_now_add=True)
    invited_by: fields.ForeignKeyNullableRelation[Staff] = fields.ForeignKeyField(
        "core.Staff", related_name=False, null=True, on_delete=fields.SET_NULL
    )

    class Meta:
        table = "staff"

    def __str__(self) -> str:
        return self.name


class Invite(Model):
    """An invite link token that registers whoever opens it with a role and department."""

    id = fields.IntField(primary_key=True)
    token = fields.CharField(max_length=64, unique=True)
    role = fields.CharEnumField(Role, max_length=16)
    department = fields.CharField(max_length=64, default="")
    is_head = fields.BooleanField(default=False)
    #: How many people may join with it, null for any number until it expires.
    max_uses = fields.IntField(null=True, default=1)
    uses = fields.IntField(default=0)
    expires_at = fields.DatetimeField(null=True)
    revoked = fields.BooleanField(default=False)
    created_at = fields.DatetimeField(auto_now_add=True)
    created_by: fields.ForeignKeyNullableRelation[Staff] = fields.ForeignKeyField(
        "core.Staff", related_name=False, null=True, on_delete=fields.SET_NULL
    )

    class Meta:
        table = "invite"


class BoundChat(Model):
    """A group chat marked for what it receives (office work, leaders' alerts)."""

    id = fields.IntField(primary_key=True)
    chat_id = fields.BigIntField()
    title = fields.CharField(max_length=128, default="")
    purpose = fields.CharEnumField(ChatPurpose, max_length=16, unique=True)
    bound_at = fields.DatetimeField(auto_now_add=True)
    bound_by: fields.ForeignKeyNullableRelation[Staff] = fields.ForeignKeyField(
        "core.Staff", related_name=False, null=True, on_delete=fields.SET_NULL
    )

    class Meta:
        table = "bound_chat"


class OutboxMessage(Model):
    """A message the bot starts, written with the change that caused it and sent later."""

    id = fields.BigIntField(primary_key=True)
    #: What happened (a view renders it in the recipient's language at send time).
    kind = fields.CharField(max_length=64)
    chat_id = fields.BigIntField(db_index=True)
    payload: fields.Field[dict[str, Any]] = fields.JSONField(default=dict)
    #: Unique per business event and recipient: writing the same event twice sends once.
    dedup_key = fields.CharField(max_length=191, unique=True)
    status = fields.CharEnumField(OutboxStatus, max_length=16, default=OutboxStatus.PENDING)
    attempts = fields.IntField(default=0)
    next_attempt_at = fields.DatetimeField(db_index=True)
    # The worker holding a sending row renews its lease by a heartbeat while it lives.
    #: A sending row whose lease ran out (a crashed worker) may be claimed again.
    lease_until = fields.DatetimeField(null=True)
    #: The worker holding a sending row (host:pid:random), so a heartbeat renews only its own.
    owner = fields.CharField(max_length=64, null=True)
    #: Failed tries that count towards giving up (5xx, timeouts), never a 429.
    failures = fields.IntField(default=0)
    created_at = fields.DatetimeField()
    sent_at = fields.DatetimeField(null=True)
    last_error = fields.CharField(max_length=255, null=True)
    #: What was actually sent, and where it landed (edits of cards find it here).
    sent_text = fields.TextField(null=True)
    #: The inline keyboard it carries now (JSON), kept with sent_text so that an edit that
    #: would change nothing is skipped instead of refused by Telegram.
    sent_markup = fields.TextField(null=True)
    tg_message_id = fields.BigIntField(null=True)

    class Meta:
        table = "outbox_message"


class ProcessedUpdate(Model):
    """A Telegram update already acted on (a replay of it does nothing)."""

    id = fields.BigIntField(primary_key=True)
    update_id = fields.BigIntField(unique=True)
    processed_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "processed_update"


class InboxStatus(StrEnum):
    PENDING = "pending"
    WORKING = "working"
    DONE = "done"


class InboxUpdate(Model):
    """A Telegram update written down before Telegram is told it arrived (nothing is lost).

    Polling confirms an update to Telegram only once its row is here, the webhook answers 200
    only after; the dispatcher works the rows from the database, one chat in order.
    """

    id = fields.BigIntField(primary_key=True)
    update_id = fields.BigIntField(unique=True)
    #: The chat (or user) whose updates must be handled in order (0 when it has none).
    chat_key = fields.BigIntField(db_index=True)
    payload: fields.Field[dict[str, Any]] = fields.JSONField()
    status = fields.CharEnumField(InboxStatus, max_length=16, default=InboxStatus.PENDING)
    owner = fields.CharField(max_length=64, null=True)
    lease_until = fields.DatetimeField(null=True)
    received_at = fields.DatetimeField()
    done_at = fields.DatetimeField(null=True)

    class Meta:
        table = "inbox_update"


class JobRun(Model):
    """One run of a scheduled job for one period (the unique key stops a second run)."""

    id = fields.IntField(primary_key=True)
    job = fields.CharField(max_length=64)
    period = fields.CharField(max_length=32)
    started_at = fields.DatetimeField()
    finished_at = fields.DatetimeField(null=True)
    status = fields.CharField(max_length=16, default="running")
    detail = fields.TextField(default="")
    #: Which process claimed it.
    owner = fields.CharField(max_length=64, default="")
    #: While running, the owner renews this by a heartbeat (a run past it lost its owner and
    #: is taken over).
    lease_until = fields.DatetimeField(null=True)

    class Meta:
        table = "job_run"
        unique_together = (("job", "period"),)


#: Every change of a staff row, by whichever process, tells the replicas to forget that person
#: (services.staff.STAFF_CACHE; bot.db listens on the channel).
POSTGRES_GUARDS = [
    """CREATE OR REPLACE FUNCTION officebot_staff_changed() RETURNS trigger AS $fn$
    BEGIN
      PERFORM pg_notify('officebot_staff', COALESCE(NEW.tg_user_id, OLD.tg_user_id)::text);
      RETURN NULL;
    END
    $fn$ LANGUAGE plpgsql""",
    """DO $do$ BEGIN
      IF NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgname = 'staff_changed_notify') THEN
        CREATE TRIGGER staff_changed_notify AFTER INSERT OR UPDATE OR DELETE ON staff
        FOR EACH ROW EXECUTE FUNCTION officebot_staff_changed();
      END IF;
    END $do$""",
]

#: One update of a chat in work at a time, whichever replica holds it. The claim only ever
#: takes a chat's oldest update; an update taken in at the door (services.updates.take) counts
#: on this index when two replicas take the first updates of an idle chat at the same moment.
INBOX_ONE_WORKING_PER_CHAT = (
    "CREATE UNIQUE INDEX IF NOT EXISTS inbox_update_one_working_per_chat "
    "ON inbox_update (chat_key) WHERE status = 'working'"
)
SQLITE_GUARDS = [INBOX_ONE_WORKING_PER_CHAT]
POSTGRES_GUARDS += [INBOX_ONE_WORKING_PER_CHAT]

# Telegram's limits across replicas (services.sendrate): one row per chat and one 'global'
# row, each holding when the next message may start (seconds since the epoch, the bot's clock).
# UNLOGGED: nothing in it must outlive a database crash (the next reservations start afresh).
POSTGRES_GUARDS += [
    """CREATE UNLOGGED TABLE IF NOT EXISTS send_slot (
      key TEXT PRIMARY KEY,
      next_at DOUBLE PRECISION NOT NULL
    )""",
    # A function's result type cannot be changed by CREATE OR REPLACE.
    "DROP FUNCTION IF EXISTS officebot_send_slot(TEXT, DOUBLE PRECISION, DOUBLE PRECISION, "
    "DOUBLE PRECISION)",
    """CREATE OR REPLACE FUNCTION officebot_send_slot(chat_key TEXT, now_s DOUBLE PRECISION,
        chat_gap DOUBLE PRECISION, global_gap DOUBLE PRECISION)
        RETURNS TABLE (start_at DOUBLE PRECISION, reserved BOOLEAN) AS $fn$
    DECLARE
      g DOUBLE PRECISION;
      c DOUBLE PRECISION;
    BEGIN
      INSERT INTO send_slot (key, next_at) VALUES ('global', 0), (chat_key, 0)
        ON CONFLICT (key) DO NOTHING;
      -- Always the global row first, then the chat's: no two reservations deadlock.
      SELECT s.next_at INTO g FROM send_slot s WHERE s.key = 'global' FOR UPDATE;
      SELECT s.next_at INTO c FROM send_slot s WHERE s.key = chat_key FOR UPDATE;
      IF c > GREATEST(now_s, g) THEN
        -- The chat is not free yet: take no overall slot (others may use it meanwhile).
        RETURN QUERY SELECT c, FALSE;
        RETURN;
      END IF;
      start_at := GREATEST(now_s, g);
      UPDATE send_slot SET next_at = start_at + global_gap WHERE key = 'global';
      UPDATE send_slot SET next_at = start_at + chat_gap WHERE key = chat_key;
      RETURN QUERY SELECT start_at, TRUE;
    END
    $fn$ LANGUAGE plpgsql""",
]
