"""Public-opinion records: watch terms, sources and their polls, items, stories, handling cases."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from tortoise import fields
from tortoise.models import Model

from models.core import Staff


class TermKind(StrEnum):
    #: The park's names and aliases.
    NAME = "name"
    #: A company in the park.
    COMPANY = "company"
    #: Any other word that makes an item about us.
    INCLUDE = "include"
    #: A word that vetoes an item (a namesake elsewhere).
    EXCLUDE = "exclude"


class SourceKind(StrEnum):
    FEED = "feed"
    API = "api"
    MANUAL = "manual"


class CaseStatus(StrEnum):
    PENDING = "pending"
    HANDLING = "handling"
    HANDLED = "handled"
    FALSE_ALARM = "false_alarm"


OPEN_STATUSES = (CaseStatus.PENDING, CaseStatus.HANDLING)


class WatchTerm(Model):
    """A word that marks an item as about the park (or, for exclude words, vetoes it)."""

    id = fields.IntField(primary_key=True)
    kind = fields.CharEnumField(TermKind, max_length=16)
    word = fields.CharField(max_length=64)
    created_at = fields.DatetimeField(auto_now_add=True)
    created_by: fields.ForeignKeyNullableRelation[Staff] = fields.ForeignKeyField(
        "core.Staff", related_name=False, null=True, on_delete=fields.SET_NULL
    )

    class Meta:
        table = "opinion_term"
        unique_together = (("kind", "word"),)


class OpinionSource(Model):
    """Where items come from: a polled RSS/Atom feed, an ingest API caller, or staff by hand."""

    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=64, unique=True)
    kind = fields.CharEnumField(SourceKind, max_length=16, default=SourceKind.FEED)
    #: Feed address (empty for API and manual sources).
    url = fields.CharField(max_length=500, default="")
    enabled = fields.BooleanField(default=True)
    interval_minutes = fields.IntField(default=30)
    timeout_seconds = fields.FloatField(default=20.0)
    #: Validators of the last full answer, sent back for a conditional GET.
    etag = fields.CharField(max_length=255, null=True)
    last_modified = fields.CharField(max_length=64, null=True)
    next_poll_at = fields.DatetimeField(null=True)
    last_polled_at = fields.DatetimeField(null=True)
    last_ok_at = fields.DatetimeField(null=True)
    #: Failures in a row since the last good poll, and all failures ever.
    failures = fields.IntField(default=0)
    total_failures = fields.IntField(default=0)
    last_error = fields.CharField(max_length=255, null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "opinion_source"


class SourcePoll(Model):
    """One poll of a feed: when, what came back, how many new items, what went wrong."""

    id = fields.BigIntField(primary_key=True)
    source: fields.ForeignKeyRelation[OpinionSource] = fields.ForeignKeyField(
        "opinion.OpinionSource", related_name="polls", on_delete=fields.CASCADE
    )
    at = fields.DatetimeField(db_index=True)
    ok = fields.BooleanField()
    #: HTTP status (304 = not modified), 0 when no answer came.
    status = fields.IntField(default=0)
    new_items = fields.IntField(default=0)
    error = fields.CharField(max_length=255, null=True)

    class Meta:
        table = "opinion_poll"


class OpinionCluster(Model):
    """One story: an item and its reposts (near-duplicates) across sources."""

    id = fields.BigIntField(primary_key=True)
    title = fields.CharField(max_length=300, default="")
    first_seen_at = fields.DatetimeField(db_index=True)
    last_seen_at = fields.DatetimeField()
    size = fields.IntField(default=1)
    #: Distinct sources that carried the story.
    source_count = fields.IntField(default=1)
    #: MinHash signature of the first item (reposts are compared with it).
    signature: fields.JSONField[list[int]] = fields.JSONField(default=list)

    class Meta:
        table = "opinion_cluster"


class OpinionItem(Model):
    """A collected article or post, with its relevance, classification and story."""

    id = fields.BigIntField(primary_key=True)
    #: url:..., ext:SOURCE:ID or text:SHA1 (the same item twice is stored once).
    dedup_key = fields.CharField(max_length=191, unique=True)
    url = fields.CharField(max_length=1000, default="")
    #: SHA-1 of the link: one item per link, whoever sends it.
    url_key = fields.CharField(max_length=40, null=True, unique=True)
    external_id = fields.CharField(max_length=191, null=True)
    source: fields.ForeignKeyNullableRelation[OpinionSource] = fields.ForeignKeyField(
        "opinion.OpinionSource", related_name="items", null=True, on_delete=fields.SET_NULL
    )
    #: Where it appeared, as the source named it (a site, an account, a forwarded chat).
    source_name = fields.CharField(max_length=128, default="")
    #: How it arrived: feed, api or manual.
    via = fields.CharEnumField(SourceKind, max_length=16)
    title = fields.CharField(max_length=300, default="")
    text = fields.TextField(default="")
    published_at = fields.DatetimeField(null=True)
    fetched_at = fields.DatetimeField(db_index=True)
    relevant = fields.BooleanField(default=False)
    matched_terms: fields.JSONField[list[str]] = fields.JSONField(default=list)
    neg = fields.BooleanField(default=False)
    sentiment = fields.CharField(max_length=16, default="neutral")
    score = fields.FloatField(default=0.0)
    level = fields.CharField(max_length=16, null=True)
    reasons: fields.JSONField[list[dict[str, Any]]] = fields.JSONField(default=list)
    cluster: fields.ForeignKeyNullableRelation[OpinionCluster] = fields.ForeignKeyField(
        "opinion.OpinionCluster", related_name="items", null=True, on_delete=fields.SET_NULL
    )
    added_by: fields.ForeignKeyNullableRelation[Staff] = fields.ForeignKeyField(
        "core.Staff", related_name=False, null=True, on_delete=fields.SET_NULL
    )

    class Meta:
        table = "opinion_item"


class OpinionCase(Model):
    """The handling record of one negative story: status, person, times, alerts sent."""

    id = fields.IntField(primary_key=True)
    cluster: fields.OneToOneRelation[OpinionCluster] = fields.OneToOneField(
        "opinion.OpinionCluster", related_name="case", on_delete=fields.CASCADE
    )
    item: fields.ForeignKeyRelation[OpinionItem] = fields.ForeignKeyField(
        "opinion.OpinionItem", related_name=False, on_delete=fields.CASCADE
    )
    status = fields.CharEnumField(CaseStatus, max_length=16, default=CaseStatus.PENDING)
    level = fields.CharField(max_length=16, default="yellow")
    created_at = fields.DatetimeField(db_index=True)
    #: When the alert reaches people (later than created_at in quiet hours).
    alert_at = fields.DatetimeField()
    acknowledged_at = fields.DatetimeField(null=True)
    acknowledged_by: fields.ForeignKeyNullableRelation[Staff] = fields.ForeignKeyField(
        "core.Staff", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    assignee: fields.ForeignKeyNullableRelation[Staff] = fields.ForeignKeyField(
        "core.Staff", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    assigned_at = fields.DatetimeField(null=True)
    closed_at = fields.DatetimeField(null=True)
    closed_by: fields.ForeignKeyNullableRelation[Staff] = fields.ForeignKeyField(
        "core.Staff", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    escalations = fields.IntField(default=0)
    #: Source count of the story when it last re-alerted for spreading.
    spread_alerted = fields.IntField(default=0)
    #: Bumped at every change, so each card edit has its own outbox key.
    version = fields.IntField(default=0)
    #: Dedup keys of the alert cards sent (edited when the case changes).
    cards: fields.JSONField[list[list[Any]]] = fields.JSONField(default=list)

    class Meta:
        table = "opinion_case"


class CaseNote(Model):
    """A note on a case: what was done, by whom, when."""

    id = fields.IntField(primary_key=True)
    case: fields.ForeignKeyRelation[OpinionCase] = fields.ForeignKeyField(
        "opinion.OpinionCase", related_name="notes", on_delete=fields.CASCADE
    )
    author: fields.ForeignKeyNullableRelation[Staff] = fields.ForeignKeyField(
        "core.Staff", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    text = fields.TextField()
    created_at = fields.DatetimeField()

    class Meta:
        table = "opinion_case_note"


class NoteRequest(Model):
    """A person was asked for a handling note: their next text message is it."""

    id = fields.IntField(primary_key=True)
    staff: fields.OneToOneRelation[Staff] = fields.OneToOneField(
        "core.Staff", related_name=False, on_delete=fields.CASCADE
    )
    case: fields.ForeignKeyRelation[OpinionCase] = fields.ForeignKeyField(
        "opinion.OpinionCase", related_name=False, on_delete=fields.CASCADE
    )
    chat_id = fields.BigIntField()
    created_at = fields.DatetimeField()
    #: What the note is for: handled (what was done) or false_alarm (why it is no negative item)
    purpose = fields.CharField(max_length=16, default="handled")

    class Meta:
        table = "opinion_note_request"


class EntryRequest(Model):
    """A person opened /yq 录入: their next text message in that chat is the item to record."""

    id = fields.IntField(primary_key=True)
    staff: fields.ForeignKeyRelation[Staff] = fields.ForeignKeyField(
        "core.Staff", related_name=False, on_delete=fields.CASCADE
    )
    chat_id = fields.BigIntField()
    created_at = fields.DatetimeField()

    class Meta:
        table = "opinion_entry_request"
        unique_together = (("staff", "chat_id"),)


class FeedbackLabel(Model):
    """A leader's verdict on a case (误报 = 0, 确认负面 = 1), a training label for the model."""

    id = fields.IntField(primary_key=True)
    case: fields.OneToOneRelation[OpinionCase] = fields.OneToOneField(
        "opinion.OpinionCase", related_name="label", on_delete=fields.CASCADE
    )
    neg = fields.SmallIntField()
    text = fields.TextField()
    staff: fields.ForeignKeyNullableRelation[Staff] = fields.ForeignKeyField(
        "core.Staff", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    created_at = fields.DatetimeField()

    class Meta:
        table = "opinion_feedback"


class DailyReport(Model):
    """The day's report as sent (one per day), for the annual figures."""

    id = fields.IntField(primary_key=True)
    day = fields.DateField(unique=True)
    scanned = fields.IntField(default=0)
    relevant = fields.IntField(default=0)
    negative = fields.IntField(default=0)
    zero = fields.BooleanField(default=True)
    created_at = fields.DatetimeField()

    class Meta:
        table = "opinion_daily_report"


#: A case's status is one of the four, and its label is 0 or 1: checked by the database.
SQLITE_GUARDS = [
    """CREATE TRIGGER IF NOT EXISTS opinion_case_status_check
    BEFORE UPDATE OF status ON opinion_case
    WHEN NEW.status NOT IN ('pending', 'handling', 'handled', 'false_alarm')
    BEGIN SELECT RAISE(ABORT, 'opinion case status invalid'); END""",
    """CREATE TRIGGER IF NOT EXISTS opinion_feedback_neg_check
    BEFORE INSERT ON opinion_feedback
    WHEN NEW.neg NOT IN (0, 1)
    BEGIN SELECT RAISE(ABORT, 'opinion label must be 0 or 1'); END""",
]
POSTGRES_GUARDS = [
    """DO $$ BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'opinion_case_status_check') THEN
        ALTER TABLE opinion_case ADD CONSTRAINT opinion_case_status_check
        CHECK (status IN ('pending', 'handling', 'handled', 'false_alarm'));
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'opinion_feedback_neg_check') THEN
        ALTER TABLE opinion_feedback ADD CONSTRAINT opinion_feedback_neg_check
        CHECK (neg IN (0, 1));
    END IF;
    END $$""",
]
