"""The words and patterns of Chinese time expressions, and the tables that give them meaning."""

from __future__ import annotations

import re

D = r"\d{1,2}"
CNN = r"[零〇○一二两三四五六七八九十]{1,3}"
N2 = rf"(?:{D}|{CNN})"  # a number up to 99
CND = "[零〇○一二三四五六七八九]"
YEAR = rf"(?:\d{{4}}|\d{{2}}|{CND}{{2,4}}|两千零?[一二三四五六七八九十]{{1,3}}|两千)"
WD = r"[一二三四五六日天七1-7]"
ROOM_AFTER = r"(?:会议室|楼|厅|室|房|馆|门|院|栋|座|层|线|口|车间|号楼|车|位|窗)"

SP = re.compile(r"[ \t]*")
FROM = re.compile(r"(?:从|自|在|于)")
CONNECT = re.compile(r"[ \t]*起?[ \t]*(?:开到|到|至|~|-|－|–|—{1,2}|～|和)[ \t]*")
BETWEEN = re.compile(r"[ \t]*之间")
DEADLINE = re.compile(r"(?:之前|以前|前)")
TRAIL = re.compile(r"(?:止|起|开始|左右|许|前后|整|以后|之后|过后|之内|以内|内(?![部容外科网勤]))")
FROM_THEN = re.compile(r"[ \t]*(?:开始|起)[ \t，,]*")

ISO = re.compile(r"(\d{4})([-/.])(\d{1,2})[-/.](\d{1,2})(?:[日号])?")
YMD_SP = re.compile(r"(\d{4}) (\d{1,2}) (\d{1,2})(?!\d)")
YMD8 = re.compile(r"((?:19|20)\d{2})(\d{2})(\d{2})(?!\d)")
DMY = re.compile(r"(\d{1,2})([-/.])(\d{1,2})\2(\d{1,4})(?!\d)")
CN_DATE = re.compile(
    rf"(?:({YEAR})[ \t]*年[ \t]*)?(?:({N2})[ \t]*月份?)[ \t]*(?:的)?(?:({N2})[ \t]*(日|号)?)?"
)
YEAR_ONLY = re.compile(rf"({YEAR})[ \t]*年(?!代|[前后内以来半多])")
REL_YEAR = re.compile(r"(今年|明年|去年|前年|后年)(?:的)?")
MD_SLASH = re.compile(r"(\d{1,2})[/·](\d{1,2})(?![\d/])(?:[日号])?")
MD_DASH = re.compile(r"(\d{2})-(\d{2})(?![\d-])")
DAY_ONLY = re.compile(rf"({N2})[ \t]*(日|号)(?!{ROOM_AFTER})")
REL_MONTH = re.compile(
    r"(本月|这个月|这一个月|这月|当月|同月|下下个?月|下个?月|上个?月|上一个月|下一个月)"
)
THIS_MONTH = re.compile(r"(本月|这个月|这月|当月)")
MONTH_END = re.compile(r"(月|年)(?:底|末|初(?![一二三四五六七八九十\d]))")
NTH_DAY = re.compile(rf"第({N2})天")
MD_DOT = re.compile(r"(\d{1,2})\.(\d{1,2})(?![\d.])")
#: Between a weekday and a date naming its day (周日, 11月22号), or between listed weekdays.
LIST_SEP = re.compile(r"[ \t,，、]*")
ENDS_WITH_WEEKDAY = re.compile(r"(?:周|星期|礼拜)[一二三四五六日天]$")
WEEKDAY_MORE = re.compile(r"[ \t、]*(?:周|星期|礼拜)?([一二三四五六日天])(?![点时:\d])")
DAY_COUNT = re.compile(r"[ \t]*([两二三四五六七2-7])[ \t]*天")
COMPACT_RUN = re.compile(
    r"([今明昨前])([今明后])(后)?[ \t]*(?:(?P<count>[两二三2-3])[ \t]*)?[天日]"
)
REL_DAY_WORD = re.compile(r"大后天|后天|明天|今天|昨天|前天")
WORD_RUN = re.compile(
    r"(?:(?:大后天|后天|明天|今天|昨天|前天)[ \t、]*){2,}(?:(?P<count>[两二三四2-4])[ \t]*天)?"
)
HALF_WEEK = re.compile(r"(上|下)半(?:周|星期|个星期)")
WHOLE_DAY = re.compile(r"[ \t]*(?:一整天|整天|全天)")
NOW = re.compile(r"(现在|马上|立刻|立即|此刻|当前|全天)")
AFTER_WEEKDAY = re.compile(
    r"[ \t,，]*\(?[ \t]*(?:周|星期|礼拜)([一二三四五六日天])(?![点时:])[ \t]*\)?"
)
WINDOW_AHEAD = re.compile(r"(?:之后|以后|未来的?|今后|接下来的?|还剩|还有)[ \t]*")
WINDOW_BACK = re.compile(r"(?:之前|过去的?|最近的?|近|前)[ \t]*")
SINCE = re.compile(r"[ \t]*以来")
WINDOW_TAIL = re.compile(r"(?:里|内|之内|以内)?")
VAGUE = re.compile(r"(?:最近|近期|近日|近来)(?![的\d零〇○一二两三四五六七八九十几半])")
LAST_HOUR = re.compile(r"上一?个?(?:小时|钟头)")
REL_DAY = re.compile(
    r"(大大后天|大后天|后天|明天|明日|今天|今日|本日|当天|当日|大前天|前天|昨天|昨日|次日|翌日|第二天)"
)
REL_DAY_POD = re.compile(r"(今晚|今早|今晨|今夜|明早|明晚|明晨|昨晚|昨夜|当晚|次日早|前晚)")
WEEKDAY = re.compile(
    rf"(上上个?|下下个?|上一?个?|下一?个?|本|这一?个?|这)?[ \t]*(?:周|星期|礼拜)"
    rf"(?:的)?(?:周|星期|礼拜)?[ \t]*({WD}|末)"
)
WEEK = re.compile(r"(上上个?|下下个?|上一?个?|下一?个?|本|这一?个?)[ \t]*(?:周|星期|礼拜)(?!\d)")

POD = re.compile(
    r"(凌晨|黎明|拂晓|清晨|早晨|早上|早间|上午|中午|午间|下午|午后|傍晚|晚上|晚间|后半夜|前半夜|"
    r"夜里|夜间|半夜|深夜|午夜|白天|"
    r"早|晨|晚|夜)"
)
#: Words of the working day that fix the half of a clock time right after them (午饭后两点 is
#: 14:00, 晚饭后7点 19:00); alone they are not a time.
POD_CONTEXT = re.compile(
    r"(早饭后|早餐后|上班前|午饭前|午餐前|午饭后|午餐后|午休后|下班前|晚饭前|晚餐前|"
    r"下班后|晚饭后|晚餐后|睡觉前|睡前)[ \t]*"
)
POD_CONTEXT_CODE = {
    "早饭后": "morning", "早餐后": "morning", "上班前": "morning", "午饭前": "forenoon",
    "午餐前": "forenoon", "午饭后": "afternoon", "午餐后": "afternoon", "午休后": "afternoon",
    "下班前": "afternoon", "晚饭前": "afternoon", "晚餐前": "afternoon", "下班后": "evening",
    "晚饭后": "evening", "晚餐后": "evening", "睡觉前": "evening", "睡前": "evening",
}  # fmt: skip
POD_CODE = {
    "凌晨": "dawn", "黎明": "daybreak", "拂晓": "daybreak", "后半夜": "night", "前半夜": "night",
    "清晨": "morning", "早晨": "morning", "早上": "morning", "早间": "morning",
    "早": "morning", "晨": "morning", "上午": "forenoon", "中午": "noon", "午间": "noon",
    "下午": "afternoon", "午后": "early_afternoon", "傍晚": "dusk", "晚上": "evening",
    "晚间": "evening",
    "晚": "evening", "夜里": "night", "夜间": "night", "半夜": "night", "深夜": "night",
    "午夜": "night",
    "夜": "night", "白天": "daytime", "今晚": "evening", "今早": "morning", "今晨": "morning",
    "今夜": "night", "明早": "morning", "明晚": "evening", "明晨": "morning", "昨晚": "evening",
    "昨夜": "night", "当晚": "evening", "次日早": "morning", "前晚": "evening",
}  # fmt: skip
#: Part-of-day windows as (start hour, end hour); an end past 24 runs into the next day.
POD_WINDOWS: dict[str, tuple[int, int]] = {
    "dawn": (0, 6), "daybreak": (4, 7), "morning": (8, 12), "forenoon": (8, 12),
    "noon": (12, 14), "afternoon": (12, 18), "early_afternoon": (13, 15), "dusk": (17, 19),
    "evening": (18, 22),
    "night": (22, 30),
    "daytime": (8, 18),
}  # fmt: skip

#: Minutes after 点: Chinese ones below ten need 分 (三点一下 is not 3:01).
MIN = (
    r"(?:\d{1,2}|零[一二三四五六七八九]|[二三四五]?十[一二三四五六七八九]?"
    r"|[一二三四五六七八九](?=分))"
)
#: 50分 alone: the minute of the hour.
MINUTE_ONLY = re.compile(
    r"(\d{1,2}|零?[一二三四五六七八九十]{1,3})[ \t]*分(?!钟|之|半|[ \t]*(?:以|之|后|前|内))"
)
#: 2.30 after a part of day or a day: a clock time written with a dot (下午2.30).
CLOCK_DOT = re.compile(r"(\d{1,2})\.(\d{2})(?![\d.])")
CLOCK_COLON = re.compile(
    r"(\d{1,2})[ \t]*:[ \t]*(\d{2})(?::(\d{2}))?(?:[ \t]*([aApP])\.?[mM]\.?)?(?:[ \t]*(?:时|点))?"
)
CLOCK_CN = re.compile(
    rf"({N2})[ \t]*(?:点钟|点|时)(?![间候期段])"
    rf"(?:(半|[一1]刻钟?|[三3]刻|整|({MIN})(?:分钟?)?(?:({MIN})秒)?))?"
    r"(?:钟|多钟?)?"
)
BAD_CLOCK = re.compile(r"(?:2[5-9]|[3-9]\d):[0-5]\d(?![\d:])")  # 35:37 reads as no clock
CLOCK_PAIR = re.compile(
    r"([一二三四五六七八九十]|十一)([二三四五六七八九]|十|十一|十二)(?:点钟?|时)"
)
DAY_LIST = re.compile(rf"(?:[ \t]*[，,、和及][ \t]*{N2}[ \t]*[号日](?!{ROOM_AFTER}))+")
CLOCK_BARE = re.compile(rf"({N2})(?=[ \t]*(?:到|至|~|-|～|—)[ \t]*{N2}[ \t]*(?:点|时|:))")
NOT_CLOCK_BEFORE = set("早晚快慢多少好大小有高低长短远近差重轻")
NOT_CLOCK_AFTER = re.compile(r"(?:儿|建议|意见|要求|内容|说明|看法|想法|原因|理由|问题|体会)")

DUR_UNIT = r"(小时|个小时|钟头|个钟头|分钟|分|秒钟|秒|天|日|个星期|星期|周|个礼拜|礼拜|个月|年)"
DURATION = re.compile(
    rf"(?:({N2}|\d+\.\d+)[ \t]*(?:个)?(半)?[ \t]*{DUR_UNIT}(半)?钟?|"
    rf"(半)(?:个)?{DUR_UNIT}|(一刻钟))"
    r"(?:[ \t]*(?:又|零)?[ \t]*"
    rf"({N2})[ \t]*(?:个)?(小时|钟头|分钟|分|秒))?"
)
OFFSET_AFTER = re.compile(r"[ \t]*(?:以后|之后|过后|后)")
OFFSET_BEFORE = re.compile(r"[ \t]*(?:以前|之前|前)")
OFFSET_WITHIN = re.compile(r"[ \t]*(?:以内|之内|内)")
#: After a stated day: 后的第2天 (two days on), 前的第3天.
NTH_AFTER = re.compile(rf"(之后|以后|后|之前|以前|前)的?第({N2})[天日]")
#: After a stated day and 的: 的前一天, 的后一天.
NEXT_OR_PREVIOUS_DAY = re.compile(r"(前|后)[一1][天日]")
#: Before a length: the units right after or before now (后三天, 下三小时, 上两分钟, 往后一刻钟).
NEAR_NOW = re.compile(r"(往后|往前|后|下|上)")

EVERY = re.compile(
    r"每(?:个|一)?[ \t]*(?:"
    r"(?P<workday>工作日)"
    r"|(?P<pod>上午|下午|晚上|早上|早晨|中午|傍晚|凌晨|夜里)"
    r"|(?P<day>天|日|晚|早)"
    r"|(?P<weekend>周末)"
    rf"|(?:周|星期|礼拜)(?:的)?(?P<wds>工作日|{WD}(?:[ \t、,，和及与]*(?:周|星期)?{WD})*)?"
    rf"|(?P<mon>月)(?:的)?"
    rf"(?:(?P<monthday>{N2})[ \t]*[号日](?!{ROOM_AFTER})|(?P<monthlast>最后一天|月底))?"
    rf"|(?P<yr>年)(?:的)?(?:(?P<month>{N2})月份?(?:(?P<yday>{N2})[ \t]*[号日])?)?"
    rf"|隔(?P<gap>\d+|{CNN})[ \t]*(?:个)?(?P<gapunit>天|周|星期|小时|分钟|秒)"
    rf"|(?P<n>\d+|{CNN})[ \t]*(?:个)?(?P<nunit>天|日|周|星期|礼拜|月|年)"
    rf"(?:的)?(?P<nwds>(?:周|星期|礼拜){WD})?"
    r"|(?P<half>半)(?:个)?(?P<halfunit>小时|钟头|年)"
    r")"
)

TRIGGER = re.compile(
    r"[0-9零〇○一二两三四五六七八九十今明后昨前大上下本这每周星礼早晚中凌傍午半从自次翌当同去第"
    r"清白深夜黎晨月于在之未接还过最近现马立此全拂睡往年]"
)
WEEKDAY_NUM = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6, "七": 6}
BYDAY = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")

UNIT_SECS = {
    "小时": 3600, "个小时": 3600, "钟头": 3600, "个钟头": 3600, "分钟": 60, "分": 60,
    "秒钟": 1, "秒": 1, "天": 86400, "日": 86400, "个星期": 604800, "星期": 604800,
    "周": 604800, "个礼拜": 604800, "礼拜": 604800, "个月": 2592000, "年": 31536000,
}  # fmt: skip
UNIT_GRAIN = {86400: "day", 604800: "week", 2592000: "month", 31536000: "year"}
