"""Documents and supervision (issue 14): 收文, 发文, 承办 with chasing, 督查督办, registers.

Every sign-off walks the approvals engine (config/approval_flows.yaml): the leaders' reading
of an incoming document, 核稿 → 签发 of an outgoing one, extensions and completion reviews.
"""

from services import approvals
from services.documents import (
    bulletin,
    chasing,
    common,
    handling,
    incoming,
    outgoing,
    parsing,
    registers,
    search,
    slips,
)
from services.documents.common import POLICY, configure

# The engine calls these inside the decision's own transaction.
approvals.on_outcome(incoming.KIND, incoming.on_signoff)
approvals.on_outcome(outgoing.KIND, outgoing.on_outcome)
approvals.on_outcome(handling.KIND_EXTENSION, handling.on_extension)
approvals.on_outcome(handling.KIND_REVIEW, handling.on_review)

__all__ = [
    "POLICY", "bulletin", "chasing", "common", "configure", "handling", "incoming", "outgoing",
    "parsing", "registers", "search", "slips",
]  # fmt: skip
