from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from models.receptions import ReceptionStatus
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.migrations.constraints import CheckConstraint

class Migration(migrations.Migration):
    dependencies = [('core', '0001_initial')]

    initial = True

    operations = [
        ops.CreateModel(
            name='Reception',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('status', fields.CharEnumField(default=ReceptionStatus.DRAFT, description='DRAFT: draft\nSUBMITTED: submitted\nAPPROVED: approved\nREJECTED: rejected\nWITHDRAWN: withdrawn\nCANCELLED: cancelled\nCOMPLETED: completed', enum_type=ReceptionStatus, max_length=16)),
                ('step', fields.CharField(null=True, description='The question the planner is answering now (null when no question is open).', max_length=32)),
                ('step_at', fields.DatetimeField(null=True, description='When the open question was asked (an old open question no longer reads free text).', auto_now=False, auto_now_add=False)),
                ('editing', fields.BooleanField(default=False, description='True when the open question edits one field and then returns to the summary.')),
                ('created_by', fields.ForeignKeyField('core.Staff', source_field='created_by_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('start', fields.DatetimeField(null=True, db_index=True, auto_now=False, auto_now_add=False)),
                ('end', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('unit', fields.CharField(default='', description='The visiting unit (来访单位).', max_length=128)),
                ('letter_no', fields.CharField(default='', description='Number of the official letter (公函), empty when only a scan was sent.', max_length=64)),
                ('letter_file_id', fields.CharField(default='', description="Telegram file id of the letter's photo or document.", max_length=255)),
                ('guest_count', fields.IntField(null=True)),
                ('head_name', fields.CharField(default='', max_length=64)),
                ('head_title', fields.CharField(default='', max_length=64)),
                ('guests', fields.JSONField(default=list, description='Guests as a list of [name, position].', encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('purpose', fields.TextField(default='', unique=False)),
                ('host_leader', fields.ForeignKeyField('core.Staff', source_field='host_leader_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('accompany', fields.JSONField(default=list, description='Accompanying staff, as a list of names.', encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('itinerary', fields.JSONField(default=list, description='Itinerary stops (参观线路) as a list of [time HH:MM, place].', encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('room_booking_id', fields.IntField(null=True, description='Meeting room booked through the rooms service (id of the booking and its room name).')),
                ('room_name', fields.CharField(default='', max_length=64)),
                ('room_decided', fields.BooleanField(default=False, description='True once the planner answered the room question (a room or none).')),
                ('meals', fields.IntField(null=True)),
                ('guest_diners', fields.IntField(default=0)),
                ('staff_diners', fields.IntField(default=0)),
                ('meal_standard', fields.DecimalField(default=0, description='Meal standard per person in yuan.', max_digits=10, decimal_places=2)),
                ('accommodation', fields.CharField(null=True, max_length=255)),
                ('approval_request_id', fields.IntField(null=True, description="The approvals engine's request for this plan.")),
                ('submitted_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('decided_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('reminded_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('actual_guests', fields.IntField(null=True)),
                ('actual_guest_diners', fields.IntField(null=True)),
                ('actual_staff_diners', fields.IntField(null=True)),
                ('actual_meals', fields.IntField(null=True)),
                ('costs', fields.JSONField(default=list, description='Actual cost by item as a list of [item, yuan].', encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('cost_total', fields.DecimalField(default=0, max_digits=12, decimal_places=2)),
                ('completed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('completed_by', fields.ForeignKeyField('core.Staff', source_field='completed_by_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('updated_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'reception', 'app': 'receptions', 'constraints': [CheckConstraint(check='guest_count IS NULL OR guest_count BETWEEN 1 AND 1000', name='reception_guest_count_range'), CheckConstraint(check='guest_diners >= 0 AND staff_diners >= 0 AND meal_standard >= 0', name='reception_meal_numbers_non_negative'), CheckConstraint(check='meals IS NULL OR meals >= 0', name='reception_meals_non_negative'), CheckConstraint(check="status <> 'completed' OR (actual_guests IS NOT NULL AND actual_meals IS NOT NULL AND completed_at IS NOT NULL)", name='reception_completed_has_actuals')], 'pk_attr': 'id', 'table_description': 'One official reception (公务接待): planned, approved, held and closed.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ReceptionMeal',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('reception', fields.ForeignKeyField('receptions.Reception', source_field='reception_id', db_constraint=True, to_field='id', related_name='meal_records', on_delete=OnDelete.CASCADE)),
                ('held_at', fields.DatetimeField(db_index=True, description="When it was held (the reception's start).", auto_now=False, auto_now_add=False)),
                ('guest_diners', fields.IntField()),
                ('staff_diners', fields.IntField()),
                ('cost', fields.DecimalField(default=0, max_digits=12, decimal_places=2)),
            ],
            options={'table': 'reception_meal', 'app': 'receptions', 'constraints': [CheckConstraint(check='guest_diners >= 0 AND staff_diners >= 0 AND cost >= 0', name='reception_meal_non_negative')], 'pk_attr': 'id', 'table_description': "One official meal held for a reception (counts toward the year's official meals)."},
            bases=['Model'],
        ),
    ]
