"""The careless (or hostile) user against every publicity button and command: forged, huge,
zero, negative and non-numeric ids get a polite answer; nothing is reported as an error."""

from __future__ import annotations

from models.core import OutboxMessage
from tests.e2e.conftest import Env
from tests.e2e.publicity_env import office

__all__ = ["office"]

ACTIONS = ("lvl", "out", "rdx", "split", "merge", "rdel", "rcy", "yq", "rshow", "isub",
           "icancel", "iuse", "iret", "iins", "ifiles", "icopy", "icard", "iwait", "tgo",
           "tcancel", "tup", "tfile", "vret", "vok", "vshow", "tshow", "bup", "bdn", "bdrop",
           "bnote", "bsign", "bref", "bfile", "bedit", "nosuch")
IDS = ("0", "-1", "7", "99999999999999999999", "abc")
EXTRAS = ("", ":city", ":99999999999999999999", ":xyz", ":-5")
COMMANDS = (
    "/xuanchuan 合并 99999999999999 1", "/xuanchuan 拆分 ²", "/xuanchuan 撤销 -1",
    "/xuanchuan 99999999999", "/xuanchuan 舆情 99999999999999999999", "/xuanchuan 台账 2026-13",
    "/xuanchuan 媒体 新增 某报 县级", "/xuanchuan 媒体 级别 无此报 中央", "/xuanchuan ²",
    "/xinxi 99999999999", "/xinxi 采用 ² 市", "/xinxi 退回 1", "/xinxi 批示 99999999999",
    "/xinxi 规则 市 1e9", "/xinxi 排名 ２０２６Q１",
    "/wengao 99999999999", "/wengao 撤销 99999999999", "/wengao 新建 截止 2099-01-01",
    "/wengao 新建 字数 99999999999",
    "/canyue 2026 99999", "/canyue 加 舆情 99999999999999999999", "/canyue 加 报道 ²",
    "/canyue 单位", "/canyue 加 " + "长" * 4000,
)


async def test_forged_buttons_and_hostile_commands_get_polite_answers(office: Env) -> None:
    env = office
    card = await env.say(1003, "/xuanchuan")
    for action in ACTIONS:
        for ident in IDS:
            for extra in EXTRAS:
                answer = await env.press(1003, card, data=f"pub:{action}:{ident}{extra}")
                assert "Traceback" not in str(answer.get("answer"))
    for command in COMMANDS:
        reply = await env.say(1003, command, timeout=10)
        assert "Traceback" not in (reply.get("text") or "")
        assert "出了点问题" not in (reply.get("text") or ""), (command, reply.get("text"))
    await env.delivered()
    reported = await OutboxMessage.filter(kind="core.error_report").values_list("payload",
                                                                               flat=True)
    assert reported == []
