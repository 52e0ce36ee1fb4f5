from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('core', '0001_initial'), ('core', '0002_outbox_sent_markup'), ('supplies', '0002_item_reserved')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Purchase',
            name='estimated',
            field=fields.BooleanField(default=False, description='The amount is an estimate from catalogue prices: real prices are asked for at stock-in.'),
        ),
        ops.AddField(
            model_name='PurchaseLine',
            name='amount',
            field=fields.DecimalField(null=True, description="What the line really cost (typed, or a one-line purchase's amount), null until known.", max_digits=14, decimal_places=2),
        ),
        ops.AddField(
            model_name='StockIn',
            name='amount',
            field=fields.DecimalField(null=True, description='What the entry cost in all (a purchase line of 1000 yuan for 3 packs is not 3 x 333.33).', max_digits=14, decimal_places=2),
        ),
    ]
