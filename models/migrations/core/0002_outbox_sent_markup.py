from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('core', '0001_initial')]

    initial = False

    operations = [
        ops.AddField(
            model_name='OutboxMessage',
            name='sent_markup',
            field=fields.TextField(null=True, description='The inline keyboard it carries now (JSON), kept with sent_text so that an edit that', unique=False),
        ),
    ]
