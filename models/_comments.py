"""Tortoise reads each field's `#:` comment as its description; this makes that cheap.

Tortoise (`tortoise.models._get_comments`) calls `inspect.getsource(model)` for every model, and
on Python 3.11 each call parses the model's whole module and walks its syntax tree: 51 models
cost about 0.6 s of every replica's start (issue 20 asks for a start under 3 s). Here each module
is parsed once and the class found by the same rule `inspect` uses (its first definition with
that qualified name, decorators included); the comments are then read exactly as Tortoise reads
them. Anything unexpected falls back to Tortoise's own function.
"""

from __future__ import annotations

import ast
import functools
import inspect
import linecache
from typing import Any

import tortoise.models as tortoise_models

_original = tortoise_models._get_comments


@functools.cache
def _classes(filename: str) -> tuple[list[str], dict[str, int]]:
    """The file's lines, and where each class (by qualified name) starts (0-based)."""
    lines = linecache.getlines(filename)
    starts: dict[str, int] = {}

    def visit(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.ClassDef):
                name = prefix + child.name
                first = child.decorator_list[0].lineno if child.decorator_list else child.lineno
                starts.setdefault(name, first - 1)
                visit(child, name + ".")
            elif isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                visit(child, prefix + child.name + ".<locals>.")
            else:
                visit(child, prefix)

    visit(ast.parse("".join(lines)), "")
    return lines, starts


def class_source(cls: type) -> str:
    """What `inspect.getsource(cls)` returns, with the module parsed only once."""
    filename = inspect.getsourcefile(cls)
    if filename is None:
        raise OSError("no source file")
    lines, starts = _classes(filename)
    return "".join(inspect.getblock(lines[starts[cls.__qualname__]:]))


def comments(cls: Any) -> dict[str, str]:
    """Tortoise's `_get_comments`, reading the class' source from the parsed module."""
    try:
        source = class_source(cls)
    except (KeyError, OSError, SyntaxError, TypeError):
        return _original(cls)
    return _original_on(cls, source)


def _original_on(cls: Any, source: str) -> dict[str, str]:
    """Tortoise's own function with its source lookup answered from `source`."""
    real = tortoise_models.inspect
    tortoise_models.inspect = _Source(source)  # type: ignore[assignment]
    try:
        return _original(cls)
    finally:
        tortoise_models.inspect = real


class _Source:
    """Stands in for `inspect` inside Tortoise's function for one call: only getsource."""

    def __init__(self, source: str) -> None:
        self._source = source

    def getsource(self, obj: Any) -> str:
        return self._source


def install() -> None:
    tortoise_models._get_comments = comments  # type: ignore[assignment]
