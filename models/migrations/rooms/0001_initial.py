from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from models.rooms import BookingStatus, DraftStep
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('core', '0001_initial')]

    initial = True

    operations = [
        ops.CreateModel(
            name='BookingSeries',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('rule', fields.CharField(max_length=255)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'room_booking_series', 'app': 'rooms', 'pk_attr': 'id', 'table_description': 'A recurring booking: the rule and the occurrences that were booked from it.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='PersonFeed',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('staff', fields.OneToOneField('core.Staff', source_field='staff_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('token', fields.CharField(unique=True, max_length=48)),
            ],
            options={'table': 'room_person_feed', 'app': 'rooms', 'pk_attr': 'id', 'table_description': "The secret calendar feed address of one person's bookings."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Room',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('name', fields.CharField(unique=True, max_length=64)),
                ('building', fields.CharField(default='', max_length=64)),
                ('floor', fields.CharField(default='', max_length=16)),
                ('capacity', fields.IntField()),
                ('equipment', fields.JSONField(default=list, description='Equipment codes such as projector, video, whiteboard.', encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('opens_minute', fields.IntField(default=480, description='Opening hours as minutes after local midnight.')),
                ('closes_minute', fields.IntField(default=1080)),
                ('max_minutes', fields.IntField(default=240, description='Longest single booking in minutes.')),
                ('max_days_ahead', fields.IntField(default=30, description='How many days ahead the room may be booked.')),
                ('allowed_roles', fields.JSONField(default=list, description='Roles that may book it (empty list means everyone).', encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('allowed_departments', fields.JSONField(default=list, description='Departments that may book it (empty list means every department).', encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('needs_approval', fields.BooleanField(default=False)),
                ('checkin_required', fields.BooleanField(default=False)),
                ('active', fields.BooleanField(default=True)),
                ('feed_token', fields.CharField(unique=True, description="Secret part of the room's calendar feed address.", max_length=48)),
            ],
            options={'table': 'room', 'app': 'rooms', 'pk_attr': 'id', 'table_description': 'A meeting room that staff may book, with its rules.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Booking',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('room', fields.ForeignKeyField('rooms.Room', source_field='room_id', db_constraint=True, to_field='id', related_name='bookings', on_delete=OnDelete.RESTRICT)),
                ('organiser', fields.ForeignKeyField('core.Staff', source_field='organiser_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('title', fields.CharField(max_length=128)),
                ('start_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
                ('end_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('attendees', fields.IntField(default=0)),
                ('status', fields.CharEnumField(default=BookingStatus.CONFIRMED, description='PENDING: pending\nCONFIRMED: confirmed\nCANCELLED: cancelled\nRELEASED: released\nREJECTED: rejected', enum_type=BookingStatus, max_length=16)),
                ('series', fields.ForeignKeyField('rooms.BookingSeries', source_field='series_id', null=True, db_constraint=True, to_field='id', related_name='bookings', on_delete=OnDelete.SET_NULL)),
                ('checked_in_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('reason', fields.CharField(default='', max_length=255)),
                ('sequence', fields.IntField(default=0, description='Raised on every change, so calendar clients replace the event.')),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'room_booking', 'app': 'rooms', 'pk_attr': 'id', 'table_description': 'One booking of a room for a time span (end exclusive), held while pending or confirmed.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='BookingDraft',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('staff', fields.ForeignKeyField('core.Staff', source_field='staff_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('chat_id', fields.BigIntField()),
                ('step', fields.CharEnumField(default=DraftStep.DAY, description='DAY: day\nSTART: start\nLENGTH: length\nNEEDS: needs\nROOM: room\nTITLE: title\nCONFIRM: confirm\nASK: ask\nREASON: reason\nDONE: done\nDROPPED: dropped', enum_type=DraftStep, max_length=16)),
                ('day', fields.DateField(null=True)),
                ('start_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('minutes', fields.IntField(null=True)),
                ('room', fields.ForeignKeyField('rooms.Room', source_field='room_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('unknown_room', fields.CharField(default='', description='A room named in the text that does not exist (kept to say so).', max_length=64)),
                ('title', fields.CharField(default='', max_length=128)),
                ('attendees', fields.IntField(default=0)),
                ('equipment', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('recurrence', fields.CharField(default='', description='RRULE of a recurring booking, with its end (a date or a count).', max_length=255)),
                ('workdays_only', fields.BooleanField(default=False)),
                ('until', fields.DateField(null=True)),
                ('count', fields.IntField(null=True)),
                ('text', fields.TextField(default='', description='The text being read when the parser asked back, and its question.', unique=False)),
                ('question', fields.CharField(default='', max_length=32)),
                ('question_params', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('target', fields.ForeignKeyField('rooms.Booking', source_field='target_id', null=True, description='The booking this dialog changes or cancels (change of time, cancellation with reason).', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('booking', fields.ForeignKeyField('rooms.Booking', source_field='booking_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'room_booking_draft', 'app': 'rooms', 'pk_attr': 'id', 'table_description': 'A booking dialog in progress: what was entered so far and which step it is at.'},
            bases=['Model'],
        ),
    ]
