"""Approval flows read from YAML, and the audit trail exported as XLSX."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook

from bot.cli_audit import audit_command
from bot.settings import Settings
from models.approvals import ApprovalAssignee
from models.core import Role, Staff
from services import approvals
from services.approvals.flows import FlowError, parse_flows
from services.clock import FixedClock


@pytest.mark.parametrize(("document", "says"), [
    ({}, "kinds"),
    ({"kinds": {"x": []}}, "list of chains"),
    ({"kinds": {"x": [{"steps": [{"mode": "any"}]}]}}, "approvers are required"),
    ({"kinds": {"x": [{"steps": [{"approvers": {"role": "boss"}}]}]}}, "unknown role"),
    ({"kinds": {"x": [{"steps": [{"approvers": {"role": "office", "dept_head": True}}]}]}},
     "exactly one"),
    ({"kinds": {"x": [{"steps": [{"approvers": {"role": "office"}, "mode": "most"}]}]}},
     "any or all"),
    ({"kinds": {"x": [{"below": "lots", "steps": [{"approvers": {"role": "office"}}]}]}},
     "number"),
])
def test_malformed_flows_file_is_refused_saying_where(document: object, says: str) -> None:
    with pytest.raises(FlowError) as error:
        parse_flows(document)
    assert says in str(error.value)


def test_shipped_flows_file_configures_the_four_kinds() -> None:
    flows = approvals.all_flows()
    assert {"room_booking", "supply_request", "purchase", "reception"} <= set(flows)
    supply = flows["supply_request"][0].steps
    assert [s.approvers for s in supply] == [{"dept_head": True}, {"role": "office"}]
    assert [s.approvers for s in flows["reception"][0].steps] == [
        {"role": "office"}, {"role": "leader"}]
    assert all(s.escalate_to == {"role": "leader"} for s in supply)


async def test_audit_export_lists_every_action_since_the_date(
        db: str, fixed_clock: FixedClock, tmp_path: Path) -> None:
    liu = await Staff.create(tg_user_id=1004, name="刘工", department="规划建设局")
    zhang = await Staff.create(tg_user_id=1003, name="张秘书", role=Role.OFFICE)
    zhao = await Staff.create(tg_user_id=1006, name="赵干事", role=Role.OFFICE)
    await approvals.set_delegation(zhang, zhao, date(2026, 11, 26), date(2026, 11, 27))
    old = await approvals.submit("purchase", 1, liu, title="去年的采购", details=[],
                                 amount=None)
    fixed_clock.advance(timedelta(days=1))
    request = await approvals.submit("purchase", 2, liu, title="打印机硒鼓", details=[],
                                     amount=None)
    card = await ApprovalAssignee.get(step__request_id=request.id, approver_id=zhang.id)
    await approvals.reject(card.id, zhao, "型号不对")
    out = tmp_path / "audit.xlsx"
    settings = Settings(_env_file=None, database_url=db)  # type: ignore[call-arg]
    assert await audit_command(date(2026, 11, 27), out, settings) == 0
    rows = list(load_workbook(out).active.iter_rows(values_only=True))  # type: ignore[union-attr]
    assert rows[0][0] == "审批记录" and rows[1][0] == "期间：2026-11-27"
    assert rows[2][:5] == ("时间", "审批编号", "类型", "标题", "动作")
    assert isinstance(rows[3][0], datetime)
    assert rows[-1][0] == "合计（2 项）"
    assert [(r[1], r[4], r[5], r[6], r[9]) for r in rows[3:-1]] == [
        (request.id, "提交申请", "刘工", None, None),
        (request.id, "驳回", "赵干事", "张秘书", "型号不对"),
    ]
    assert old.id not in [r[1] for r in rows[3:]]
    nothing = tmp_path / "nothing.xlsx"  # no action since then: a message, not an empty file
    assert await audit_command(date(2026, 12, 20), nothing, settings) == 0
    assert not nothing.exists()
