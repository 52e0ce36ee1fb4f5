from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields
from tortoise.migrations.constraints import CheckConstraint

class Migration(migrations.Migration):
    dependencies = [('core', '0002_outbox_sent_markup'), ('supplies', '0001_initial')]

    initial = False

    operations = [
        ops.AlterField(
            model_name='StockTakeLine',
            name='expected',
            field=fields.DecimalField(description='What the books say is on the shelf: on hand less what was issued but not signed for.', max_digits=12, decimal_places=2),
        ),
        ops.AlterModelOptions(
            name='SupplyItem',
            options={'table': 'supply_item', 'app': 'supplies', 'unique_together': (('name', 'spec'),), 'constraints': [CheckConstraint(check='on_hand >= 0', name='supply_item_on_hand_not_negative')], 'pk_attr': 'id', 'table_description': 'An item of the catalogue: stock on hand, and the part issued but not yet signed for.'},
        ),
        ops.AddField(
            model_name='SupplyItem',
            name='reserved',
            field=fields.DecimalField(default=0, description='Issued but not yet signed for: held for the requester, leaves the books at 签收.', max_digits=12, decimal_places=2),
        ),
        ops.AddField(
            model_name='SupplyRequest',
            name='issue_round',
            field=fields.IntField(default=0, description='How many times it was issued (an issue withdrawn before 签收 can be issued again).'),
        ),
    ]
