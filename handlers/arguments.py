"""Command arguments in the words the bot prints: a code (stockin) or its name (入库登记台账).

One rule for every command that takes a choice: what the bot's texts call a thing, in either
language, is accepted back when typed, as is the start of that name (入库 for 入库登记台账).
"""

from __future__ import annotations

from handlers.texts import CATALOGUES, plain, t


def _names(key: str) -> list[str]:
    return [plain(t(key, lang)).strip().lower() for lang in CATALOGUES]


def choose(word: str, options: dict[str, str | list[str]]) -> str | None:
    """The code whose name `word` is: `options` maps each code to the text key(s) naming it."""
    said = word.strip().lower()
    if not said:
        return None
    if said in options:
        return said
    starts = []
    for code, keys in options.items():
        for key in [keys] if isinstance(keys, str) else keys:
            for name in _names(key):
                if said == name:
                    return code
                if len(said) >= 2 and (name.startswith(said) or said.startswith(name)):
                    starts.append(code)
    found = set(starts)
    return starts[0] if len(found) == 1 else None
