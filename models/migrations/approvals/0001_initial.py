from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from models.approvals import AuditAction, RequestStatus, StepMode, StepStatus, Verdict
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('core', '0001_initial')]

    initial = True

    operations = [
        ops.CreateModel(
            name='ApprovalRequest',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('kind', fields.CharField(db_index=True, description="Request kind, the flow's name (room_booking, purchase, ...).", max_length=32)),
                ('subject_id', fields.IntField(description="Id of the feature's record this request is about.")),
                ('requester', fields.ForeignKeyField('core.Staff', source_field='requester_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('title', fields.CharField(max_length=200)),
                ('details', fields.JSONField(default=list, description='Pairs of (text key, value) the card shows.', encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('amount', fields.DecimalField(null=True, max_digits=14, decimal_places=2)),
                ('status', fields.CharEnumField(default=RequestStatus.PENDING, description='PENDING: pending\nAPPROVED: approved\nREJECTED: rejected\nWITHDRAWN: withdrawn', enum_type=RequestStatus, max_length=16)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('decided_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('last_urged_at', fields.DatetimeField(null=True, description='Last time the requester urged the approvers (rate limit).', auto_now=False, auto_now_add=False)),
                ('urge_count', fields.IntField(default=0)),
            ],
            options={'table': 'approval_request', 'app': 'approvals', 'indexes': [Index(fields=['kind', 'subject_id'])], 'pk_attr': 'id', 'table_description': 'Something a feature asks to have approved (a booking, a purchase), walking its flow.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ApprovalAction',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('request', fields.ForeignKeyField('approvals.ApprovalRequest', source_field='request_id', null=True, db_constraint=True, to_field='id', related_name='actions', on_delete=OnDelete.RESTRICT)),
                ('action', fields.CharEnumField(description='SUBMIT: submit\nAPPROVE: approve\nREJECT: reject\nTRANSFER: transfer\nADD_SIGNER: add_signer\nWITHDRAW: withdraw\nURGE: urge\nREMIND: remind\nESCALATE: escalate\nDELEGATE: delegate', enum_type=AuditAction, max_length=16)),
                ('actor', fields.ForeignKeyField('core.Staff', source_field='actor_id', null=True, description="Who did it (null for the scheduler's reminders and escalations).", db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('on_behalf_of', fields.ForeignKeyField('core.Staff', source_field='on_behalf_of_id', null=True, description='The approver the actor stood in for (delegation), or the person acted upon.', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('target', fields.ForeignKeyField('core.Staff', source_field='target_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('step_seq', fields.IntField(null=True)),
                ('comment', fields.TextField(default='', unique=False)),
                ('at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'approval_action', 'app': 'approvals', 'pk_attr': 'id', 'table_description': 'One thing someone did to a request (append-only: the database refuses edits).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ApprovalStep',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('request', fields.ForeignKeyField('approvals.ApprovalRequest', source_field='request_id', db_constraint=True, to_field='id', related_name='steps', on_delete=OnDelete.CASCADE)),
                ('seq', fields.IntField(description='Order in the chain (configured steps 100, 200, ... and added signers in between).')),
                ('label', fields.CharField(default='', description='Text key or plain label of the step.', max_length=64)),
                ('mode', fields.CharEnumField(default=StepMode.ANY, description='ANY: any\nALL: all', enum_type=StepMode, max_length=8)),
                ('spec', fields.JSONField(default=dict, description='The approver spec from the flow (resolved when the step starts).', encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('cc', fields.JSONField(default=list, description="Who is told of this step's decision (staff ids).", encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('escalate_to', fields.JSONField(default=dict, description='Spec of who the step escalates to when it waits too long.', encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('status', fields.CharEnumField(default=StepStatus.WAITING, description='WAITING: waiting\nACTIVE: active\nAPPROVED: approved\nREJECTED: rejected\nSKIPPED: skipped\nCLOSED: closed', enum_type=StepStatus, max_length=16)),
                ('started_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('decided_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('reminded_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('escalated_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'approval_step', 'app': 'approvals', 'unique_together': (('request', 'seq'),), 'pk_attr': 'id', 'table_description': "One link of a request's chain: who decides, with any-one or all semantics."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ApprovalAssignee',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('step', fields.ForeignKeyField('approvals.ApprovalStep', source_field='step_id', db_constraint=True, to_field='id', related_name='assignees', on_delete=OnDelete.CASCADE)),
                ('approver', fields.ForeignKeyField('core.Staff', source_field='approver_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('acting', fields.ForeignKeyField('core.Staff', source_field='acting_id', null=True, description='The delegate who receives the card while the approver is away.', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('escalated', fields.BooleanField(default=False, description='Added by escalation (their decision settles the step on its own).')),
                ('verdict', fields.CharEnumField(null=True, description='APPROVED: approved\nREJECTED: rejected\nTRANSFERRED: transferred\nCLOSED: closed', enum_type=Verdict, max_length=16)),
                ('decided_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('decided_by', fields.ForeignKeyField('core.Staff', source_field='decided_by_id', null=True, description='Who actually pressed the button (the approver or the delegate).', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('comment', fields.TextField(default='', unique=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'approval_assignee', 'app': 'approvals', 'pk_attr': 'id', 'table_description': 'A person who must decide a step (or their delegate), and what they decided.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ApprovalDecision',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('step', fields.OneToOneField('approvals.ApprovalStep', source_field='step_id', db_constraint=True, to_field='id', related_name='decision', on_delete=OnDelete.CASCADE)),
                ('outcome', fields.CharField(max_length=16)),
                ('decided_by', fields.ForeignKeyField('core.Staff', source_field='decided_by_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('decided_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'approval_decision', 'app': 'approvals', 'pk_attr': 'id', 'table_description': 'The one decision that settled a step (the unique key refuses a second).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Delegation',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('principal', fields.ForeignKeyField('core.Staff', source_field='principal_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('delegate', fields.ForeignKeyField('core.Staff', source_field='delegate_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('starts_on', fields.DateField()),
                ('ends_on', fields.DateField()),
                ('cancelled', fields.BooleanField(default=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'approval_delegation', 'app': 'approvals', 'pk_attr': 'id', 'table_description': 'An approver away hands their cards to a delegate for a range of dates.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ReasonPrompt',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('staff', fields.OneToOneField('core.Staff', source_field='staff_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('assignee', fields.ForeignKeyField('approvals.ApprovalAssignee', source_field='assignee_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'approval_reason_prompt', 'app': 'approvals', 'pk_attr': 'id', 'table_description': "A rejection waiting for its reason: the approver's next text message is the reason."},
            bases=['Model'],
        ),
    ]
