"""After a year the same database serves the next: /annual of the new year starts from zero,
the registers' numbers restart, and the old year keeps every figure, counted once."""

from __future__ import annotations

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot.demo_year import plays
from bot.demo_year.people import OFFICE, STAFF
from bot.demo_year.runner import theatre
from bot.demo_year.stage import Stage

TZ = ZoneInfo("Asia/Shanghai")


async def summary(stage: Stage, year: int) -> dict[str, str]:
    """Ask /annual for the year; its summary's figures by their words."""
    asked = await stage.send(OFFICE, f"/annual {year}")
    text = (await stage.wait(OFFICE, asked, "工作总结", timeout=60))["text"]
    words = {"received": "办理上级来文", "issued": "园区发文", "meetings": "统筹安排会议",
             "reports": "刊播园区报道", "drafts": "纪要等材料"}
    found = {}
    for key, before in words.items():
        match = re.search(re.escape(before) + r"(\d+)", text)
        assert match, (before, text)
        found[key] = match.group(1)
    return found


async def test_the_new_year_starts_from_zero_and_the_old_one_keeps_its_figures(db: str) -> None:
    async with theatre(db, datetime(2027, 12, 27, 9, 0, tzinfo=TZ),
                       open_database=False) as office:
        stage = office.stage
        staff = next(p for p in office.people if p.uid == STAFF)
        stage.clock.set(datetime(2027, 12, 28, 10, 0, tzinfo=TZ))
        await plays.incoming(stage, "市财政局", "宜财发〔2027〕88号",
                             "关于做好年终决算工作的通知", None, None, False)
        await plays.incoming(stage, "市应急管理局", "宜应急发〔2027〕51号",
                             "关于做好节日安全检查的通知", date(2027, 12, 31), staff, True)
        assert "园区发〔2027〕1号" in await plays.outgoing(stage, staff, "通知",
                                                         "关于做好元旦期间值班工作的通知")
        await plays.meeting(stage, staff, "12月29日上午9点到10点", "1号会议室", "年终总结会")
        await plays.media_report(stage, "宜兴日报", date(2027, 12, 28), "绿谷园区年终盘点",
                                 False)
        await stage.last(OFFICE, "收文〔2027〕0002号")
        before = await summary(stage, 2027)
        assert before == {"received": "2", "issued": "1", "meetings": "1", "reports": "1",
                          "drafts": "0"}

        stage.clock.set(datetime(2028, 1, 4, 9, 30, tzinfo=TZ))
        assert await summary(stage, 2028) == {"received": "0", "issued": "0", "meetings": "0",
                                              "reports": "0", "drafts": "0"}
        await plays.incoming(stage, "市财政局", "宜财发〔2028〕1号",
                             "关于做好2028年预算执行的通知", None, None, False)
        await stage.last(OFFICE, "📥 收文〔2028〕0001号")
        signed = await plays.outgoing(stage, staff, "通知", "关于做好春节期间值班工作的通知")
        assert "园区发〔2028〕1号" in signed, "the park's numbers restart at 1 in the new year"
        assert await summary(stage, 2028) == {"received": "1", "issued": "1", "meetings": "0",
                                              "reports": "0", "drafts": "0"}
        # The old year is still all there, and nothing of the new one is counted in it.
        assert await summary(stage, 2027) == before
