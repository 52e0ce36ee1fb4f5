"""Meeting notices (会议通知): a booked meeting's notice, its invitations and replies (回执)."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model

from models.core import Staff
from models.rooms import Booking


class NoticeStatus(StrEnum):
    DRAFT = "draft"
    SENT = "sent"
    CANCELLED = "cancelled"


class Reply(StrEnum):
    PENDING = "pending"
    ATTEND = "attend"
    LEAVE = "leave"
    DELEGATED = "delegated"


class MeetingNotice(Model):
    """The notice of one booked meeting: agenda, materials, preparation, who is invited."""

    id = fields.IntField(primary_key=True)
    booking: fields.OneToOneRelation[Booking] = fields.OneToOneField(
        "rooms.Booking", related_name=False, on_delete=fields.CASCADE
    )
    organiser: fields.ForeignKeyRelation[Staff] = fields.ForeignKeyField(
        "core.Staff", related_name=False, on_delete=fields.RESTRICT
    )
    status = fields.CharEnumField(NoticeStatus, max_length=16, default=NoticeStatus.DRAFT)
    agenda = fields.TextField(default="")
    #: Dress or preparation note (着装、准备).
    preparation = fields.CharField(max_length=500, default="")
    #: The time and room the invitees were last told (a change of the booking is pushed).
    told_start = fields.DatetimeField(null=True)
    told_end = fields.DatetimeField(null=True)
    told_room = fields.CharField(max_length=64, default="")
    sent_at = fields.DatetimeField(null=True)
    #: When the invitees who had not replied were reminded (once).
    nudged_at = fields.DatetimeField(null=True)
    cancelled_at = fields.DatetimeField(null=True)
    minutes_file_id = fields.CharField(max_length=255, default="")
    minutes_name = fields.CharField(max_length=128, default="")
    minutes_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField()

    invitations: fields.ReverseRelation[Invitation]

    class Meta:
        table = "meeting_notice"


class MeetingFile(Model):
    """A file of the meeting's materials (sent with every invitation)."""

    id = fields.IntField(primary_key=True)
    notice: fields.ForeignKeyRelation[MeetingNotice] = fields.ForeignKeyField(
        "meetings.MeetingNotice", related_name="files", on_delete=fields.CASCADE
    )
    file_id = fields.CharField(max_length=255)
    file_name = fields.CharField(max_length=128, default="")
    added_at = fields.DatetimeField()

    class Meta:
        table = "meeting_file"


class Invitation(Model):
    """One person invited to a meeting, and their reply (回执) and check-in."""

    id = fields.IntField(primary_key=True)
    notice: fields.ForeignKeyRelation[MeetingNotice] = fields.ForeignKeyField(
        "meetings.MeetingNotice", related_name="invitations", on_delete=fields.CASCADE
    )
    staff: fields.ForeignKeyRelation[Staff] = fields.ForeignKeyField(
        "core.Staff", related_name=False, on_delete=fields.RESTRICT
    )
    reply = fields.CharEnumField(Reply, max_length=16, default=Reply.PENDING)
    #: The reason of a leave (请假事由).
    reason = fields.CharField(max_length=200, default="")
    #: The colleague this person sent in their place.
    delegate: fields.ForeignKeyNullableRelation[Staff] = fields.ForeignKeyField(
        "core.Staff", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    #: The invitation this one stands in for (the delegate's own invitation).
    delegated_from: fields.ForeignKeyNullableRelation[Invitation] = fields.ForeignKeyField(
        "meetings.Invitation", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    replied_at = fields.DatetimeField(null=True)
    checked_in_at = fields.DatetimeField(null=True)
    checked_in_by: fields.ForeignKeyNullableRelation[Staff] = fields.ForeignKeyField(
        "core.Staff", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    created_at = fields.DatetimeField()

    class Meta:
        table = "meeting_invitation"
        unique_together = (("notice", "staff"),)


class InviteList(Model):
    """A named list of people the office invites together (中层干部, 各部门负责人)."""

    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=32, unique=True)
    #: Staff ids of its members.
    members: fields.JSONField[list[int]] = fields.JSONField(default=list)
    updated_at = fields.DatetimeField()

    class Meta:
        table = "meeting_invite_list"


class MeetingPrompt(Model):
    """What the bot waits for a person to send about a meeting (names, a file, a reason)."""

    id = fields.IntField(primary_key=True)
    staff: fields.OneToOneRelation[Staff] = fields.OneToOneField(
        "core.Staff", related_name=False, on_delete=fields.CASCADE
    )
    notice: fields.ForeignKeyRelation[MeetingNotice] = fields.ForeignKeyField(
        "meetings.MeetingNotice", related_name=False, on_delete=fields.CASCADE
    )
    invitation: fields.ForeignKeyNullableRelation[Invitation] = fields.ForeignKeyField(
        "meetings.Invitation", related_name=False, null=True, on_delete=fields.CASCADE
    )
    #: invitees, agenda, preparation, materials, minutes, reason, delegate
    what = fields.CharField(max_length=16)
    created_at = fields.DatetimeField()

    class Meta:
        table = "meeting_prompt"
