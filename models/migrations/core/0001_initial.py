from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from models.core import ChatPurpose, OutboxStatus, Role
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    initial = True

    operations = [
        ops.CreateModel(
            name='JobRun',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('job', fields.CharField(max_length=64)),
                ('period', fields.CharField(max_length=32)),
                ('started_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('finished_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('status', fields.CharField(default='running', max_length=16)),
                ('detail', fields.TextField(default='', unique=False)),
                ('owner', fields.CharField(default='', description='Which process claimed it.', max_length=64)),
            ],
            options={'table': 'job_run', 'app': 'core', 'unique_together': (('job', 'period'),), 'pk_attr': 'id', 'table_description': 'One run of a scheduled job for one period (the unique key stops a second run).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='OutboxMessage',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('kind', fields.CharField(description="What happened (a view renders it in the recipient's language at send time).", max_length=64)),
                ('chat_id', fields.BigIntField(db_index=True)),
                ('payload', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('dedup_key', fields.CharField(unique=True, description='Unique per business event and recipient: writing the same event twice sends once.', max_length=191)),
                ('status', fields.CharEnumField(default=OutboxStatus.PENDING, description='PENDING: pending\nSENDING: sending\nSENT: sent\nDEAD: dead', enum_type=OutboxStatus, max_length=16)),
                ('attempts', fields.IntField(default=0)),
                ('next_attempt_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
                ('lease_until', fields.DatetimeField(null=True, description='A sending row whose lease ran out (a crashed worker) may be claimed again.', auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('sent_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('last_error', fields.CharField(null=True, max_length=255)),
                ('sent_text', fields.TextField(null=True, description='What was actually sent, and where it landed (edits of cards find it here).', unique=False)),
                ('tg_message_id', fields.BigIntField(null=True)),
            ],
            options={'table': 'outbox_message', 'app': 'core', 'pk_attr': 'id', 'table_description': 'A message the bot starts, written with the change that caused it and sent later.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ProcessedUpdate',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('update_id', fields.BigIntField(unique=True)),
                ('processed_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'processed_update', 'app': 'core', 'pk_attr': 'id', 'table_description': 'A Telegram update already acted on (a replay of it does nothing).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Staff',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('tg_user_id', fields.BigIntField(unique=True, description='Telegram user id, also the id of the private chat with the bot.')),
                ('name', fields.CharField(max_length=64)),
                ('username', fields.CharField(null=True, max_length=64)),
                ('role', fields.CharEnumField(default=Role.STAFF, description='ADMIN: admin\nLEADER: leader\nOFFICE: office\nSTAFF: staff', enum_type=Role, max_length=16)),
                ('department', fields.CharField(default='', max_length=64)),
                ('is_head', fields.BooleanField(default=False, description="Head of their department (approves the department's requests).")),
                ('lang', fields.CharField(null=True, description='Chosen language, null for the office default.', max_length=8)),
                ('active', fields.BooleanField(default=True)),
                ('reachable', fields.BooleanField(default=True, description='False once Telegram refused a message because the user never started the bot.')),
                ('joined_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('invited_by', fields.ForeignKeyField('core.Staff', source_field='invited_by_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
            ],
            options={'table': 'staff', 'app': 'core', 'pk_attr': 'id', 'table_description': "A registered member of the park's staff who may talk to the bot."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='BoundChat',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('chat_id', fields.BigIntField()),
                ('title', fields.CharField(default='', max_length=128)),
                ('purpose', fields.CharEnumField(unique=True, description='OFFICE: office\nLEADERS: leaders', enum_type=ChatPurpose, max_length=16)),
                ('bound_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('bound_by', fields.ForeignKeyField('core.Staff', source_field='bound_by_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
            ],
            options={'table': 'bound_chat', 'app': 'core', 'pk_attr': 'id', 'table_description': "A group chat marked for what it receives (office work, leaders' alerts)."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Invite',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('token', fields.CharField(unique=True, max_length=64)),
                ('role', fields.CharEnumField(description='ADMIN: admin\nLEADER: leader\nOFFICE: office\nSTAFF: staff', enum_type=Role, max_length=16)),
                ('department', fields.CharField(default='', max_length=64)),
                ('is_head', fields.BooleanField(default=False)),
                ('max_uses', fields.IntField(null=True, default=1, description='How many people may join with it, null for any number until it expires.')),
                ('uses', fields.IntField(default=0)),
                ('expires_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('revoked', fields.BooleanField(default=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('created_by', fields.ForeignKeyField('core.Staff', source_field='created_by_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
            ],
            options={'table': 'invite', 'app': 'core', 'pk_attr': 'id', 'table_description': 'An invite link token that registers whoever opens it with a role and department.'},
            bases=['Model'],
        ),
    ]
