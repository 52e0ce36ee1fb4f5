"""Security records: secrets the bot makes for itself, and error reports grouped by kind."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class BotSecret(Model):
    """A secret the bot generated and every replica shares, such as the webhook's secret token."""

    id = fields.IntField(primary_key=True)
    #: What the secret is for (webhook).
    name = fields.CharField(max_length=64, unique=True)
    value = fields.CharField(max_length=256)
    created_at = fields.DatetimeField()

    class Meta:
        table = "bot_secret"


class ErrorReport(Model):
    """One kind of unexpected error: the admins hear of it once per window, with a count."""

    id = fields.IntField(primary_key=True)
    #: Exception type and where in the bot it was raised, hashed.
    signature = fields.CharField(max_length=64, unique=True)
    summary = fields.CharField(max_length=300)
    #: Occurrences since the admins were last told.
    pending = fields.IntField(default=0)
    total = fields.IntField(default=0)
    first_at = fields.DatetimeField()
    last_at = fields.DatetimeField()
    reported_at = fields.DatetimeField(null=True)

    class Meta:
        table = "error_report"
