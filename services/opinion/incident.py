"""One incident, one case: do two reports tell of the same event?

Reposts of one article are found by their text (MinHash, in the pipeline). A follow-up is a
different article: "绿谷园区某化工企业深夜排放刺鼻气体" and, a day later, "谷丰新材料刺鼻气味再次
被投诉". Two reports are taken for one incident when they come within a few days, complain of the
same thing (the same kind of trouble: an odour, a fire, unpaid wages…) and point at the same
company or place:

- both name companies: they share one;
- one names a company, the other only "某化工企业" / "一工地": the unnamed one is not of another
  trade (a chemical works is not the water company);
- both name a specific place (纬三路, 王家村, 清河): they share one.

What is read from a text is plain data (`Features`), so the rule can be measured on pairs of
headlines written by hand (tests/data/opinion_incident_pairs.yaml).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from services.opinion.normalize import normalize

#: Kinds of trouble and the words that tell them. A report may tell of several.
COMPLAINTS: dict[str, tuple[str, ...]] = {
    "odour": ("刺鼻", "异味", "臭味", "恶臭", "臭气", "发臭", "难闻", "呛鼻", "呛人", "熏人",
              "熏得", "气味", "废气", "有毒气体", "排放气体", "酸味"),
    "smoke": ("黑烟", "黄烟", "浓烟", "冒烟", "烟尘"),
    "dust": ("扬尘", "粉尘", "灰尘"),
    "water": ("偷排", "直排", "污水", "废水", "黄水", "黑水", "臭水", "变黑", "变色", "死鱼",
              "水质异常", "排污", "渗滤液"),
    "noise": ("噪音", "噪声", "轰鸣", "吵得"),
    "fire": ("起火", "着火", "失火", "火灾", "爆炸", "爆燃", "闪爆", "明火"),
    "leak": ("泄漏", "泄露", "渗漏"),
    "injury": ("受伤", "伤亡", "死亡", "身亡", "遇难", "送医", "坠落", "触电", "窒息",
               "安全事故"),
    "collapse": ("坍塌", "塌陷", "塌方", "倒塌"),
    "wages": ("欠薪", "讨薪", "拖欠工资", "拖欠", "工资", "加班费", "运费", "讨要"),
    "layoff": ("裁员", "倒闭", "停产", "关停", "跑路"),
    "outage": ("停水", "停电", "断水", "断电", "停气"),
    "traffic": ("拥堵", "堵路", "堵车", "占道", "交通事故", "相撞", "撞人", "车祸"),
    "food": ("过期", "变质", "食物中毒", "霉变"),
    "price": ("涨价", "上涨", "收费"),
}
#: Kinds one incident often shows together (a fire smokes, a leak smells).
COMPATIBLE = {frozenset(p) for p in (("odour", "smoke"), ("fire", "smoke"), ("leak", "odour"),
                                     ("fire", "injury"), ("collapse", "injury"),
                                     ("traffic", "injury"))}
#: Trades, told by words in a company's name or in "某化工企业".
TRADES: dict[str, tuple[str, ...]] = {
    "chemical": ("化工", "新材料", "化学", "涂料", "农药"),
    "pharma": ("制药", "药业", "医药", "生物"),
    "water": ("水务", "自来水", "污水处理"),
    "construction": ("工地", "施工", "建设", "建筑", "中建", "中铁"),
    "textile": ("印染", "纺织", "服装"),
    "food": ("食品", "饲料", "屠宰"),
    "power": ("热电", "电力", "能源", "发电", "锅炉"),
    "electronics": ("电子", "半导体", "芯片"),
    "logistics": ("物流", "运输", "货运", "快递"),
    "waste": ("环保", "焚烧", "垃圾", "固废"),
    "metal": ("钢铁", "铸造", "冶炼", "金属"),
}
#: A company mentioned without its name: "某化工企业", "一工地", "园区一家制药企业".
_UNNAMED = re.compile(
    r"(?:某|一家|一|有|多家|部分|该|这家)\s*(?P<trade>[\u4e00-\u9fff]{0,4}?)"
    r"(?:企业|公司|工厂|厂|工地|园)")
#: A named company the watch terms do not know: "谷丰新材料有限公司", "宏达物流公司".
_NAMED = re.compile(r"(?P<name>[\u4e00-\u9fff]{2,10}?)(?:股份)?(?:有限)?(?:公司|集团)")
#: A specific place: a road, a village or community, a river.
_PLACE = re.compile(
    r"(?P<name>[\u4e00-\u9fff\d]{1,4}?)"
    r"(?P<kind>大道|路(?![面况段])|街(?!道办)|村(?!民)|社区|小区|河道|河|湖|渠|桥|码头)")
#: Words around a place name that are not part of it ("园区纬一路", "附近王家村").
_AROUND_PLACE = re.compile(r"园区|产业园|开发区|附近|周边|沿线|位于|一带|所在|[在于的和与及]")
_NOT_A_NAME = ("某", "一家", "该", "这家", "园区", "附近", "周边", "多家", "部分", "当地")
#: Words ending like a place that are not one (道路, 村民…), and names too vague to be one.
_NOT_A_PLACE = ("道路", "马路", "公路", "线路", "出路", "网路", "一路", "思路", "小河", "大河",
                "河道", "小区", "社区")
_VAGUE_NAMES = ("一条", "这条", "那条", "条", "一", "该", "这", "那", "某")


@dataclass(frozen=True)
class Features:
    """What a report says: the kinds of trouble, the companies and places, unnamed trades."""

    complaints: frozenset[str]
    companies: frozenset[str]
    places: frozenset[str]
    #: Trades of companies mentioned without a name ("化工" for 某化工企业).
    unnamed: frozenset[str]
    #: It mentions a company without naming it at all (an empty trade counts).
    anonymous: bool

    def union(self, other: Features) -> Features:
        """What a story's reports say together."""
        return Features(self.complaints | other.complaints, self.companies | other.companies,
                        self.places | other.places, self.unnamed | other.unnamed,
                        self.anonymous or other.anonymous)


def trades_of(text: str) -> frozenset[str]:
    return frozenset(trade for trade, words in TRADES.items() if any(w in text for w in words))


def features(text: str, companies: Iterable[str] = ()) -> Features:
    """Read a report's title and text."""
    text = normalize(text)
    complaints = frozenset(kind for kind, words in COMPLAINTS.items()
                           if any(w in text for w in words))
    found = {c for c in companies if c and c in text}
    for match in _NAMED.finditer(text):
        name = match["name"]
        if not any(w in name for w in _NOT_A_NAME) and not any(name in c for c in found):
            found.add(name)
    unnamed: set[str] = set()
    anonymous = False
    for match in _UNNAMED.finditer(text):
        anonymous = True
        unnamed |= trades_of(match.group(0))
    places = set()
    for match in _PLACE.finditer(_AROUND_PLACE.sub(" ", text)):
        whole, name = match.group(0), match["name"].strip()
        if whole in _NOT_A_PLACE or name in _VAGUE_NAMES or name.endswith(_VAGUE_NAMES[:3]):
            continue
        places.add(match["name"][-2:] + match["kind"].replace("河道", "河"))
    return Features(complaints, frozenset(found), frozenset(places), frozenset(unnamed),
                    anonymous)


def _complaints_meet(a: frozenset[str], b: frozenset[str], *, loosely: bool) -> bool:
    """The same kind of trouble; `loosely`, also kinds one incident shows together."""
    if a & b:
        return True
    return loosely and any(frozenset((x, y)) in COMPATIBLE for x in a for y in b)


def _company_trades(companies: frozenset[str]) -> frozenset[str]:
    return frozenset().union(*(trades_of(c) for c in companies)) if companies else frozenset()


def _who(a: Features, b: Features) -> str:
    """How surely both point at one party: "same" (a shared company or place), "maybe" (one
    is unnamed, or only the park) or "other" (different companies, places or trades)."""
    if a.places and b.places and not (a.places & b.places):
        return "other"
    if a.companies and b.companies:
        return "same" if a.companies & b.companies else "other"
    if a.places & b.places:
        return "same"
    named, unnamed = (a, b) if a.companies else (b, a)
    if named.companies:
        trades = _company_trades(named.companies)
        if unnamed.unnamed and trades and not (unnamed.unnamed & trades):
            return "other"  # 某化工企业 is not 清泉水务
    elif a.unnamed and b.unnamed and not (a.unnamed & b.unnamed):
        return "other"  # a chemical works is not a building site
    return "maybe"


def same_incident(a: Features, b: Features, days_apart: float, window_days: float = 3
                  ) -> bool:
    """Whether two reports, this many days apart, tell of one incident.

    A shared company or place lets kinds of trouble one incident shows together meet (a fire
    and its smoke); when the party is only probably the same, the trouble must be the same.
    """
    if abs(days_apart) > window_days or not a.complaints or not b.complaints:
        return False
    who = _who(a, b)
    return who != "other" and _complaints_meet(a.complaints, b.complaints,
                                               loosely=who == "same")
