"""Seal use (用印): the seals the office keeps and every request to use one."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.migrations.constraints import CheckConstraint
from tortoise.models import Model

from models.checks import postgres_check, sqlite_check
from models.core import Staff


class SealStatus(StrEnum):
    DRAFT = "draft"
    PENDING = "pending"
    APPROVED = "approved"
    USED = "used"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"
    LAPSED = "lapsed"


class Seal(Model):
    """A seal the office keeps: who keeps it, who may ask for it, which approval chain it takes."""

    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=32, unique=True)
    #: The keeper who stamps approved requests (监印人).
    custodian: fields.ForeignKeyNullableRelation[Staff] = fields.ForeignKeyField(
        "core.Staff", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    #: Approval kind of its requests: a chain in config/approval_flows.yaml.
    flow = fields.CharField(max_length=32, default="seal_use")
    #: Roles that may ask to use it (empty list means every role).
    allowed_roles: fields.JSONField[list[str]] = fields.JSONField(default=list)
    active = fields.BooleanField(default=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "seal"

    def __str__(self) -> str:
        return self.name


class SealRequest(Model):
    """One request to use a seal, from the draft to the stamp in the register (用印登记簿)."""

    id = fields.IntField(primary_key=True)
    requester: fields.ForeignKeyRelation[Staff] = fields.ForeignKeyField(
        "core.Staff", related_name=False, on_delete=fields.RESTRICT
    )
    seal: fields.ForeignKeyNullableRelation[Seal] = fields.ForeignKeyField(
        "seals.Seal", related_name="requests", null=True, on_delete=fields.RESTRICT
    )
    status = fields.CharEnumField(SealStatus, max_length=16, default=SealStatus.DRAFT)
    #: What the request dialog waits for the requester to type (document, purpose, copies).
    asking = fields.CharField(max_length=16, default="")
    #: When it asked (an old question no longer takes what the person types).
    asked_at = fields.DatetimeField(null=True)
    #: The document as typed (its title).
    document = fields.CharField(max_length=200, default="")
    #: The document as a file the requester attached (Telegram file id and name).
    file_id = fields.CharField(max_length=255, default="")
    file_name = fields.CharField(max_length=128, default="")
    #: A record of another feature the request is about, as kind and id (outgoing:12).
    document_ref = fields.CharField(max_length=48, default="")
    copies = fields.IntField(null=True)
    purpose = fields.CharField(max_length=200, default="")
    approval_request_id = fields.IntField(null=True)
    submitted_at = fields.DatetimeField(null=True)
    decided_at = fields.DatetimeField(null=True)
    #: An approved request not stamped by then lapses.
    lapses_at = fields.DatetimeField(null=True, db_index=True)
    used_at = fields.DatetimeField(null=True)
    #: Copies actually stamped, as the custodian confirmed.
    used_count = fields.IntField(null=True)
    used_photo_file_id = fields.CharField(max_length=255, default="")
    #: The custodian may still send a photo of the stamped pages.
    awaiting_photo = fields.BooleanField(default=False)
    stamped_by: fields.ForeignKeyNullableRelation[Staff] = fields.ForeignKeyField(
        "core.Staff", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    #: Place in the register: the year of the stamp and its number in that year.
    register_year = fields.IntField(null=True)
    register_no = fields.IntField(null=True)
    created_at = fields.DatetimeField()

    class Meta:
        table = "seal_request"
        unique_together = (("register_year", "register_no"),)
        constraints = [
            CheckConstraint(check="copies IS NULL OR copies BETWEEN 1 AND 1000",
                            name="seal_request_copies_range"),
            CheckConstraint(
                check="used_count IS NULL OR (used_count >= 1 AND copies IS NOT NULL "
                "AND used_count <= copies)",
                name="seal_request_used_within_copies"),
            CheckConstraint(
                check="status <> 'used' OR (used_count IS NOT NULL AND used_at IS NOT NULL "
                "AND register_no IS NOT NULL)",
                name="seal_request_used_is_registered"),
        ]


SQLITE_GUARDS = (
    sqlite_check("seal_request", "seal_request_copies_range",
                 "NEW.copies IS NULL OR NEW.copies BETWEEN 1 AND 1000")
    + sqlite_check("seal_request", "seal_request_used_within_copies",
                   "NEW.used_count IS NULL OR (NEW.used_count >= 1 AND NEW.copies IS NOT NULL "
                   "AND NEW.used_count <= NEW.copies)")
    + sqlite_check("seal_request", "seal_request_used_is_registered",
                   "NEW.status <> 'used' OR (NEW.used_count IS NOT NULL "
                   "AND NEW.used_at IS NOT NULL AND NEW.register_no IS NOT NULL)")
)
POSTGRES_GUARDS = [postgres_check("seal_request", c) for c in SealRequest.Meta.constraints]
