"""Every user-facing sentence, in zh_CN and en; each feature keeps its own catalogue module.

Replies are Telegram HTML, so `t()` escapes every value it fills in, in this one place: a name
like "<Tom & Co>" or a pasted "<script>" always shows as typed and never breaks a message.
What is already HTML (another `t()` result, or text marked `Html`) goes in as it is. Texts
that are not HTML (button labels, alert boxes, files, charts) use `t_plain()`.
"""

from __future__ import annotations

import html
import importlib
import pkgutil
import re
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

DEFAULT_LANG = "zh_CN"
CATALOGUES: dict[str, dict[str, str]] = {"zh_CN": {}, "en": {}}


def _load() -> None:
    for info in pkgutil.iter_modules(__path__):
        module = importlib.import_module(f"{__name__}.{info.name}")
        CATALOGUES["zh_CN"].update(getattr(module, "ZH", {}))
        CATALOGUES["en"].update(getattr(module, "EN", {}))


class Html(str):
    """Text that is already safe Telegram HTML: `t()` puts it in as it is."""

    __slots__ = ()

    def join(self, parts: Iterable[str]) -> Html:  # type: ignore[override]
        """Join, escaping the parts that are not HTML yet."""
        return Html(str.join(self, (as_html(p) for p in parts)))

    def __add__(self, other: str) -> str:
        """HTML and HTML make HTML; HTML and plain text make text of unknown safety."""
        joined = str.__add__(self, other)
        return Html(joined) if isinstance(other, Html) else joined


#: An entity html.escape writes: left alone, so a value escaped before it got here stays right.
_ENTITY = re.compile(r"&(?!(?:amp|lt|gt|quot|#x27|#39);)")


def as_html(value: object) -> Html:
    """The value as HTML: kept if it is already, otherwise escaped (once, never twice)."""
    if isinstance(value, Html):
        return value
    text = _ENTITY.sub("&amp;", str(value))
    return Html(text.replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;"))


def _filled(value: object) -> object:
    """A value as t() fills it in: numbers and dates as they are (for format specs), the rest
    as HTML."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal | date):
        return as_html(value)
    return value


def _template(key: str, lang: str | None) -> str | None:
    lang = lang if lang in CATALOGUES else DEFAULT_LANG
    # An empty text is a deliberate blank (English has no measure words), not a missing one.
    found = CATALOGUES[lang] if key in CATALOGUES[lang] else CATALOGUES[DEFAULT_LANG]
    return found.get(key)


#: Parameters that services fill with a code (a role, a status): people read its name.
_CODE_PARAMS = ("role", "status")


def _worded(key: str, lang: str | None, params: dict[str, Any]) -> dict[str, Any]:
    """Codes in a text's parameters as the words for them: role `staff` → 职工, status
    `cancelled` of a supplies text → its `supplies.status.cancelled` (so no code reaches people,
    whichever path filled the text)."""
    feature = key.split(".", 1)[0]
    for name in _CODE_PARAMS:
        value = params.get(name)
        if not isinstance(value, str) or isinstance(value, Html) or not value.isascii():
            continue
        for word in (f"{feature}.{name}.{value}", f"{name}.{value}"):
            if word in CATALOGUES[DEFAULT_LANG]:
                params = {**params, name: _template(word, lang)}
                break
    return params


def t(key: str, lang: str | None = None, /, **params: Any) -> Html:
    """The text in the language (falling back to Chinese), every value escaped for HTML."""
    template = _template(key, lang)
    if template is None:
        return Html(html.escape(key))
    params = _worded(key, lang, params)
    try:
        return Html(template.format(**{k: _filled(v) for k, v in params.items()}))
    except (KeyError, IndexError, ValueError):
        return Html(template)


def t_plain(key: str, lang: str | None = None, /, **params: Any) -> str:
    """The text as plain words (labels, alert boxes, files, charts): nothing escaped."""
    template = _template(key, lang)
    if template is None:
        return key
    params = _worded(key, lang, params)
    words = plain(template)
    try:
        return words.format(**{k: plain(v) if isinstance(v, Html) else v
                               for k, v in params.items()})
    except (KeyError, IndexError, ValueError):
        return words


_TAG = re.compile(r"</?(?:b|strong|i|em|u|ins|s|strike|del|code|pre|a|tg-spoiler|blockquote|span)"
                  r"(?:\s[^>]*)?>")


def plain(text: str) -> str:
    """HTML made plain text: tags dropped, entities read."""
    return html.unescape(_TAG.sub("", text))


def has(key: str) -> bool:
    return key in CATALOGUES[DEFAULT_LANG]


_load()
