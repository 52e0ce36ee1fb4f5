"""Every text the bot can say stays valid Telegram HTML whatever values are filled in."""

from __future__ import annotations

import string
from typing import Any

import pytest

from handlers.common import buttons, error_text
from handlers.texts import CATALOGUES, Html, as_html, plain, t, t_plain
from handlers.texts.timeparse import EN as TIME_EN
from handlers.texts.timeparse import render_question
from sandbox.formatting import parse_html
from services.errors import InvalidInput

HOSTILE = "<b>x & y</b><script>alert(1)</script> a < b > c & d &amp; &#0; \"q\""


class Anything(dict[str, Any]):
    """Fills every placeholder (and any format spec) with a hostile value or a number."""

    def __missing__(self, key: str) -> Any:
        return HOSTILE


def _fields(template: str) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for _, name, spec, _ in string.Formatter().parse(template):
        if name is None:
            continue
        key = name.split(".")[0].split("[")[0]
        # A format spec (:02d, :,.2f) wants a number; everything else gets the hostile text.
        values[key] = 7 if spec else HOSTILE
    return values


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_every_text_with_hostile_values_is_valid_html_and_shows_them_as_typed(lang: str) -> None:
    checked = 0
    for key, template in CATALOGUES[lang].items():
        values = _fields(template)
        text = t(key, lang, **values)
        shown, _ = parse_html(text)  # raises as Telegram's parser would
        if any(v == HOSTILE for v in values.values()):
            assert "<script>alert(1)</script>" in shown, (key, text)
        checked += 1
    assert checked > 500


def test_plain_texts_keep_values_as_typed_for_labels_and_alerts() -> None:
    assert t_plain("error.not_registered", "zh_CN") == plain(t("error.not_registered", "zh_CN"))
    label = t("supplies.btn.add", "zh_CN", name="A&B <i>")
    keyboard = buttons([[(label, "sup:add:1:2")]])
    assert "A&B <i>" in keyboard.inline_keyboard[0][0].text


def test_a_value_escaped_before_it_reached_the_catalogue_is_not_escaped_twice() -> None:
    assert as_html("&lt;b&gt; &amp; <i>") == "&lt;b&gt; &amp; &lt;i&gt;"
    assert as_html(Html("<b>kept</b>")) == "<b>kept</b>"
    assert Html("\n").join(["<b>", Html("<i>ok</i>")]) == "&lt;b&gt;\n<i>ok</i>"


def test_domain_errors_and_time_questions_word_what_the_user_typed_safely() -> None:
    for lang in ("zh_CN", "en"):
        text = error_text(InvalidInput("input.error.number", field="price", value=HOSTILE,
                                       low=0, high=9), lang)
        shown, _ = parse_html(text)
        assert HOSTILE.split(" ")[0] in shown
        for code in TIME_EN:
            question = code.removeprefix("time.ask.")
            shown, _ = parse_html(render_question(question, {"text": HOSTILE, "start": HOSTILE,
                                                             "date": HOSTILE}, lang))
            assert "&amp;" not in shown


def test_every_caption_the_handlers_send_is_read_as_html() -> None:
    """A caption built with t() is HTML: sent without parse_mode it would show its entities."""
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "handlers"
    plain_captions = []
    for path in root.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr in ("send_document", "send_photo", "send_video")):
                given = {k.arg for k in node.keywords}
                if "caption" in given and "parse_mode" not in given:
                    plain_captions.append(f"{path.name}:{node.lineno}")
    assert plain_captions == [], "pass parse_mode=ParseMode.HTML with the caption"
