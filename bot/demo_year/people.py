"""The office's people: the demo roster and about forty staff in eight departments."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from models.core import ChatPurpose, Role

OFFICE_GROUP, LEADERS_GROUP = -2001, -2002
ADMIN, LEADER, OFFICE, STAFF, HEAD = 1001, 1002, 1003, 1004, 1005
LEADER2, CLERK, KEEPER = 1006, 1007, 1008

DEPARTMENTS = ["规划建设局", "生态环境局", "经济发展局", "招商服务局", "财政局",
               "社会事业局", "安全生产监督管理局", "党群工作部"]
#: Surnames and given names the staff are made of (deterministic, no randomness needed).
_SURNAMES = "赵钱孙周吴郑冯陈褚卫蒋沈韩杨朱秦尤许何吕施孔曹严华金魏陶姜戚谢邹喻柏水窦章云苏潘葛"
_GIVEN = ["建国", "海燕", "志强", "丽华", "晓东", "文静", "国平", "红梅", "立新", "雪梅"]


@dataclass(frozen=True)
class Person:
    uid: int
    name: str
    role: Role
    department: str
    head: bool = False


def people() -> list[Person]:
    """The roster: the demo five, a second leader, two office clerks, five per department."""
    roster = [
        Person(ADMIN, "王管理", Role.ADMIN, "党政办"),
        Person(LEADER, "李主任", Role.LEADER, "园区领导"),
        Person(OFFICE, "张秘书", Role.OFFICE, "党政办"),
        Person(STAFF, "刘工", Role.STAFF, "规划建设局"),
        Person(HEAD, "陈科长", Role.STAFF, "规划建设局", True),
        Person(LEADER2, "赵副主任", Role.LEADER, "园区领导"),
        Person(CLERK, "孙干事", Role.OFFICE, "党政办"),
        Person(KEEPER, "周文书", Role.OFFICE, "党政办"),
    ]
    uid = 1100
    for index, department in enumerate(DEPARTMENTS):
        have = sum(1 for p in roster if p.department == department)
        for n in range(5 - have):
            name = _SURNAMES[(index * 5 + n) % len(_SURNAMES)] + _GIVEN[(index + n * 3) % 10]
            head = n == 0 and not any(p.head and p.department == department for p in roster)
            roster.append(Person(uid, name, Role.STAFF, department, head))
            uid += 1
    return roster


def _everyone(roster: list[Person]) -> list[int]:
    return [p.uid for p in roster]


def _leaders(roster: list[Person]) -> list[int]:
    return [p.uid for p in roster if p.role in (Role.ADMIN, Role.LEADER, Role.OFFICE)]


GROUPS: list[tuple[int, str, ChatPurpose, Callable[[list[Person]], list[int]]]] = [
    (OFFICE_GROUP, "党政办工作群", ChatPurpose.OFFICE, _everyone),
    (LEADERS_GROUP, "领导舆情群", ChatPurpose.LEADERS, _leaders),
]


def heads(roster: list[Person]) -> dict[str, Person]:
    return {p.department: p for p in roster if p.head}


def members(roster: list[Person], department: str) -> list[Person]:
    return [p for p in roster if p.department == department]
