from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from models.meetings import NoticeStatus, Reply
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('core', '0001_initial'), ('core', '0002_outbox_sent_markup'), ('rooms', '0001_initial')]

    initial = True

    operations = [
        ops.CreateModel(
            name='InviteList',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('name', fields.CharField(unique=True, max_length=32)),
                ('members', fields.JSONField(default=list, description='Staff ids of its members.', encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('updated_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'meeting_invite_list', 'app': 'meetings', 'pk_attr': 'id', 'table_description': 'A named list of people the office invites together (中层干部, 各部门负责人).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='MeetingNotice',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('booking', fields.OneToOneField('rooms.Booking', source_field='booking_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('organiser', fields.ForeignKeyField('core.Staff', source_field='organiser_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('status', fields.CharEnumField(default=NoticeStatus.DRAFT, description='DRAFT: draft\nSENT: sent\nCANCELLED: cancelled', enum_type=NoticeStatus, max_length=16)),
                ('agenda', fields.TextField(default='', unique=False)),
                ('preparation', fields.CharField(default='', description='Dress or preparation note (着装、准备).', max_length=500)),
                ('told_start', fields.DatetimeField(null=True, description='The time and room the invitees were last told (a change of the booking is pushed).', auto_now=False, auto_now_add=False)),
                ('told_end', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('told_room', fields.CharField(default='', max_length=64)),
                ('sent_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('nudged_at', fields.DatetimeField(null=True, description='When the invitees who had not replied were reminded (once).', auto_now=False, auto_now_add=False)),
                ('cancelled_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('minutes_file_id', fields.CharField(default='', max_length=255)),
                ('minutes_name', fields.CharField(default='', max_length=128)),
                ('minutes_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'meeting_notice', 'app': 'meetings', 'pk_attr': 'id', 'table_description': 'The notice of one booked meeting: agenda, materials, preparation, who is invited.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Invitation',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('notice', fields.ForeignKeyField('meetings.MeetingNotice', source_field='notice_id', db_constraint=True, to_field='id', related_name='invitations', on_delete=OnDelete.CASCADE)),
                ('staff', fields.ForeignKeyField('core.Staff', source_field='staff_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('reply', fields.CharEnumField(default=Reply.PENDING, description='PENDING: pending\nATTEND: attend\nLEAVE: leave\nDELEGATED: delegated', enum_type=Reply, max_length=16)),
                ('reason', fields.CharField(default='', description='The reason of a leave (请假事由).', max_length=200)),
                ('delegate', fields.ForeignKeyField('core.Staff', source_field='delegate_id', null=True, description='The colleague this person sent in their place.', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('delegated_from', fields.ForeignKeyField('meetings.Invitation', source_field='delegated_from_id', null=True, description="The invitation this one stands in for (the delegate's own invitation).", db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('replied_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('checked_in_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('checked_in_by', fields.ForeignKeyField('core.Staff', source_field='checked_in_by_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'meeting_invitation', 'app': 'meetings', 'unique_together': (('notice', 'staff'),), 'pk_attr': 'id', 'table_description': 'One person invited to a meeting, and their reply (回执) and check-in.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='MeetingFile',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('notice', fields.ForeignKeyField('meetings.MeetingNotice', source_field='notice_id', db_constraint=True, to_field='id', related_name='files', on_delete=OnDelete.CASCADE)),
                ('file_id', fields.CharField(max_length=255)),
                ('file_name', fields.CharField(default='', max_length=128)),
                ('added_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'meeting_file', 'app': 'meetings', 'pk_attr': 'id', 'table_description': "A file of the meeting's materials (sent with every invitation)."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='MeetingPrompt',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('staff', fields.OneToOneField('core.Staff', source_field='staff_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('notice', fields.ForeignKeyField('meetings.MeetingNotice', source_field='notice_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('invitation', fields.ForeignKeyField('meetings.Invitation', source_field='invitation_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('what', fields.CharField(description='invitees, agenda, preparation, materials, minutes, reason, delegate', max_length=16)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'meeting_prompt', 'app': 'meetings', 'pk_attr': 'id', 'table_description': 'What the bot waits for a person to send about a meeting (names, a file, a reason).'},
            bases=['Model'],
        ),
    ]
