from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('approvals', '0001_initial'), ('core', '0001_initial'), ('core', '0002_outbox_sent_markup')]

    initial = False

    operations = [
        ops.AddField(
            model_name='ReasonPrompt',
            name='message_id',
            field=fields.BigIntField(null=True, description='The message that asks for the reason: once answered it shows the answer, without buttons'),
        ),
    ]
