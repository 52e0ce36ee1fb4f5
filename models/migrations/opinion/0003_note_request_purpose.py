from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('core', '0001_initial'), ('core', '0002_outbox_sent_markup'), ('opinion', '0002_entry_request')]

    initial = False

    operations = [
        ops.AddField(
            model_name='NoteRequest',
            name='purpose',
            field=fields.CharField(default='handled', description='What the note is for: handled (what was done) or false_alarm (why it is no negative item)', max_length=16),
        ),
    ]
