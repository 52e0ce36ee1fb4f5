"""Supplies and stock (issue 7): catalogue, requests, stock-in, purchases, stock-take, ledgers.

Every change of a quantity on hand is a StockMove written in the same transaction; the
database refuses a negative stock and any edit of the ledger. An issue only reserves its
quantity (SupplyItem.reserved, never above on_hand by a database guard); the stock moves when
the requester signs for it (签收), and a withdrawn issue gives the reservation back. The shelf
holds on_hand - reserved: a stock-take count and the safety level are compared with that.
"""

from __future__ import annotations

from services import approvals
from services.supplies import catalogue, ledgers, parse, purchases, requests, stock
from services.supplies.demo import seed_demo
from services.supplies.ledgers import supply_figures

approvals.on_outcome(requests.KIND, requests.on_outcome)
approvals.on_outcome(purchases.KIND, purchases.on_outcome)

__all__ = [
    "catalogue",
    "ledgers",
    "parse",
    "purchases",
    "requests",
    "seed_demo",
    "stock",
    "supply_figures",
]
