"""Publicity: media reports grouped into stories, information pieces and their scores, drafting
tasks with their versions, and the 参阅 reference bulletin."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from tortoise import fields
from tortoise.models import Model

from models.core import Staff


class OutletLevel(StrEnum):
    """How high an outlet stands: 市级, 市级以上, 省级及以上, 中央."""

    CITY = "city"
    HIGHER_CITY = "higher_city"
    PROVINCE = "province"
    CENTRAL = "central"


#: A story counts once, at the highest of its outlets' levels.
LEVEL_RANK = {OutletLevel.CITY: 1, OutletLevel.HIGHER_CITY: 2, OutletLevel.PROVINCE: 3,
              OutletLevel.CENTRAL: 4}


class ReportKind(StrEnum):
    """消息, 通讯, 专题, 评论."""

    NEWS = "news"
    FEATURE = "feature"
    SPECIAL = "special"
    COMMENT = "comment"


class InfoLevel(StrEnum):
    """Where an information piece was used: the district's, the city's or the province's."""

    DISTRICT = "district"
    CITY = "city"
    PROVINCE = "province"


INFO_RANK = {InfoLevel.DISTRICT: 1, InfoLevel.CITY: 2, InfoLevel.PROVINCE: 3}


class InfoStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    USED = "used"
    RETURNED = "returned"
    CANCELLED = "cancelled"


class DraftKind(StrEnum):
    """讲话, 报告, 请示, 调研报告, 纪要, 方案, 其他."""

    SPEECH = "speech"
    REPORT = "report"
    REQUEST = "request"
    RESEARCH = "research"
    MINUTES = "minutes"
    PLAN = "plan"
    OTHER = "other"


class TaskStatus(StrEnum):
    #: Being set up by the assigner (not yet sent to the drafter).
    DRAFT = "draft"
    #: Waiting for the drafter's first version.
    OPEN = "open"
    #: A version waits for the assigner.
    REVIEW = "review"
    #: Returned with comments: waiting for the next version.
    RETURNED = "returned"
    ACCEPTED = "accepted"
    CANCELLED = "cancelled"


#: States in which the drafter owes a version (chased by the deadline).
TASK_WAITING_ON_DRAFTER = (TaskStatus.OPEN, TaskStatus.RETURNED)
TASK_OPEN = (TaskStatus.OPEN, TaskStatus.REVIEW, TaskStatus.RETURNED)


class VersionVerdict(StrEnum):
    PENDING = "pending"
    RETURNED = "returned"
    ACCEPTED = "accepted"
    #: A newer version arrived before this one was decided.
    SUPERSEDED = "superseded"


class BulletinStatus(StrEnum):
    DRAFT = "draft"
    ISSUED = "issued"


class ItemKind(StrEnum):
    """Where a bulletin item came from."""

    OPINION = "opinion"
    MEDIA = "media"
    TEXT = "text"
    LINK = "link"


class MediaOutlet(Model):
    """A newspaper, broadcaster or site the office counts reports in, with its level."""

    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=64, unique=True)
    level = fields.CharEnumField(OutletLevel, max_length=16)
    #: Other names people type for it (央视 for 中央电视台).
    aliases: fields.JSONField[list[str]] = fields.JSONField(default=list)
    #: Web domains of its articles (a pasted link names the outlet).
    domains: fields.JSONField[list[str]] = fields.JSONField(default=list)
    created_at = fields.DatetimeField()
    created_by: fields.ForeignKeyNullableRelation[Staff] = fields.ForeignKeyField(
        "core.Staff", related_name=False, null=True, on_delete=fields.SET_NULL
    )

    class Meta:
        table = "publicity_outlet"


class MediaStory(Model):
    """One story, whichever outlets carried it: counted once, at its highest level."""

    id = fields.IntField(primary_key=True)
    title = fields.CharField(max_length=300)
    #: The day of its first report (the period it is counted in).
    first_on = fields.DateField(db_index=True)
    level = fields.CharEnumField(OutletLevel, max_length=16)
    front_page = fields.BooleanField(default=False)
    #: Reports in the group.
    size = fields.IntField(default=1)
    created_at = fields.DatetimeField()

    class Meta:
        table = "publicity_story"


class MediaReport(Model):
    """An entry of the media-report ledger (宣传台账): one outlet's report on one day."""

    id = fields.IntField(primary_key=True)
    outlet: fields.ForeignKeyRelation[MediaOutlet] = fields.ForeignKeyField(
        "publicity.MediaOutlet", related_name="reports", on_delete=fields.RESTRICT
    )
    #: The outlet's level when recorded (kept in step when the office corrects the outlet).
    level = fields.CharEnumField(OutletLevel, max_length=16)
    published_on = fields.DateField(db_index=True)
    headline = fields.CharField(max_length=300)
    #: The headline without spaces and punctuation, simplified and lower-case.
    headline_key = fields.CharField(max_length=191)
    kind = fields.CharEnumField(ReportKind, max_length=16, default=ReportKind.NEWS)
    front_page = fields.BooleanField(default=False)
    #: The page as typed (A3版), empty when unknown.
    page = fields.CharField(max_length=16, default="")
    #: The park department it credits.
    credit_department = fields.CharField(max_length=64, default="")
    #: The correspondent it credits, when a registered one.
    credit_staff: fields.ForeignKeyNullableRelation[Staff] = fields.ForeignKeyField(
        "core.Staff", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    url = fields.CharField(max_length=1000, default="")
    #: SHA-1 of the link (one entry per link and outlet).
    url_key = fields.CharField(max_length=40, null=True)
    story: fields.ForeignKeyRelation[MediaStory] = fields.ForeignKeyField(
        "publicity.MediaStory", related_name="reports", on_delete=fields.RESTRICT
    )
    #: The opinion item it was moved in from, if any (once only).
    opinion_item_id = fields.BigIntField(null=True, unique=True)
    added_by: fields.ForeignKeyNullableRelation[Staff] = fields.ForeignKeyField(
        "core.Staff", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    created_at = fields.DatetimeField()

    class Meta:
        table = "publicity_report"
        unique_together = (("outlet", "headline_key", "published_on"), ("outlet", "url_key"))


class ReportDraft(Model):
    """A report being entered: what is known so far, and the question asked next."""

    id = fields.IntField(primary_key=True)
    staff: fields.ForeignKeyRelation[Staff] = fields.ForeignKeyField(
        "core.Staff", related_name=False, on_delete=fields.CASCADE
    )
    #: outlet, day, headline, url, kind, front_page, page, credit (as typed or resolved).
    values: fields.Field[dict[str, Any]] = fields.JSONField(default=dict)
    #: outlet, level, headline or day: what the next answer fills in.
    awaiting = fields.CharField(max_length=16, default="")
    opinion_item_id = fields.BigIntField(null=True)
    created_at = fields.DatetimeField()

    class Meta:
        table = "publicity_report_draft"


class InfoPiece(Model):
    """A government-information piece (党政信息) a correspondent sends to the office."""

    id = fields.IntField(primary_key=True)
    author: fields.ForeignKeyRelation[Staff] = fields.ForeignKeyField(
        "core.Staff", related_name=False, on_delete=fields.RESTRICT
    )
    #: The author's department when it was written.
    department = fields.CharField(max_length=64, default="")
    title = fields.CharField(max_length=200, default="")
    text = fields.TextField(default="")
    status = fields.CharEnumField(InfoStatus, max_length=16, default=InfoStatus.DRAFT)
    #: The highest outlet that used it.
    level = fields.CharEnumField(InfoLevel, max_length=16, null=True)
    #: A leader wrote an instruction (批示) on it: worth a bonus.
    instructed = fields.BooleanField(default=False)
    instruction = fields.CharField(max_length=300, default="")
    return_reason = fields.CharField(max_length=300, default="")
    created_at = fields.DatetimeField()
    submitted_at = fields.DatetimeField(null=True, db_index=True)
    #: When it was used (first marked 采用) or returned: the quarter it scores in.
    decided_at = fields.DatetimeField(null=True, db_index=True)
    decided_by: fields.ForeignKeyNullableRelation[Staff] = fields.ForeignKeyField(
        "core.Staff", related_name=False, null=True, on_delete=fields.SET_NULL
    )

    class Meta:
        table = "publicity_info"


class PublicityFile(Model):
    """A stored file: an attachment of a piece, a draft version, an issued bulletin."""

    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=200)
    content = fields.BinaryField()
    size = fields.IntField(default=0)
    uploaded_by: fields.ForeignKeyNullableRelation[Staff] = fields.ForeignKeyField(
        "core.Staff", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    created_at = fields.DatetimeField()
    #: The information piece it is attached to, if any.
    info: fields.ForeignKeyNullableRelation[InfoPiece] = fields.ForeignKeyField(
        "publicity.InfoPiece", related_name="files", null=True, on_delete=fields.CASCADE
    )

    class Meta:
        table = "publicity_file"


class PublicitySetting(Model):
    """A scoring rule or other knob the office keeps as data (points per level, caps)."""

    id = fields.IntField(primary_key=True)
    key = fields.CharField(max_length=64, unique=True)
    value = fields.CharField(max_length=200)
    updated_at = fields.DatetimeField()
    updated_by: fields.ForeignKeyNullableRelation[Staff] = fields.ForeignKeyField(
        "core.Staff", related_name=False, null=True, on_delete=fields.SET_NULL
    )

    class Meta:
        table = "publicity_setting"


class DraftingTask(Model):
    """A drafting task (文稿): what to write, by whom, by when, and how it went."""

    id = fields.IntField(primary_key=True)
    kind = fields.CharEnumField(DraftKind, max_length=16, null=True)
    title = fields.CharField(max_length=200, default="")
    brief = fields.TextField(default="")
    #: Expected length in characters (字数), null when not said.
    length = fields.IntField(null=True)
    deadline = fields.DatetimeField(null=True, db_index=True)
    drafter: fields.ForeignKeyNullableRelation[Staff] = fields.ForeignKeyField(
        "core.Staff", related_name=False, null=True, on_delete=fields.RESTRICT
    )
    assigner: fields.ForeignKeyRelation[Staff] = fields.ForeignKeyField(
        "core.Staff", related_name=False, on_delete=fields.RESTRICT
    )
    status = fields.CharEnumField(TaskStatus, max_length=16, default=TaskStatus.DRAFT)
    created_at = fields.DatetimeField()
    assigned_at = fields.DatetimeField(null=True)
    #: When it was accepted or cancelled.
    done_at = fields.DatetimeField(null=True, db_index=True)
    #: How many versions were returned.
    returns = fields.IntField(default=0)
    reminded_before_at = fields.DatetimeField(null=True)
    reminded_day_at = fields.DatetimeField(null=True)
    overdue_at = fields.DatetimeField(null=True)

    class Meta:
        table = "publicity_task"


class DraftVersion(Model):
    """One version (DOCX) of a drafting task and the assigner's verdict on it."""

    id = fields.IntField(primary_key=True)
    task: fields.ForeignKeyRelation[DraftingTask] = fields.ForeignKeyField(
        "publicity.DraftingTask", related_name="versions", on_delete=fields.CASCADE
    )
    number = fields.IntField()
    file: fields.ForeignKeyRelation[PublicityFile] = fields.ForeignKeyField(
        "publicity.PublicityFile", related_name=False, on_delete=fields.RESTRICT
    )
    uploaded_at = fields.DatetimeField()
    verdict = fields.CharEnumField(VersionVerdict, max_length=16,
                                   default=VersionVerdict.PENDING)
    comment = fields.TextField(default="")
    decided_at = fields.DatetimeField(null=True)
    decided_by: fields.ForeignKeyNullableRelation[Staff] = fields.ForeignKeyField(
        "core.Staff", related_name=False, null=True, on_delete=fields.SET_NULL
    )

    class Meta:
        table = "publicity_task_version"
        unique_together = (("task", "number"),)


class Bulletin(Model):
    """An issue of the reference bulletin (参阅): compiled as a draft, numbered when issued."""

    id = fields.IntField(primary_key=True)
    status = fields.CharEnumField(BulletinStatus, max_length=16, default=BulletinStatus.DRAFT)
    #: 1 for the issue being compiled, null once issued: the unique key allows one draft.
    draft_slot = fields.IntField(null=True, unique=True)
    year = fields.IntField(null=True)
    number = fields.IntField(null=True)
    editor_note = fields.TextField(default="")
    created_at = fields.DatetimeField()
    issued_at = fields.DatetimeField(null=True, db_index=True)
    issued_by: fields.ForeignKeyNullableRelation[Staff] = fields.ForeignKeyField(
        "core.Staff", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    #: The DOCX as issued (the archive copy).
    file: fields.ForeignKeyNullableRelation[PublicityFile] = fields.ForeignKeyField(
        "publicity.PublicityFile", related_name=False, null=True, on_delete=fields.SET_NULL
    )

    class Meta:
        table = "publicity_bulletin"
        unique_together = (("year", "number"),)


class BulletinItem(Model):
    """An item of a bulletin issue: a 舆情 item, a media report, a pasted text or a link."""

    id = fields.IntField(primary_key=True)
    bulletin: fields.ForeignKeyRelation[Bulletin] = fields.ForeignKeyField(
        "publicity.Bulletin", related_name="items", on_delete=fields.CASCADE
    )
    position = fields.IntField(default=0)
    kind = fields.CharEnumField(ItemKind, max_length=16)
    title = fields.CharField(max_length=300)
    source = fields.CharField(max_length=128, default="")
    published_on = fields.DateField(null=True)
    body = fields.TextField(default="")
    url = fields.CharField(max_length=1000, default="")
    opinion_item_id = fields.BigIntField(null=True)
    report: fields.ForeignKeyNullableRelation[MediaReport] = fields.ForeignKeyField(
        "publicity.MediaReport", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    added_by: fields.ForeignKeyNullableRelation[Staff] = fields.ForeignKeyField(
        "core.Staff", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    added_at = fields.DatetimeField()

    class Meta:
        table = "publicity_bulletin_item"
        unique_together = (("bulletin", "opinion_item_id"), ("bulletin", "report"))


class Prompt(Model):
    """What a person's next message in one chat is read as: a headline, a reason, a note."""

    id = fields.IntField(primary_key=True)
    staff: fields.OneToOneRelation[Staff] = fields.OneToOneField(
        "core.Staff", related_name=False, on_delete=fields.CASCADE
    )
    chat_id = fields.BigIntField()
    #: report, reason, comment, note, title, info, task or instruct.
    kind = fields.CharField(max_length=16)
    target_id = fields.BigIntField()
    created_at = fields.DatetimeField()

    class Meta:
        table = "publicity_prompt"


# The database refuses a used piece without its level and an issued bulletin without a number.
SQLITE_GUARDS = [
    """CREATE TRIGGER IF NOT EXISTS publicity_info_used_has_level_ins
    BEFORE INSERT ON publicity_info WHEN NEW.status = 'used' AND NEW.level IS NULL
    BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: publicity_info_used_has_level'); END""",
    """CREATE TRIGGER IF NOT EXISTS publicity_info_used_has_level_upd
    BEFORE UPDATE ON publicity_info WHEN NEW.status = 'used' AND NEW.level IS NULL
    BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: publicity_info_used_has_level'); END""",
    """CREATE TRIGGER IF NOT EXISTS publicity_bulletin_issued_numbered_upd
    BEFORE UPDATE ON publicity_bulletin WHEN NEW.status = 'issued'
    AND (NEW.year IS NULL OR NEW.number IS NULL OR NEW.number < 1 OR NEW.draft_slot IS NOT NULL)
    BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: publicity_bulletin_issued_numbered');
    END""",
    """CREATE TRIGGER IF NOT EXISTS publicity_bulletin_issued_frozen
    BEFORE UPDATE OF status, year, number ON publicity_bulletin WHEN OLD.status = 'issued'
    AND (NEW.status IS NOT OLD.status OR NEW.year IS NOT OLD.year
         OR NEW.number IS NOT OLD.number)
    BEGIN SELECT RAISE(ABORT, 'an issued bulletin keeps its number'); END""",
]
POSTGRES_GUARDS = [
    """DO $$ BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'publicity_info_used_has_level')
    THEN ALTER TABLE publicity_info ADD CONSTRAINT publicity_info_used_has_level
        CHECK (status <> 'used' OR level IS NOT NULL);
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_constraint
                   WHERE conname = 'publicity_bulletin_issued_numbered')
    THEN ALTER TABLE publicity_bulletin ADD CONSTRAINT publicity_bulletin_issued_numbered
        CHECK (status <> 'issued' OR (year IS NOT NULL AND number >= 1
                                      AND draft_slot IS NULL));
    END IF; END $$""",
    """CREATE OR REPLACE FUNCTION publicity_bulletin_frozen() RETURNS trigger AS $f$
    BEGIN
        IF OLD.status = 'issued' AND (NEW.status IS DISTINCT FROM OLD.status
            OR NEW.year IS DISTINCT FROM OLD.year OR NEW.number IS DISTINCT FROM OLD.number)
        THEN RAISE EXCEPTION 'an issued bulletin keeps its number'; END IF;
        RETURN NEW;
    END $f$ LANGUAGE plpgsql""",
    """DO $$ BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgname = 'publicity_bulletin_frozen') THEN
        CREATE TRIGGER publicity_bulletin_frozen BEFORE UPDATE ON publicity_bulletin
        FOR EACH ROW EXECUTE FUNCTION publicity_bulletin_frozen();
    END IF; END $$""",
]
