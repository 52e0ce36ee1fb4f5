"""No internal code reaches people (issue 17): every text of both catalogues, and the words
the views put in place of codes (roles, statuses, recurrence rules, feed failures)."""

from __future__ import annotations

import re

import pytest

from handlers.rooms_view import repeat_words
from handlers.texts import CATALOGUES, t
from handlers.views.opinion import fetch_problem
from models.core import Role
from tests.codes import codes, leaks

_PLACEHOLDER = re.compile(r"\{[^{}]*\}")


@pytest.mark.parametrize("lang", sorted(CATALOGUES))
def test_no_text_of_the_catalogue_shows_a_code(lang: str) -> None:
    found = {key: leaks(_PLACEHOLDER.sub("…", text))
             for key, text in CATALOGUES[lang].items()}
    assert {k: v for k, v in found.items() if v} == {}
    # a template never shows a code it is given ({code}) to people
    assert [k for k, text in CATALOGUES[lang].items() if "{code}" in text
            and not k.startswith("opinion.fetch.")] == []


@pytest.mark.parametrize("lang", sorted(CATALOGUES))
def test_roles_and_statuses_given_as_codes_are_worded(lang: str) -> None:
    for role in Role:
        text = t("error.not_allowed", lang, role=role.value)
        assert t(f"role.{role.value}", lang) in text and leaks(text) == []
    refused = t("supplies.error.cannot_cancel", lang, id=3, status="cancelled")
    assert "cancelled" not in refused and leaks(refused) == []


@pytest.mark.parametrize("lang", sorted(CATALOGUES))
def test_recurrence_rules_and_feed_failures_are_said_in_words(lang: str) -> None:
    for rule in ("FREQ=WEEKLY;BYDAY=MO", "FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR",
                 "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,TH", "FREQ=DAILY", "FREQ=MONTHLY", "x"):
        words = repeat_words(rule, lang)
        assert words and "FREQ" not in words and "BY" not in words
    for error in ("ClientConnectorDNSError: Cannot connect to host feed.example:443 ssl:default "
                  "[Name or service not known]", "timeout after 20 s", "HTTP 503",
                  "not a feed: SAXParseException", "OSError: boom", ""):
        said = fetch_problem(error, lang)
        assert said and leaks(said) == [] and "Error" not in said


def test_the_check_knows_the_codes_it_looks_for() -> None:
    assert {"staff", "cancelled", "pending", "purchase"} <= codes()
    assert leaks("您的身份（staff）不能使用此功能") and leaks("已进入下一步（cancelled）")
    assert leaks("重复：FREQ=WEEKLY;BYDAY=MO") and leaks("<b>采购</b>（purchase）")
    assert leaks("ClientConnectorDNSError: Cannot connect to host")
    assert not leaks("Sorry, your role (staff) cannot use this.")
    assert not leaks("None of these rooms is free")


def test_rooms_are_booked_with_预订_never_预定() -> None:
    assert [k for k, text in CATALOGUES["zh_CN"].items() if "预定" in text] == []


def test_one_emoji_per_feature_舆情_is_not_日报() -> None:
    zh = CATALOGUES["zh_CN"]
    assert zh["opinion.kb"][0] != zh["reports.kb.daily"][0]
    assert zh["reports.block.mine.opinion"][0] == zh["opinion.kb"][0]
