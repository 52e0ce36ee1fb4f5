"""Seal use (用印, issue 16): the seals the office keeps, requests approved by each seal's chain,
the custodian's stamp entered in the register, and approvals that lapse unused.

Each seal names its approval kind (`Seal.flow`, a chain in config/approval_flows.yaml whose name
starts with "seal"); the outcome handler is registered for every such kind.
"""

from __future__ import annotations

from services import approvals
from services.seals import catalogue, links, register, requests
from services.seals.demo import seed_demo
from services.seals.requests import RULES, configure


def register_outcomes() -> list[str]:
    """Follow the outcome of every seal chain the flows file has (call after it is loaded)."""
    kinds = [k for k in approvals.all_flows() if k.startswith("seal")]
    for kind in kinds:
        approvals.on_outcome(kind, requests.on_outcome)
    return kinds


register_outcomes()

__all__ = ["RULES", "catalogue", "configure", "links", "register", "register_outcomes",
           "requests", "seed_demo"]
