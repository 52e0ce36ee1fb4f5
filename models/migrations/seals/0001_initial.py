from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from models.seals import SealStatus
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.migrations.constraints import CheckConstraint

class Migration(migrations.Migration):
    dependencies = [('core', '0001_initial'), ('core', '0002_outbox_sent_markup')]

    initial = True

    operations = [
        ops.CreateModel(
            name='Seal',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('name', fields.CharField(unique=True, max_length=32)),
                ('custodian', fields.ForeignKeyField('core.Staff', source_field='custodian_id', null=True, description='The keeper who stamps approved requests (监印人).', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('flow', fields.CharField(default='seal_use', description='Approval kind of its requests: a chain in config/approval_flows.yaml.', max_length=32)),
                ('allowed_roles', fields.JSONField(default=list, description='Roles that may ask to use it (empty list means every role).', encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('active', fields.BooleanField(default=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'seal', 'app': 'seals', 'pk_attr': 'id', 'table_description': 'A seal the office keeps: who keeps it, who may ask for it, which approval chain it takes.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='SealRequest',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('requester', fields.ForeignKeyField('core.Staff', source_field='requester_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('seal', fields.ForeignKeyField('seals.Seal', source_field='seal_id', null=True, db_constraint=True, to_field='id', related_name='requests', on_delete=OnDelete.RESTRICT)),
                ('status', fields.CharEnumField(default=SealStatus.DRAFT, description='DRAFT: draft\nPENDING: pending\nAPPROVED: approved\nUSED: used\nREJECTED: rejected\nWITHDRAWN: withdrawn\nLAPSED: lapsed', enum_type=SealStatus, max_length=16)),
                ('asking', fields.CharField(default='', description='What the request dialog waits for the requester to type (document, purpose, copies).', max_length=16)),
                ('asked_at', fields.DatetimeField(null=True, description='When it asked (an old question no longer takes what the person types).', auto_now=False, auto_now_add=False)),
                ('document', fields.CharField(default='', description='The document as typed (its title).', max_length=200)),
                ('file_id', fields.CharField(default='', description='The document as a file the requester attached (Telegram file id and name).', max_length=255)),
                ('file_name', fields.CharField(default='', max_length=128)),
                ('document_ref', fields.CharField(default='', description='A record of another feature the request is about, as kind and id (outgoing:12).', max_length=48)),
                ('copies', fields.IntField(null=True)),
                ('purpose', fields.CharField(default='', max_length=200)),
                ('approval_request_id', fields.IntField(null=True)),
                ('submitted_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('decided_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('lapses_at', fields.DatetimeField(null=True, db_index=True, description='An approved request not stamped by then lapses.', auto_now=False, auto_now_add=False)),
                ('used_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('used_count', fields.IntField(null=True, description='Copies actually stamped, as the custodian confirmed.')),
                ('used_photo_file_id', fields.CharField(default='', max_length=255)),
                ('awaiting_photo', fields.BooleanField(default=False, description='The custodian may still send a photo of the stamped pages.')),
                ('stamped_by', fields.ForeignKeyField('core.Staff', source_field='stamped_by_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('register_year', fields.IntField(null=True, description='Place in the register: the year of the stamp and its number in that year.')),
                ('register_no', fields.IntField(null=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'seal_request', 'app': 'seals', 'unique_together': (('register_year', 'register_no'),), 'constraints': [CheckConstraint(check='copies IS NULL OR copies BETWEEN 1 AND 1000', name='seal_request_copies_range'), CheckConstraint(check='used_count IS NULL OR (used_count >= 1 AND copies IS NOT NULL AND used_count <= copies)', name='seal_request_used_within_copies'), CheckConstraint(check="status <> 'used' OR (used_count IS NOT NULL AND used_at IS NOT NULL AND register_no IS NOT NULL)", name='seal_request_used_is_registered')], 'pk_attr': 'id', 'table_description': 'One request to use a seal, from the draft to the stamp in the register (用印登记簿).'},
            bases=['Model'],
        ),
    ]
