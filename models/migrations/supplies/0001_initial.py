from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from models.supplies import BuyMethod, MoveKind, PurchaseStatus, RequestStatus
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.migrations.constraints import CheckConstraint

class Migration(migrations.Migration):
    dependencies = [('core', '0001_initial')]

    initial = True

    operations = [
        ops.CreateModel(
            name='Purchase',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('requester', fields.ForeignKeyField('core.Staff', source_field='requester_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('status', fields.CharEnumField(default=PurchaseStatus.DRAFT, description='DRAFT: draft\nPENDING: pending\nAPPROVED: approved\nREJECTED: rejected\nCANCELLED: cancelled\nRECEIVED: received', enum_type=PurchaseStatus, max_length=16)),
                ('method', fields.CharEnumField(default=BuyMethod.DIRECT, description='TENDER: tender\nCOMPARISON: comparison\nDIRECT: direct', enum_type=BuyMethod, max_length=16)),
                ('amount', fields.DecimalField(default=0, max_digits=14, decimal_places=2)),
                ('quotes', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('supplier', fields.CharField(default='', max_length=64)),
                ('note', fields.CharField(default='', max_length=200)),
                ('from_low_stock', fields.BooleanField(default=False, description='Drafted by the bot when an item fell below its safety stock.')),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('submitted_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('decided_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('received_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'purchase', 'app': 'supplies', 'pk_attr': 'id', 'table_description': 'A purchase request: items, estimated amount, how it is bought, and its quotes.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='StockTake',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('by', fields.ForeignKeyField('core.Staff', source_field='by_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'stock_take', 'app': 'supplies', 'pk_attr': 'id', 'table_description': 'A stock-take (盘点): counted quantities compared with the books.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='SupplyItem',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('category', fields.CharField(default='', max_length=32)),
                ('name', fields.CharField(max_length=64)),
                ('spec', fields.CharField(default='', max_length=64)),
                ('unit', fields.CharField(default='个', max_length=8)),
                ('whole', fields.BooleanField(default=True, description='True when the unit cannot be split (packs, pens), False for metres or kilograms.')),
                ('on_hand', fields.DecimalField(default=0, description='Quantity on hand, moved only together with a StockMove row.', max_digits=12, decimal_places=2)),
                ('safety_stock', fields.DecimalField(default=0, description='Below this quantity the office is told and a purchase is drafted.', max_digits=12, decimal_places=2)),
                ('location', fields.CharField(default='', max_length=64)),
                ('monthly_limit', fields.DecimalField(null=True, description='Most one person may request in a calendar month, null for no limit.', max_digits=12, decimal_places=2)),
                ('unit_price', fields.DecimalField(default=0, description='Latest unit price paid (values the stock on hand).', max_digits=12, decimal_places=2)),
                ('initials', fields.CharField(default='', db_index=True, description='Pinyin initials of the name, for searching by initials.', max_length=64)),
                ('active', fields.BooleanField(default=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'supply_item', 'app': 'supplies', 'unique_together': (('name', 'spec'),), 'constraints': [CheckConstraint(check='on_hand >= 0', name='supply_item_on_hand_not_negative')], 'pk_attr': 'id', 'table_description': "An item of the office's catalogue with the quantity on hand."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='PurchaseLine',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('purchase', fields.ForeignKeyField('supplies.Purchase', source_field='purchase_id', db_constraint=True, to_field='id', related_name='lines', on_delete=OnDelete.CASCADE)),
                ('item', fields.ForeignKeyField('supplies.SupplyItem', source_field='item_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('quantity', fields.DecimalField(max_digits=12, decimal_places=2)),
                ('unit_price', fields.DecimalField(default=0, max_digits=12, decimal_places=2)),
            ],
            options={'table': 'purchase_line', 'app': 'supplies', 'unique_together': (('purchase', 'item'),), 'pk_attr': 'id', 'table_description': 'One item of a purchase with its estimated unit price.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='StockIn',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('item', fields.ForeignKeyField('supplies.SupplyItem', source_field='item_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('quantity', fields.DecimalField(max_digits=12, decimal_places=2)),
                ('unit_price', fields.DecimalField(max_digits=12, decimal_places=2)),
                ('supplier', fields.CharField(default='', max_length=64)),
                ('method', fields.CharEnumField(description='TENDER: tender\nCOMPARISON: comparison\nDIRECT: direct', enum_type=BuyMethod, max_length=16)),
                ('quotes', fields.JSONField(default=list, description='Quotes of a price comparison: a list of {supplier, price}.', encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('bought_on', fields.DateField()),
                ('corrects', fields.ForeignKeyField('supplies.StockIn', source_field='corrects_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('purchase_id', fields.IntField(null=True)),
                ('note', fields.CharField(default='', max_length=200)),
                ('at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('by', fields.ForeignKeyField('core.Staff', source_field='by_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
            ],
            options={'table': 'stock_in', 'app': 'supplies', 'pk_attr': 'id', 'table_description': 'An entry of the stock-in register. A correction is a new entry pointing at the old one.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='StockMove',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('item', fields.ForeignKeyField('supplies.SupplyItem', source_field='item_id', db_constraint=True, to_field='id', related_name='moves', on_delete=OnDelete.RESTRICT)),
                ('kind', fields.CharEnumField(description='OPENING: opening\nSTOCK_IN: stock_in\nISSUE: issue\nADJUST: adjust', enum_type=MoveKind, max_length=16)),
                ('delta', fields.DecimalField(description='Positive in, negative out.', max_digits=12, decimal_places=2)),
                ('balance_after', fields.DecimalField(max_digits=12, decimal_places=2)),
                ('unit_price', fields.DecimalField(null=True, max_digits=12, decimal_places=2)),
                ('ref', fields.CharField(default='', description='What caused it, as kind:id (stockin:3, request:7, take:2).', max_length=32)),
                ('reason', fields.CharField(default='', max_length=200)),
                ('at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
                ('by', fields.ForeignKeyField('core.Staff', source_field='by_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
            ],
            options={'table': 'stock_move', 'app': 'supplies', 'pk_attr': 'id', 'table_description': "One change of an item's stock: the ledger entry the quantity on hand is the sum of."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='StockTakeLine',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('take', fields.ForeignKeyField('supplies.StockTake', source_field='take_id', db_constraint=True, to_field='id', related_name='lines', on_delete=OnDelete.CASCADE)),
                ('item', fields.ForeignKeyField('supplies.SupplyItem', source_field='item_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('expected', fields.DecimalField(max_digits=12, decimal_places=2)),
                ('counted', fields.DecimalField(max_digits=12, decimal_places=2)),
                ('reason', fields.CharField(default='', max_length=200)),
            ],
            options={'table': 'stock_take_line', 'app': 'supplies', 'pk_attr': 'id', 'table_description': 'One counted item: the books, the count and why they differ.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='SupplyRequest',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('requester', fields.ForeignKeyField('core.Staff', source_field='requester_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('purpose', fields.CharField(default='', max_length=200)),
                ('status', fields.CharEnumField(default=RequestStatus.DRAFT, description='DRAFT: draft\nPENDING: pending\nAPPROVED: approved\nREJECTED: rejected\nCANCELLED: cancelled\nISSUED: issued\nSIGNED: signed', enum_type=RequestStatus, max_length=16)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('submitted_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('decided_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('issued_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('issued_by', fields.ForeignKeyField('core.Staff', source_field='issued_by_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('partial_reason', fields.CharField(default='', description='Why less than requested was issued.', max_length=200)),
                ('signed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('awaiting', fields.CharField(default='', description="What the draft's next plain message is read as: items, purpose, or nothing.", max_length=16)),
                ('touched_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'supply_request', 'app': 'supplies', 'pk_attr': 'id', 'table_description': "A staff member's request for supplies, from draft to signed receipt."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='SupplyRequestLine',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('request', fields.ForeignKeyField('supplies.SupplyRequest', source_field='request_id', db_constraint=True, to_field='id', related_name='lines', on_delete=OnDelete.CASCADE)),
                ('item', fields.ForeignKeyField('supplies.SupplyItem', source_field='item_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('quantity', fields.DecimalField(max_digits=12, decimal_places=2)),
                ('issued', fields.DecimalField(null=True, max_digits=12, decimal_places=2)),
            ],
            options={'table': 'supply_request_line', 'app': 'supplies', 'unique_together': (('request', 'item'),), 'pk_attr': 'id', 'table_description': 'One item of a request: how many were asked for and how many were issued.'},
            bases=['Model'],
        ),
    ]
