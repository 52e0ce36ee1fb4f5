"""Wording a feature's domain errors: the roles and statuses they name, in the reader's words."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from html import escape

from handlers.common import Ctx
from handlers.texts import has, t
from services.errors import DomainError

Words = Callable[[DomainError, str], str]


def words_for(status_prefix: str = "") -> Words:
    """How a feature words its errors: user text escaped, roles (and a comma list of allowed
    roles) named, and a status code looked up as `<status_prefix>.<status>`."""

    def words(error: DomainError, lang: str) -> str:
        params = {k: escape(v) if isinstance(v, str) else v for k, v in error.params.items()}
        joiner = ", " if lang == "en" else "、"
        if "role" in params and has(f"role.{params['role']}"):
            params["role"] = t(f"role.{params['role']}", lang)
        if "allowed" in params:
            allowed = [r for r in str(error.params["allowed"]).split(",") if r]
            params["allowed"] = joiner.join(t(f"role.{r}", lang) for r in allowed)
        if status_prefix and "status" in params:
            params["status"] = t(f"{status_prefix}.{error.params['status']}", lang)
        return t(error.code, lang, **params)

    return words


def worded(words: Words) -> Callable[[Callable[[Ctx], Awaitable[None]]],
                                     Callable[[Ctx], Awaitable[None]]]:
    """Say the handler's domain errors in these words (an alert when a button was pressed)."""

    def wrap(func: Callable[[Ctx], Awaitable[None]]) -> Callable[[Ctx], Awaitable[None]]:
        @functools.wraps(func)
        async def run(ctx: Ctx) -> None:
            try:
                await func(ctx)
            except DomainError as error:
                await ctx.say(words(error, ctx.lang), alert=True)

        return run

    return wrap
