from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from models.core import InboxStatus
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('core', '0001_initial'), ('core', '0002_outbox_sent_markup')]

    initial = False

    operations = [
        ops.CreateModel(
            name='InboxUpdate',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('update_id', fields.BigIntField(unique=True)),
                ('chat_key', fields.BigIntField(db_index=True, description='The chat (or user) whose updates must be handled in order (0 when it has none).')),
                ('payload', fields.JSONField(encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('status', fields.CharEnumField(default=InboxStatus.PENDING, description='PENDING: pending\nWORKING: working\nDONE: done', enum_type=InboxStatus, max_length=16)),
                ('owner', fields.CharField(null=True, max_length=64)),
                ('lease_until', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('received_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('done_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'inbox_update', 'app': 'core', 'pk_attr': 'id', 'table_description': 'A Telegram update written down before Telegram is told it arrived (nothing is lost).'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='JobRun',
            name='lease_until',
            field=fields.DatetimeField(null=True, description='While running, the owner renews this by a heartbeat (a run past it lost its owner and', auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='OutboxMessage',
            name='failures',
            field=fields.IntField(default=0, description='Failed tries that count towards giving up (5xx, timeouts), never a 429.'),
        ),
        ops.AddField(
            model_name='OutboxMessage',
            name='owner',
            field=fields.CharField(null=True, description='The worker holding a sending row (host:pid:random), so a heartbeat renews only its own.', max_length=64),
        ),
    ]
