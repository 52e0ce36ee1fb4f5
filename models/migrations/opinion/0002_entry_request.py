from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('core', '0001_initial'), ('core', '0002_outbox_sent_markup'), ('opinion', '0001_initial')]

    initial = False

    operations = [
        ops.CreateModel(
            name='EntryRequest',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('staff', fields.ForeignKeyField('core.Staff', source_field='staff_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('chat_id', fields.BigIntField()),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'opinion_entry_request', 'app': 'opinion', 'unique_together': (('staff', 'chat_id'),), 'pk_attr': 'id', 'table_description': 'A person opened /yq 录入: their next text message in that chat is the item to record.'},
            bases=['Model'],
        ),
    ]
