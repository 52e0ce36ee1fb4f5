"""Supplies and stock: catalogue, stock moves, requests, stock-ins, purchases, stock-takes."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.migrations.constraints import CheckConstraint
from tortoise.models import Model

from models.core import Staff

# The ORM does not create Meta.constraints with the tables, and SQLite stores decimals as text:
# these guards make the database itself refuse a negative stock, a reservation beyond the stock
# on hand (two clerks issuing the last unit) and any edit of the ledger.
_RESERVED_BAD = ("CAST(NEW.reserved AS NUMERIC) < 0 "
                 "OR CAST(NEW.reserved AS NUMERIC) > CAST(NEW.on_hand AS NUMERIC)")
SQLITE_GUARDS = [
    """CREATE TRIGGER IF NOT EXISTS supply_item_on_hand_not_negative_ins
    BEFORE INSERT ON supply_item WHEN CAST(NEW.on_hand AS NUMERIC) < 0
    BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: supply_item_on_hand_not_negative'); END""",
    """CREATE TRIGGER IF NOT EXISTS supply_item_on_hand_not_negative_upd
    BEFORE UPDATE OF on_hand ON supply_item WHEN CAST(NEW.on_hand AS NUMERIC) < 0
    BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: supply_item_on_hand_not_negative'); END""",
    f"""CREATE TRIGGER IF NOT EXISTS supply_item_reserved_within_on_hand_ins
    BEFORE INSERT ON supply_item WHEN {_RESERVED_BAD}
    BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: supply_item_reserved_within_on_hand');
    END""",
    f"""CREATE TRIGGER IF NOT EXISTS supply_item_reserved_within_on_hand_upd
    BEFORE UPDATE OF on_hand, reserved ON supply_item WHEN {_RESERVED_BAD}
    BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: supply_item_reserved_within_on_hand');
    END""",
    """CREATE TRIGGER IF NOT EXISTS stock_move_append_only_upd BEFORE UPDATE ON stock_move
    BEGIN SELECT RAISE(ABORT, 'stock_move is append-only'); END""",
    """CREATE TRIGGER IF NOT EXISTS stock_move_append_only_del BEFORE DELETE ON stock_move
    BEGIN SELECT RAISE(ABORT, 'stock_move is append-only'); END""",
    """CREATE TRIGGER IF NOT EXISTS stock_in_append_only_upd BEFORE UPDATE ON stock_in
    BEGIN SELECT RAISE(ABORT, 'stock_in is append-only'); END""",
]
POSTGRES_GUARDS = [
    """DO $$ BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'supply_item_on_hand_not_negative')
    THEN ALTER TABLE supply_item ADD CONSTRAINT supply_item_on_hand_not_negative
        CHECK (on_hand >= 0);
    END IF; END $$""",
    """DO $$ BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_constraint
                   WHERE conname = 'supply_item_reserved_within_on_hand')
    THEN ALTER TABLE supply_item ADD CONSTRAINT supply_item_reserved_within_on_hand
        CHECK (reserved >= 0 AND reserved <= on_hand);
    END IF; END $$""",
    """CREATE OR REPLACE FUNCTION stock_ledger_append_only() RETURNS trigger AS $f$
    BEGIN RAISE EXCEPTION '% is append-only', TG_TABLE_NAME; END $f$ LANGUAGE plpgsql""",
    """DO $$ BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgname = 'stock_move_append_only') THEN
        CREATE TRIGGER stock_move_append_only BEFORE UPDATE OR DELETE ON stock_move
        FOR EACH ROW EXECUTE FUNCTION stock_ledger_append_only();
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgname = 'stock_in_append_only') THEN
        CREATE TRIGGER stock_in_append_only BEFORE UPDATE ON stock_in
        FOR EACH ROW EXECUTE FUNCTION stock_ledger_append_only();
    END IF; END $$""",
]


class MoveKind(StrEnum):
    OPENING = "opening"
    STOCK_IN = "stock_in"
    ISSUE = "issue"
    ADJUST = "adjust"


class BuyMethod(StrEnum):
    TENDER = "tender"
    COMPARISON = "comparison"
    DIRECT = "direct"


class RequestStatus(StrEnum):
    DRAFT = "draft"
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    CANCELLED = "cancelled"
    ISSUED = "issued"
    SIGNED = "signed"


class PurchaseStatus(StrEnum):
    DRAFT = "draft"
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    CANCELLED = "cancelled"
    RECEIVED = "received"


class SupplyItem(Model):
    """An item of the catalogue: stock on hand, and the part issued but not yet signed for."""

    id = fields.IntField(primary_key=True)
    category = fields.CharField(max_length=32, default="")
    name = fields.CharField(max_length=64)
    spec = fields.CharField(max_length=64, default="")
    unit = fields.CharField(max_length=8, default="个")
    #: True when the unit cannot be split (packs, pens), False for metres or kilograms.
    whole = fields.BooleanField(default=True)
    #: Quantity on hand, moved only together with a StockMove row.
    on_hand = fields.DecimalField(max_digits=12, decimal_places=2, default=0)
    #: Issued but not yet signed for: held for the requester, leaves the books at 签收.
    reserved = fields.DecimalField(max_digits=12, decimal_places=2, default=0)
    #: Below this quantity the office is told and a purchase is drafted.
    safety_stock = fields.DecimalField(max_digits=12, decimal_places=2, default=0)
    location = fields.CharField(max_length=64, default="")
    #: Most one person may request in a calendar month, null for no limit.
    monthly_limit = fields.DecimalField(max_digits=12, decimal_places=2, null=True)
    #: Latest unit price paid (values the stock on hand).
    unit_price = fields.DecimalField(max_digits=12, decimal_places=2, default=0)
    #: Pinyin initials of the name, for searching by initials.
    initials = fields.CharField(max_length=64, default="", db_index=True)
    active = fields.BooleanField(default=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "supply_item"
        unique_together = (("name", "spec"),)
        # reserved <= on_hand is only in the guards: as a table CHECK, SQLite would compare the
        # decimals as text ('3.00' > '10.00') and a migration would rebuild the table for it.
        constraints = (
            CheckConstraint(check="on_hand >= 0", name="supply_item_on_hand_not_negative"),
        )


class StockMove(Model):
    """One change of an item's stock: the ledger entry the quantity on hand is the sum of."""

    id = fields.BigIntField(primary_key=True)
    item: fields.ForeignKeyRelation[SupplyItem] = fields.ForeignKeyField(
        "supplies.SupplyItem", related_name="moves", on_delete=fields.RESTRICT
    )
    kind = fields.CharEnumField(MoveKind, max_length=16)
    #: Positive in, negative out.
    delta = fields.DecimalField(max_digits=12, decimal_places=2)
    balance_after = fields.DecimalField(max_digits=12, decimal_places=2)
    unit_price = fields.DecimalField(max_digits=12, decimal_places=2, null=True)
    #: What caused it, as kind:id (stockin:3, request:7, take:2).
    ref = fields.CharField(max_length=32, default="")
    reason = fields.CharField(max_length=200, default="")
    at = fields.DatetimeField(db_index=True)
    by: fields.ForeignKeyNullableRelation[Staff] = fields.ForeignKeyField(
        "core.Staff", related_name=False, null=True, on_delete=fields.SET_NULL
    )

    class Meta:
        table = "stock_move"


class StockIn(Model):
    """An entry of the stock-in register. A correction is a new entry pointing at the old one."""

    id = fields.IntField(primary_key=True)
    item: fields.ForeignKeyRelation[SupplyItem] = fields.ForeignKeyField(
        "supplies.SupplyItem", related_name=False, on_delete=fields.RESTRICT
    )
    quantity = fields.DecimalField(max_digits=12, decimal_places=2)
    unit_price = fields.DecimalField(max_digits=12, decimal_places=2)
    #: What the entry cost in all (a purchase line of 1000 yuan for 3 packs is not 3 x 333.33).
    amount = fields.DecimalField(max_digits=14, decimal_places=2, null=True)
    supplier = fields.CharField(max_length=64, default="")
    method = fields.CharEnumField(BuyMethod, max_length=16)
    #: Quotes of a price comparison: a list of {supplier, price}.
    quotes: fields.JSONField[list[dict[str, str]]] = fields.JSONField(default=list)
    bought_on = fields.DateField()
    corrects: fields.ForeignKeyNullableRelation[StockIn] = fields.ForeignKeyField(
        "supplies.StockIn", related_name=False, null=True, on_delete=fields.RESTRICT
    )
    purchase_id = fields.IntField(null=True)
    note = fields.CharField(max_length=200, default="")
    at = fields.DatetimeField()
    by: fields.ForeignKeyNullableRelation[Staff] = fields.ForeignKeyField(
        "core.Staff", related_name=False, null=True, on_delete=fields.SET_NULL
    )

    class Meta:
        table = "stock_in"


class SupplyRequest(Model):
    """A staff member's request for supplies, from draft to signed receipt."""

    id = fields.IntField(primary_key=True)
    requester: fields.ForeignKeyRelation[Staff] = fields.ForeignKeyField(
        "core.Staff", related_name=False, on_delete=fields.RESTRICT
    )
    purpose = fields.CharField(max_length=200, default="")
    status = fields.CharEnumField(RequestStatus, max_length=16, default=RequestStatus.DRAFT)
    created_at = fields.DatetimeField()
    submitted_at = fields.DatetimeField(null=True)
    decided_at = fields.DatetimeField(null=True)
    issued_at = fields.DatetimeField(null=True)
    issued_by: fields.ForeignKeyNullableRelation[Staff] = fields.ForeignKeyField(
        "core.Staff", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    #: Why less than requested was issued.
    partial_reason = fields.CharField(max_length=200, default="")
    signed_at = fields.DatetimeField(null=True)
    #: How many times it was issued (an issue withdrawn before 签收 can be issued again).
    issue_round = fields.IntField(default=0)
    #: What the draft's next plain message is read as: items, purpose, or nothing.
    awaiting = fields.CharField(max_length=16, default="")
    touched_at = fields.DatetimeField(null=True)

    class Meta:
        table = "supply_request"


class SupplyRequestLine(Model):
    """One item of a request: how many were asked for and how many were issued."""

    id = fields.IntField(primary_key=True)
    request: fields.ForeignKeyRelation[SupplyRequest] = fields.ForeignKeyField(
        "supplies.SupplyRequest", related_name="lines", on_delete=fields.CASCADE
    )
    item: fields.ForeignKeyRelation[SupplyItem] = fields.ForeignKeyField(
        "supplies.SupplyItem", related_name=False, on_delete=fields.RESTRICT
    )
    quantity = fields.DecimalField(max_digits=12, decimal_places=2)
    issued = fields.DecimalField(max_digits=12, decimal_places=2, null=True)

    class Meta:
        table = "supply_request_line"
        unique_together = (("request", "item"),)


class Purchase(Model):
    """A purchase request: items, estimated amount, how it is bought, and its quotes."""

    id = fields.IntField(primary_key=True)
    requester: fields.ForeignKeyNullableRelation[Staff] = fields.ForeignKeyField(
        "core.Staff", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    status = fields.CharEnumField(PurchaseStatus, max_length=16, default=PurchaseStatus.DRAFT)
    method = fields.CharEnumField(BuyMethod, max_length=16, default=BuyMethod.DIRECT)
    amount = fields.DecimalField(max_digits=14, decimal_places=2, default=0)
    #: The amount is an estimate from catalogue prices: real prices are asked for at stock-in.
    estimated = fields.BooleanField(default=False)
    quotes: fields.JSONField[list[dict[str, str]]] = fields.JSONField(default=list)
    supplier = fields.CharField(max_length=64, default="")
    note = fields.CharField(max_length=200, default="")
    #: Drafted by the bot when an item fell below its safety stock.
    from_low_stock = fields.BooleanField(default=False)
    created_at = fields.DatetimeField()
    submitted_at = fields.DatetimeField(null=True)
    decided_at = fields.DatetimeField(null=True)
    received_at = fields.DatetimeField(null=True)

    class Meta:
        table = "purchase"


class PurchaseLine(Model):
    """One item of a purchase with its estimated unit price."""

    id = fields.IntField(primary_key=True)
    purchase: fields.ForeignKeyRelation[Purchase] = fields.ForeignKeyField(
        "supplies.Purchase", related_name="lines", on_delete=fields.CASCADE
    )
    item: fields.ForeignKeyRelation[SupplyItem] = fields.ForeignKeyField(
        "supplies.SupplyItem", related_name=False, on_delete=fields.RESTRICT
    )
    quantity = fields.DecimalField(max_digits=12, decimal_places=2)
    unit_price = fields.DecimalField(max_digits=12, decimal_places=2, default=0)
    #: What the line really cost (typed, or a one-line purchase's amount), null until known.
    amount = fields.DecimalField(max_digits=14, decimal_places=2, null=True)

    class Meta:
        table = "purchase_line"
        unique_together = (("purchase", "item"),)


class StockTake(Model):
    """A stock-take (盘点): counted quantities compared with the books."""

    id = fields.IntField(primary_key=True)
    by: fields.ForeignKeyNullableRelation[Staff] = fields.ForeignKeyField(
        "core.Staff", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    at = fields.DatetimeField()

    class Meta:
        table = "stock_take"


class StockTakeLine(Model):
    """One counted item: the books, the count and why they differ."""

    id = fields.IntField(primary_key=True)
    take: fields.ForeignKeyRelation[StockTake] = fields.ForeignKeyField(
        "supplies.StockTake", related_name="lines", on_delete=fields.CASCADE
    )
    item: fields.ForeignKeyRelation[SupplyItem] = fields.ForeignKeyField(
        "supplies.SupplyItem", related_name=False, on_delete=fields.RESTRICT
    )
    #: What the books say is on the shelf: on hand less what was issued but not signed for.
    expected = fields.DecimalField(max_digits=12, decimal_places=2)
    counted = fields.DecimalField(max_digits=12, decimal_places=2)
    reason = fields.CharField(max_length=200, default="")

    class Meta:
        table = "stock_take_line"
