from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('approvals', '0002_reason_prompt_message'), ('core', '0001_initial'), ('core', '0002_outbox_sent_markup')]

    initial = False

    operations = [
        ops.AlterModelOptions(
            name='ReasonPrompt',
            options={'table': 'approval_reason_prompt', 'app': 'approvals', 'pk_attr': 'id', 'table_description': "A rejection (or a transfer) waiting for its reason: the approver's next text is it."},
        ),
        ops.AddField(
            model_name='ReasonPrompt',
            name='transfer_to',
            field=fields.ForeignKeyField('core.Staff', source_field='transfer_to_id', null=True, description="Set when the reason is a transfer's: the person the card passes to once it is given", db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE),
        ),
    ]
