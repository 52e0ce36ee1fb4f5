"""Every user-facing sentence, in zh_CN and en; each feature keeps its own catalogue module."""

from __future__ import annotations

import importlib
import pkgutil
from typing import Any

DEFAULT_LANG = "zh_CN"
CATALOGUES: dict[str, dict[str, str]] = {"zh_CN": {}, "en": {}}


def _load() -> None:
    for info in pkgutil.iter_modules(__path__):
        module = importlib.import_module(f"{__name__}.{info.name}")
        CATALOGUES["zh_CN"].update(getattr(module, "ZH", {}))
        CATALOGUES["en"].update(getattr(module, "EN", {}))


def t(key: str, lang: str | None = None, /, **params: Any) -> str:
    """Look the key up in the language (falling back to Chinese), then fill the parameters."""
    lang = lang if lang in CATALOGUES else DEFAULT_LANG
    # An empty text is a deliberate blank (English has no measure words), not a missing one.
    found = CATALOGUES[lang] if key in CATALOGUES[lang] else CATALOGUES[DEFAULT_LANG]
    template = found.get(key)
    if template is None:
        return key
    try:
        return template.format(**params)
    except (KeyError, IndexError, ValueError):
        return template


def has(key: str) -> bool:
    return key in CATALOGUES[DEFAULT_LANG]


_load()
