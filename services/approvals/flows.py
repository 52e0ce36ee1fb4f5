"""Approval flows as data: each request kind's chains of steps, read from YAML."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml

from models.approvals import StepMode

log = logging.getLogger(__name__)
PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_FILE = Path("config/approval_flows.yaml")
#: `chosen`: the people the requester names when submitting (a document's leaders).
SPEC_KEYS = ("role", "dept_head", "people", "chosen")
DEFAULT_ESCALATION: dict[str, Any] = {"role": "leader"}


class FlowError(ValueError):
    """The flows file is malformed; the message says where."""


@dataclass(frozen=True)
class StepSpec:
    """One configured step: who approves, how many of them, who is told."""

    label: str
    approvers: dict[str, Any]
    mode: StepMode = StepMode.ANY
    cc: dict[str, Any] = field(default_factory=dict)
    escalate_to: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Chain:
    """The steps used for requests below an amount (None: any amount)."""

    below: Decimal | None
    steps: tuple[StepSpec, ...]


@dataclass
class Policy:
    """Chasing and urging thresholds, and the office's zone (set from the settings)."""

    urge_interval: timedelta = timedelta(minutes=60)
    remind_after_hours: float = 4.0
    escalate_after_hours: float = 8.0
    tz: ZoneInfo = field(default_factory=lambda: ZoneInfo("Asia/Shanghai"))


POLICY = Policy()
_from_file: dict[str, list[Chain]] = {}
_registered: dict[str, list[Chain]] = {}
_loaded = False


def _spec(value: Any, where: str, *, required: bool) -> dict[str, Any]:
    if value in (None, {}):
        if required:
            raise FlowError(f"{where}: approvers are required")
        return {}
    if not isinstance(value, dict) or sum(k in value for k in SPEC_KEYS) != 1:
        raise FlowError(f"{where}: give exactly one of {', '.join(SPEC_KEYS)}")
    if "role" in value and value["role"] not in ("admin", "leader", "office", "staff"):
        raise FlowError(f"{where}: unknown role {value['role']!r}")
    if "people" in value and (not isinstance(value["people"], list) or not value["people"]):
        raise FlowError(f"{where}: people must be a non-empty list")
    return dict(value)


def parse_chains(kind: str, data: Any, default_escalation: dict[str, Any]) -> list[Chain]:
    """Check and build one kind's chains (ordered by amount limit, the open one last)."""
    if not isinstance(data, list) or not data:
        raise FlowError(f"{kind}: a list of chains is expected")
    chains = []
    for i, chain in enumerate(data):
        where = f"{kind}[{i}]"
        if not isinstance(chain, dict) or not chain.get("steps"):
            raise FlowError(f"{where}: steps are required")
        below = None
        if chain.get("below") is not None:
            try:
                below = Decimal(str(chain["below"]))
            except InvalidOperation:
                raise FlowError(f"{where}: below must be a number") from None
        steps = []
        for j, step in enumerate(chain["steps"]):
            swhere = f"{where}.steps[{j}]"
            if not isinstance(step, dict):
                raise FlowError(f"{swhere}: a mapping is expected")
            try:
                mode = StepMode(step.get("mode", "any"))
            except ValueError:
                raise FlowError(f"{swhere}: mode must be any or all") from None
            steps.append(StepSpec(
                label=str(step.get("label", "")),
                approvers=_spec(step.get("approvers"), swhere, required=True),
                mode=mode,
                cc=_spec(step.get("cc"), f"{swhere}.cc", required=False),
                escalate_to=_spec(step.get("escalate_to"), f"{swhere}.escalate_to",
                                  required=False) or default_escalation,
            ))
        chains.append(Chain(below, tuple(steps)))
    chains.sort(key=lambda c: (c.below is None, c.below or 0))
    return chains


def parse_flows(data: Any) -> dict[str, list[Chain]]:
    """Build every kind's chains from the YAML document."""
    if not isinstance(data, dict) or not isinstance(data.get("kinds"), dict):
        raise FlowError("the file needs a `kinds:` mapping")
    default = _spec(data.get("escalate_to"), "escalate_to", required=False) or DEFAULT_ESCALATION
    return {str(k): parse_chains(str(k), v, default) for k, v in data["kinds"].items()}


def load_file(path: Path) -> dict[str, list[Chain]]:
    """Read the flows file (relative paths from the working folder, then the project)."""
    candidates = [path] if path.is_absolute() else [path, PROJECT_ROOT / path]
    for candidate in candidates:
        if candidate.exists():
            return parse_flows(yaml.safe_load(candidate.read_text(encoding="utf-8")))
    log.warning("approval flows file %s not found: no request kind has a flow", path)
    return {}


def use_file(path: Path) -> None:
    """Replace the flows read from the file."""
    global _loaded, _from_file
    _from_file = load_file(path)
    _loaded = True


def register_flow(kind: str, chains: list[dict[str, Any]]) -> None:
    """Add or replace a kind's flow in code (tests, features with a fixed flow)."""
    _registered[kind] = parse_chains(kind, chains, DEFAULT_ESCALATION)


def unregister_flow(kind: str) -> None:
    _registered.pop(kind, None)


def all_flows() -> dict[str, list[Chain]]:
    if not _loaded:
        use_file(DEFAULT_FILE)
    return {**_from_file, **_registered}


def chain_for(kind: str, amount: Decimal | None) -> Chain | None:
    """The chain this request takes: the first whose limit is above its amount."""
    chains = all_flows().get(kind)
    if not chains:
        return None
    value = amount if amount is not None else Decimal(0)
    for chain in chains:
        if chain.below is None or value < chain.below:
            return chain
    return None


def configure(settings: Any) -> None:
    """Take the thresholds and the flows file from the settings."""
    POLICY.urge_interval = timedelta(
        minutes=getattr(settings, "approval_urge_interval_minutes", 60))
    POLICY.remind_after_hours = getattr(settings, "approval_remind_after_hours", 4.0)
    POLICY.escalate_after_hours = getattr(settings, "approval_escalate_after_hours", 8.0)
    POLICY.tz = ZoneInfo(getattr(settings, "timezone", "Asia/Shanghai"))
    use_file(Path(getattr(settings, "approval_flows_file", DEFAULT_FILE)))
