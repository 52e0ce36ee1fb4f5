from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    initial = True

    operations = [
        ops.CreateModel(
            name='BotSecret',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('name', fields.CharField(unique=True, description='What the secret is for (webhook).', max_length=64)),
                ('value', fields.CharField(max_length=256)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'bot_secret', 'app': 'security', 'pk_attr': 'id', 'table_description': "A secret the bot generated and every replica shares, such as the webhook's secret token."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ErrorReport',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('signature', fields.CharField(unique=True, description='Exception type and where in the bot it was raised, hashed.', max_length=64)),
                ('summary', fields.CharField(max_length=300)),
                ('pending', fields.IntField(default=0, description='Occurrences since the admins were last told.')),
                ('total', fields.IntField(default=0)),
                ('first_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('last_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('reported_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'error_report', 'app': 'security', 'pk_attr': 'id', 'table_description': 'One kind of unexpected error: the admins hear of it once per window, with a count.'},
            bases=['Model'],
        ),
    ]
