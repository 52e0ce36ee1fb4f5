"""Storms: a flood of alerts to one chat becomes digests with a button listing them."""

from __future__ import annotations

from models.core import OutboxMessage, OutboxStatus
from models.opinion import OpinionCase
from services.clock import FixedClock
from tests.e2e.conftest import Env
from tests.e2e.test_opinion import labels, office, post_items  # noqa: F401  (fixture)

PLACES = ["一号厂房", "二号仓库", "东门", "西区", "污水站", "食堂", "南门", "北区", "三号楼",
          "变电站", "停车场", "宿舍楼", "研发楼", "展示中心", "物流园", "危废库"]
ISSUES = ["超标排放", "夜间偷排污水", "拖欠工资", "发生火灾", "噪音扰民", "刺鼻气味",
          "工人受伤", "违规施工", "垃圾堆放", "水体发黑", "粉尘污染", "安全事故",
          "群众聚集", "偷倒废渣", "违法占地", "油污泄漏"]


async def test_250_negative_items_reach_the_leaders_group_as_digests(
    office: Env, fixed_clock: FixedClock,  # noqa: F811
) -> None:
    env = office
    items = [{"url": f"https://x.example.com/storm/{n}", "source": "微博",
              "title": f"网友举报绿谷园区{PLACES[n % 16]}{ISSUES[n // 16 % 16]}（编号{n}）"}
             for n in range(250)]
    for start in range(0, 250, 50):
        status, answer = await post_items(env, items[start:start + 50])
        assert status == 200, answer
    cases = await OpinionCase.all().count()
    assert cases > 50, cases  # similar stories cluster into one case
    await env.delivered(timeout=60)
    group = await env.bot_messages(-2002)
    digests = [m for m in group if "合并为一条" in m["text"]]
    alerts = [m for m in group if "舆情预警" in m["text"] and m not in digests]
    assert digests and len(alerts) <= env.runtime.settings.digest_threshold
    folded = await OutboxMessage.filter(chat_id=-2002, kind="opinion.alert",
                                        last_error__startswith="folded").count()
    assert folded + len(alerts) == cases  # every alert went out, alone or in a digest
    assert not await OutboxMessage.filter(status=OutboxStatus.DEAD).exists()
    # The button lists the folded alerts, by their first line, in the group.
    digest = digests[0]
    assert labels(digest) == {"查看列表"}
    await env.press(1002, digest, button="查看列表", chat_id=-2002)
    listing = await env.client.wait_for_bot_message(-2002, after=group[-1]["message_id"],
                                                    contains="合并的")
    assert "舆情预警" in listing["text"] and "1. " in listing["text"]
    # A forged digest id is refused politely.
    from handlers import callback as cb
    forged = await env.press(1002, digest, data=cb.encode("ob", "dg", 999999), chat_id=-2002)
    assert "找不到" in (forged["answer"] or "")
