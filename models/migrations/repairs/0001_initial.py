from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from models.repairs import RepairStatus, Urgency
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.migrations.constraints import CheckConstraint

class Migration(migrations.Migration):
    dependencies = [('core', '0001_initial'), ('core', '0002_outbox_sent_markup')]

    initial = True

    operations = [
        ops.CreateModel(
            name='RepairCompany',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('name', fields.CharField(unique=True, max_length=64)),
                ('contact', fields.CharField(default='', max_length=32)),
                ('phone', fields.CharField(default='', max_length=32)),
                ('active', fields.BooleanField(default=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'repair_company', 'app': 'repairs', 'pk_attr': 'id', 'table_description': 'An outside company the office gives repairs to (property management, lift maintenance).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='RepairPlace',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('building', fields.CharField(max_length=32)),
                ('spot', fields.CharField(default='', max_length=64)),
                ('name', fields.CharField(unique=True, description='Building and spot as people write them (3号楼 2楼会议室).', max_length=100)),
                ('active', fields.BooleanField(default=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'repair_place', 'app': 'repairs', 'pk_attr': 'id', 'table_description': 'A place repairs are reported for: a building and a spot in it (floor, room, area).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Repair',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('reporter', fields.ForeignKeyField('core.Staff', source_field='reporter_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('place', fields.ForeignKeyField('repairs.RepairPlace', source_field='place_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('unknown_place', fields.CharField(default='', description='A place named in the report that is not on the list (kept to say so).', max_length=64)),
                ('description', fields.CharField(default='', max_length=500)),
                ('photos', fields.JSONField(default=list, description='Telegram file ids of the photos.', encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('urgency', fields.CharEnumField(default=Urgency.NORMAL, description='URGENT: urgent\nNORMAL: normal\nLOW: low', enum_type=Urgency, max_length=16)),
                ('status', fields.CharEnumField(default=RepairStatus.DRAFT, description='DRAFT: draft\nREPORTED: reported\nASSIGNED: assigned\nIN_PROGRESS: in_progress\nAPPROVAL: approval\nDONE: done\nCONFIRMED: confirmed\nCANCELLED: cancelled', enum_type=RepairStatus, max_length=16)),
                ('handler', fields.ForeignKeyField('core.Staff', source_field='handler_id', null=True, description='Who does the work: a staff member, or an outside company followed by an office clerk.', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('company', fields.ForeignKeyField('repairs.RepairCompany', source_field='company_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('assigned_by', fields.ForeignKeyField('core.Staff', source_field='assigned_by_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('reported_at', fields.DatetimeField(null=True, db_index=True, auto_now=False, auto_now_add=False)),
                ('due_at', fields.DatetimeField(null=True, db_index=True, description='When the work must be done by, from the urgency (2 hours, 1 or 3 workdays).', auto_now=False, auto_now_add=False)),
                ('assigned_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('accepted_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('done_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('work_done', fields.CharField(default='', max_length=500)),
                ('cost', fields.DecimalField(null=True, max_digits=12, decimal_places=2)),
                ('estimate', fields.DecimalField(null=True, description='An estimate the handler gave before the work.', max_digits=12, decimal_places=2)),
                ('approved_amount', fields.DecimalField(null=True, description='The amount an approval allowed (work above the threshold needs it first).', max_digits=12, decimal_places=2)),
                ('approval_request_id', fields.IntField(null=True)),
                ('confirmed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('rating', fields.IntField(null=True)),
                ('rating_note', fields.CharField(default='', max_length=200)),
                ('chase_count', fields.IntField(default=0)),
                ('last_chased_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'repair', 'app': 'repairs', 'constraints': [CheckConstraint(check='rating IS NULL OR rating BETWEEN 1 AND 5', name='repair_rating_range'), CheckConstraint(check='(cost IS NULL OR cost >= 0) AND (estimate IS NULL OR estimate >= 0)', name='repair_amounts_non_negative'), CheckConstraint(check='handler_id IS NULL OR company_id IS NULL', name='repair_one_handler')], 'pk_attr': 'id', 'table_description': "One fault report, from the report to the reporter's rating."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='RepairEvent',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('repair', fields.ForeignKeyField('repairs.Repair', source_field='repair_id', db_constraint=True, to_field='id', related_name='events', on_delete=OnDelete.CASCADE)),
                ('actor', fields.ForeignKeyField('core.Staff', source_field='actor_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('action', fields.CharField(description='report, assign, accept, decline, progress, photo, estimate, finish, approved, refused,', max_length=16)),
                ('note', fields.CharField(default='', max_length=500)),
                ('amount', fields.DecimalField(null=True, max_digits=12, decimal_places=2)),
                ('file_id', fields.CharField(default='', description='A photo that came with it (Telegram file id).', max_length=255)),
                ('at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'repair_event', 'app': 'repairs', 'pk_attr': 'id', 'table_description': 'One thing that happened to a repair (the history the ledger and the card show).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='RepairPrompt',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('staff', fields.OneToOneField('core.Staff', source_field='staff_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('repair', fields.ForeignKeyField('repairs.Repair', source_field='repair_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('what', fields.CharField(description='description, place, progress, estimate, done, reopen, cancel', max_length=16)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'repair_prompt', 'app': 'repairs', 'pk_attr': 'id', 'table_description': 'What the bot waits for a person to type about a repair (a description, progress, cost).'},
            bases=['Model'],
        ),
    ]
