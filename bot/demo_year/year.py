"""A year of the office, planned from a seed and played day by day through the sandbox.

The plan is a list of acts at moments of the year's workdays (more of them in the week before
a holiday), each a play of `bot.demo_year.plays`. The clock jumps to each act; the scheduler's
jobs that chase, lapse and report run at the start and end of every day.
"""

from __future__ import annotations

import logging
import random
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as clock_time
from typing import Any
from zoneinfo import ZoneInfo

from bot.demo_year import plays
from bot.demo_year.people import LEADER, LEADER2, OFFICE, Person
from bot.demo_year.stage import ActFailed, Stage
from services import workdays

log = logging.getLogger(__name__)
TZ = ZoneInfo("Asia/Shanghai")

#: The office's year (its annual summary): what the demo plays at --scale 1.
VOLUMES = {
    "incoming": 729, "outgoing": 80, "drafts": 206, "bulletins": 11, "meetings": 312,
    "media": 350, "front_pages": 8, "info_used": 55, "info_returned": 9, "opinion": 60,
    "supplies": 120, "seals": 150, "receptions": 33, "meals": 761,
    "repairs": 60,
}
FAULTS = [("空调不制冷，有异响", "清洗滤网、补充冷媒", 480), ("投影仪不亮", "更换投影仪灯泡", 650),
          ("卫生间水龙头漏水", "更换水龙头", 120), ("走廊灯管不亮", "更换灯管", 60),
          ("门禁刷卡无反应", "更换读卡器", 380), ("打印机卡纸", "更换搓纸轮", 150)]
PLACES = ["1号楼 3楼第一会议室", "1号楼 2楼党政办", "1号楼 1楼大厅", "2号楼 1楼展厅"]
VISITORS = ["市发展和改革委员会", "省生态环境厅", "市工业和信息化局", "兄弟园区考察团",
            "市人大常委会调研组", "省科技厅", "市政协视察团", "市商务局", "生态环境部华东督察局",
            "市委组织部", "省工商联", "市财政局"]
#: Units the office hosts for an ordinary working meal (besides the receptions' visitors).
UNITS = ["市应急管理局检查组", "区审计组", "市税务局", "市统计局", "市场监管局执法队",
         "供电公司", "市消防救援支队", "市教育局", "区总工会", "市档案馆"]
#: Jobs the year's clock runs each morning and evening (the daily pushes to everyone are left
#: out: they change no record, and a year of them is tens of thousands of messages).
JOBS = ("documents.chase", "documents.bulletin", "opinion.daily_report", "opinion.escalate",
        "seals.lapse", "publicity.chase", "approvals.chase", "repairs.chase")
JOB_TIMES = (clock_time(8, 0), clock_time(10, 5), clock_time(17, 45))

#: Senders of incoming documents and their reference prefixes (宜环发〔2026〕35号).
SENDERS = {"市生态环境局": "宜环发", "市发展和改革委员会": "宜发改",
           "市工业和信息化局": "宜工信发", "市应急管理局": "宜应急发", "市财政局": "宜财发",
           "市人力资源和社会保障局": "宜人社发", "市委办公室": "宜委办发",
           "市政府办公室": "宜政办发", "市自然资源和规划局": "宜自然资发", "市商务局": "宜商务发"}
SUBJECTS = ["大气污染防治", "安全生产大检查", "环保产业发展", "项目申报", "节能降碳",
            "营商环境优化", "统计数据报送", "防汛防台", "招商引资", "人才引进", "固废处置",
            "数字化转型", "科技创新", "生态修复", "消防安全"]
OUTLETS = ["宜兴日报", "无锡日报", "新华日报", "中国环境报", "人民日报", "江苏卫视", "宜兴电视台"]
FRONT_OUTLETS = ["宜兴日报", "无锡日报", "新华日报"]
DRAFT_KINDS = ["讲话", "报告", "请示", "调研", "纪要", "方案"]
ROOMS = ["1号会议室", "2号会议室", "3号会议室"]
COMPANIES = ["宜兴环科", "清泉水务", "碧源膜技术", "蓝天除尘", "绿能光伏", "中科固废", "华清检测",
             "国祯环保", "凌志环境", "江南电缆", "新奥燃气", "远大水处理", "鹏鹞集团", "金鹰纺织",
             "恒源科技", "协鑫能源", "天奇股份"]
NEWS = ["获评省级专精特新企业", "新建智能生产线投产", "签约百亿级项目", "入选国家绿色工厂",
        "研发成果通过鉴定", "举办开放日活动", "出口订单同比翻番", "参与制定行业规范",
        "获得发明专利授权", "启动二期扩建工程", "建成零碳示范车间", "设立院士工作站",
        "牵头攻关关键技术"]


def headline(n: int) -> str:
    """A news headline about a company of the park (the n-th of the year)."""
    return f"{COMPANIES[n % len(COMPANIES)]}{NEWS[(n // len(COMPANIES) + n * 5) % len(NEWS)]}"


@dataclass(order=True)
class Act:
    at: datetime
    seq: int
    kind: str = field(compare=False)
    play: Callable[[Stage], Awaitable[None]] = field(compare=False)


@dataclass
class Tally:
    """What was played: acts done per kind, acts that failed, and the moments of failures."""

    done: Counter[str] = field(default_factory=Counter)
    failed: Counter[str] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)


def year_workdays(year: int, last: date | None = None) -> list[date]:
    day, days = date(year, 1, 1), []
    end = last or date(year, 12, 31)
    while day <= end:
        if workdays.is_workday(day):
            days.append(day)
        day += timedelta(days=1)
    return days


def busy_weights(days: list[date]) -> list[float]:
    """A workday in the week before a holiday (two or more days off) weighs double."""
    weights = []
    for day in days:
        ahead = [day + timedelta(days=n) for n in range(1, 8)]
        off = sum(1 for d in ahead if d.weekday() < 5 and not workdays.is_workday(d))
        weights.append(2.0 if off >= 1 else 1.0)
    return weights


class Planner:
    """Draws the year's acts from the seed."""

    def __init__(self, year: int, seed: int, scale: float, roster: list[Person],
                 last: date | None = None) -> None:
        self.year, self.rnd, self.scale = year, random.Random(seed), scale
        self.roster = roster
        self.days = year_workdays(year, last)
        self.last = last
        self.weights = busy_weights(self.days)
        self.acts: list[Act] = []
        self.staff = [p for p in roster if p.role.value == "staff"]
        self.slots: set[tuple[date, str, int]] = set()

    def count(self, name: str) -> int:
        return max(1, round(VOLUMES[name] * self.scale)) if self.scale > 0 else 0

    def moment(self, day: date | None = None, start: int = 8, end: int = 17) -> datetime:
        if day is None:
            day = self.rnd.choices(self.days, self.weights)[0]
        minute = self.rnd.randrange(start * 60 + 30, end * 60 + 30)
        return datetime.combine(day, clock_time(minute // 60, minute % 60), TZ)

    def add(self, at: datetime, kind: str, play: Callable[[Stage], Awaitable[None]]) -> None:
        self.acts.append(Act(at, len(self.acts), kind, play))

    def plan(self) -> list[Act]:
        rnd = self.rnd
        n_in = self.count("incoming")
        for n in range(1, n_in + 1):
            at = self.moment()
            title = f"关于做好{rnd.choice(SUBJECTS)}工作的通知"
            roll = rnd.random()
            # About one in a hundred is assigned and left undone: chased yellow, then red.
            late = n % 97 == 13
            handler = rnd.choice(self.staff) if roll < 0.3 or late else None
            due = workdays.next_workday(at.date() + timedelta(
                days=3 if late else rnd.randint(5, 20)))
            finish = handler is not None and not late
            sender = rnd.choice(sorted(SENDERS))
            ref = f"{SENDERS[sender]}〔{self.year}〕{n}号"
            self.add(at, "incoming", _bind(plays.incoming, sender=sender, ref=ref, title=title,
                                          due=due if handler else None, handler=handler,
                                          finish=finish))
        for n in range(1, self.count("outgoing") + 1):
            drafter = rnd.choice(self.staff)
            kind = rnd.choice(["通知", "意见", "报告", "方案"])
            self.add(self.moment(), "outgoing", _bind(
                plays.outgoing, drafter=drafter, kind=kind,
                title=f"关于{rnd.choice(SUBJECTS)}的{kind}（第{n}件）"))
        for n in range(1, self.count("drafts") + 1):
            at = self.moment()
            kind = DRAFT_KINDS[n % len(DRAFT_KINDS)]
            deadline = workdays.next_workday(at.date() + timedelta(days=rnd.randint(2, 10)))
            self.add(at, "drafts", _bind(
                plays.drafting, assigner=rnd.choice([LEADER, LEADER2, OFFICE]),
                drafter=rnd.choice(self.staff), kind=kind,
                title=f"{rnd.choice(SUBJECTS)}工作{kind}（第{n}篇）", deadline=deadline))
        bulletins = self.count("bulletins")
        for n in range(1, bulletins + 1):
            month = min(12, 1 + (n - 1) * 12 // max(bulletins, 1))
            days = [d for d in self.days if d.month == month] or self.days
            at = self.moment(days[min(len(days) - 1, 15)])
            self.add(at, "bulletins", _bind(plays.bulletin, titles=[
                f"{rnd.choice(SUBJECTS)}政策摘编（{n}-{i}）" for i in range(1, 4)]))
        self.plan_meetings()
        n_media, n_front = self.count("media"), min(self.count("front_pages"),
                                                     self.count("media"))
        fronts = set(rnd.sample(range(n_media), n_front))
        for n in range(n_media):
            at = self.moment()
            published = at.date() - timedelta(days=rnd.randint(0, 2))
            if published.year != self.year:
                published = at.date()
            outlet = rnd.choice(FRONT_OUTLETS if n in fronts else OUTLETS)
            self.add(at, "media", _bind(
                plays.media_report, outlet=outlet, day=published,
                title=headline(n), front=n in fronts))
        used, returned = self.count("info_used"), self.count("info_returned")
        kinds = ["市级"] * used + [None] * returned
        rnd.shuffle(kinds)
        for n, level in enumerate(kinds, start=1):
            if level is not None:
                level = rnd.choice(["区级", "市级", "市级", "省级"])
            self.add(self.moment(), "info", _bind(
                plays.information, author=rnd.choice(self.staff),
                title=f"园区{rnd.choice(SUBJECTS)}工作动态（{n}）", level=level))
        n_opinion = self.count("opinion")
        false_alarm = rnd.randrange(n_opinion) if n_opinion else -1
        for n in range(n_opinion):
            negative = n % 6 == 0 or n == false_alarm
            text = (f"网友投诉绿谷园区企业夜间噪声扰民（{n + 1}）" if negative else
                    f"绿谷园区{rnd.choice(SUBJECTS)}获网友点赞（{n + 1}）")
            self.add(self.moment(), "opinion", _bind(
                plays.opinion, text=text, url=f"https://bbs.example.org/t/{self.year}-{n + 1}",
                false_alarm=n == false_alarm, handler=rnd.choice(self.staff),
                roster=self.roster))
        items = ["A4纸 2包", "中性笔 5支", "笔记本 2本", "档案盒 4个", "A4纸 1包，中性笔 2支"]
        for _ in range(self.count("supplies")):
            self.add(self.moment(), "supplies", _bind(
                plays.supply, person=rnd.choice(self.staff), items=rnd.choice(items),
                purpose=rnd.choice(["部门例会", "资料归档", "日常办公"])))
        if self.count("supplies"):
            for month in range(1, 13):
                days = [d for d in self.days if d.month == month]
                if days:
                    self.add(self.moment(days[0], 8, 9), "purchases", _bind(
                        plays.purchase, amount=1270,
                        items="A4纸 30包 750元，中性笔 60支 120元，笔记本 25本 200元，"
                              "档案盒 40个 200元"))
        for n in range(self.count("seals")):
            self.add(self.moment(), "seals", _bind(
                plays.seal_use, person=rnd.choice(self.staff), seal="党政办章",
                title=f"关于{rnd.choice(SUBJECTS)}的报告（{n + 1}）", copies=rnd.randint(1, 4),
                purpose=rnd.choice(["报送市局", "下发各部门", "存档"])))
        # The year's receptions held, plus one rejected on purpose; each held within the
        # year (a visit the office would put in the next year is planned again earlier).
        held_target = self.count("receptions")
        rejected = rnd.randrange(held_target) if held_target else -1
        last = self.last or date(self.year, 12, 31)
        n = held = 0
        while held < held_target:
            planned = self.moment(start=9, end=16)
            day = workdays.next_workday(planned.date() + timedelta(days=rnd.randint(3, 8)))
            if day > last:
                continue
            unit = VISITORS[n % len(VISITORS)]
            guests = rnd.randint(4, 10)
            letter = f"{unit[:2]}函〔{self.year}〕{n + 11}号"
            self.add(planned, "receptions", _bind(
                plays.reception, day=day, unit=unit, letter=letter, guests=guests,
                reason=f"调研园区{rnd.choice(SUBJECTS)}工作",
                reject="人数与公函不符，请核实后重新报批" if n == rejected else None))
            if n != rejected:
                held += 1
                self.add(datetime.combine(day, clock_time(14, 0), TZ), "receptions_done",
                         _bind(plays.reception_done, unit=unit, day=day,
                               present=guests - rnd.randint(0, 1)))
            n += 1
        for _ in range(self.count("repairs")):
            fault, work, cost = rnd.choice(FAULTS)
            self.add(self.moment(), "repairs", _bind(
                plays.repair, reporter=rnd.choice(self.staff), place=rnd.choice(PLACES),
                fault=fault, work=work, cost=cost))
        # The year's official meals: one with each reception held, the rest ordinary meals
        # the office records in one line (/yongcan) after lunch, within the rules.
        held = sum(1 for act in self.acts if act.kind == "receptions_done")
        for _ in range(max(self.count("meals") - held, 0) if self.scale > 0 else 0):
            at = self.moment(start=12, end=16)
            guests = rnd.randint(2, 12)
            self.add(at, "meals", _bind(
                plays.official_meal, day=at.date(), unit=rnd.choice(VISITORS + UNITS),
                guests=guests, staff=rnd.randint(1, 3 if guests <= 10 else guests // 3),
                standard=rnd.choice([60, 80, 100, 120, 150])))
        # Installation acts: the seal the admin adds; the stock-take with a difference.
        first = datetime.combine(self.days[0], clock_time(8, 0), TZ)
        self.add(first, "setup", _bind(plays.add_seal, name="党政办章", flow="seal_use"))
        if self.count("supplies"):
            june = [d for d in self.days if d.month >= 6] or self.days[-1:]
            self.add(self.moment(june[0], 16, 17), "stocktake",
                     _bind(plays.stocktake, item="A4纸", short=2, reason="受潮报损"))
        return sorted(self.acts)

    def plan_meetings(self) -> None:
        rnd = self.rnd
        for n in range(self.count("meetings")):
            at = self.moment(start=8, end=11)
            day = workdays.next_workday(at.date())
            if day.year != self.year:
                day = at.date()
            for _ in range(40):
                hour, room = rnd.choice([9, 10, 14, 15, 16]), rnd.choice(ROOMS)
                if (day, room, hour) not in self.slots:
                    break
            self.slots.add((day, room, hour))
            part = "上午" if hour < 12 else "下午"
            shown = hour if hour < 12 else hour - 12
            when = f"{day.month}月{day.day}日{part}{shown}点到{shown + 1}点"
            if day == at.date() and hour * 60 <= at.hour * 60 + at.minute + 30:
                at = at.replace(hour=8, minute=5)
            self.add(at, "meetings", _bind(
                plays.meeting, host=rnd.choice(self.staff), when=when, room=room,
                subject=f"{rnd.choice(SUBJECTS)}专题会（{n + 1}）"))


def _bind(func: Callable[..., Awaitable[None]], **kwargs: Any
          ) -> Callable[[Stage], Awaitable[None]]:
    async def act(stage: Stage) -> None:
        await func(stage, **kwargs)
    return act


async def run_jobs(settings: Any, now: datetime) -> None:
    from scheduler import runner

    runner.use_settings(settings)
    for name in JOBS:
        spec = runner.JOBS.get(name)
        if spec is not None and runner.is_due(spec, now, TZ, settings):
            await runner.run_job(spec, now, TZ)


Progress = Callable[[date, Tally, float], None]


async def play_year(stage: Stage, settings: Any, acts: list[Act], year: int,
                    progress: Progress | None = None, last: date | None = None) -> Tally:
    """Play the acts day by day; the jobs run each morning and evening, every day."""
    tally, started = Tally(), time.monotonic()
    by_day: dict[date, list[Act]] = {}
    for act in acts:
        by_day.setdefault(act.at.date(), []).append(act)
    day = date(year, 1, 1)
    end = last or date(year, 12, 31)
    while day <= end:
        # The jobs run at 08:00, at 10:05 (office hours: chasing) and at 17:45.
        ticks = [datetime.combine(day, moment, TZ) for moment in JOB_TIMES]
        for act in [*by_day.get(day, []), None]:
            while ticks and (act is None or ticks[0] <= act.at):
                stage.clock.set(ticks.pop(0))
                await run_jobs(settings, stage.clock.now())
            if act is None:
                break
            stage.clock.set(act.at)
            try:
                await act.play(stage)
                tally.done[act.kind] += 1
            except ActFailed as exc:
                tally.failed[act.kind] += 1
                tally.errors.append(f"{act.at:%m-%d %H:%M} {act.kind}: {exc}")
                log.info("act failed: %s %s: %s", act.at, act.kind, exc)
        await plays.outbox_idle()
        if progress is not None:
            progress(day, tally, time.monotonic() - started)
        day += timedelta(days=1)
    return tally
