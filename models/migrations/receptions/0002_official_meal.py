from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.migrations.constraints import CheckConstraint

class Migration(migrations.Migration):
    dependencies = [('core', '0003_delivery_leases_inbox'), ('receptions', '0001_initial')]

    initial = False

    operations = [
        ops.CreateModel(
            name='OfficialMeal',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('held_at', fields.DatetimeField(db_index=True, description="When it was held (noon of the day given, in the office's time zone).", auto_now=False, auto_now_add=False)),
                ('unit', fields.CharField(description='The visiting unit (来访单位).', max_length=128)),
                ('guest_diners', fields.IntField()),
                ('staff_diners', fields.IntField()),
                ('kind', fields.CharField(default='工作餐', description='The kind of meal as typed (工作餐).', max_length=32)),
                ('standard', fields.DecimalField(description='Meal standard per person in yuan.', max_digits=10, decimal_places=2)),
                ('cost', fields.DecimalField(description='standard × (guests + accompanying diners).', max_digits=12, decimal_places=2)),
                ('recorded_by', fields.ForeignKeyField('core.Staff', source_field='recorded_by_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'official_meal', 'app': 'receptions', 'constraints': [CheckConstraint(check='guest_diners BETWEEN 1 AND 1000 AND staff_diners >= 0 AND standard >= 0 AND cost >= 0', name='official_meal_numbers')], 'pk_attr': 'id', 'table_description': 'An ordinary official meal (公务用餐) recorded in one line by the office, outside any'},
            bases=['Model'],
        ),
    ]
