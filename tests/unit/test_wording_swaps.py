"""Every Chinese text the bot can show keeps to OFFICE.md's word table: none of the swaps a
script conversion made in the office's source documents (效劳 for 服务, 标准 for 规范 ...)."""

from __future__ import annotations

import importlib
import pkgutil
import re

import pytest

import handlers.texts as texts_package

#: Words that are never right in the office's texts (write 服务, 基础, 回顾, 反馈, 策划).
ALWAYS_WRONG = ("效劳", "根底", "回忆", "反响", "筹划")
#: 开展 where development is meant (开展检查, to carry out, is right): write 发展.
DEVELOPMENT = re.compile(
    r"(经济|产业|园区|企业|可持续|高质量|绿色|协调|融合|创新|科学|健康)开展"
    r"|开展(成效|成果|战略|规划|方向|前景|水平|质量|理念|和改革|改革委|环境)")
#: 标准 is a rate or an amount (用餐标准, 每人标准, 标准120元/人); as a norm write 规范.
STANDARD_OK = re.compile(r"(餐|人|待|宿|费|价|补助|开支|报销|收费)标准|标准[{（(元]|标准\d")
#: 方案 is right only as the document kind (讲话、报告、方案); a plan is 计划.
PLAN_OK = re.compile(r"[、“\"]方案|方案[、”\"]|其中方案|^方案$")
#: 表达 where reflect is meant (体现); 表达意见, to voice, is right.
EXPRESS_OK = re.compile(r"表达(意见|诉求|观点)")


def zh_texts() -> list[tuple[str, str, str]]:
    """(module, key, text) of every Chinese text of every feature."""
    found = []
    for info in pkgutil.iter_modules(texts_package.__path__):
        module = importlib.import_module(f"{texts_package.__name__}.{info.name}")
        for key, text in getattr(module, "ZH", {}).items():
            found.append((info.name, key, str(text)))
    return found


def swaps(text: str) -> list[str]:
    """The swapped words in a text, each with a little context."""
    found = [word for word in ALWAYS_WRONG if word in text]
    found += [m.group(0) for m in DEVELOPMENT.finditer(text)]
    for word, allowed in (("标准", STANDARD_OK), ("方案", PLAN_OK), ("表达", EXPRESS_OK)):
        for match in re.finditer(word, text):
            around = text[max(match.start() - 4, 0):match.end() + 4]
            if not any(m.start() <= match.start() - max(match.start() - 4, 0) < m.end()
                       for m in allowed.finditer(around)):
                found.append(around)
    return found


def test_the_catalogues_hold_every_feature() -> None:
    modules = {name for name, _, _ in zh_texts()}
    assert {"documents", "publicity", "receptions", "reports", "supplies", "opinion",
            "rooms", "seals", "repairs", "approvals", "meetings", "core"} <= modules
    assert len(zh_texts()) > 1000


def test_no_text_of_any_feature_uses_a_swapped_word() -> None:
    wrong = [(module, key, swaps(text)) for module, key, text in zh_texts() if swaps(text)]
    assert wrong == []


def test_the_annual_summary_is_written_in_the_office_words() -> None:
    from handlers.views.reports import summary_paragraphs
    from services.reports.annual import PARAGRAPHS, Figure

    figures = {key: Figure(key, 7.0, "q") for _, keys in PARAGRAPHS for key in keys}
    paragraphs = summary_paragraphs(2026, figures, "zh_CN")
    assert [p[:2] for p in paragraphs] == ["一、", "二、", "三、", "四、", "五、"]
    assert all(swaps(p) == [] for p in paragraphs)
    assert "服务" in "".join(paragraphs) and "规范" in "".join(paragraphs)


@pytest.mark.parametrize("text,expected", [
    ("为企业效劳", ["效劳"]), ("园区高质量开展", ["高质量开展"]), ("开展安全检查", []),
    ("用印标准流程", ["用印标准流程"]), ("用餐标准超标", []), ("标准{standard}元/人", []),
    ("接待方案 #3", ["接待方案 #3"]), ("讲话、报告、方案、其他", []),
    ("充分表达了园区成效", ["充分表达了园区成"]), ("回忆全年工作", ["回忆"]),
])
def test_the_scanner_finds_the_swaps_and_leaves_the_right_words(text: str,
                                                               expected: list[str]) -> None:
    assert swaps(text) == expected
