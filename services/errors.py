"""Domain errors: each carries a code and the parameters the user needs; the edges word them."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A rule of the office was broken; `code` picks the text, `params` fill it."""

    code = "error.generic"

    def __init__(self, code: str | None = None, **params: Any) -> None:
        self.code = code or self.code
        self.params = params
        super().__init__(f"{self.code} {params}" if params else self.code)


class NotRegistered(DomainError):
    code = "error.not_registered"


class NotAllowed(DomainError):
    code = "error.not_allowed"


class NotFound(DomainError):
    code = "error.not_found"


class InvalidInput(DomainError):
    code = "error.invalid_input"


class Conflict(DomainError):
    code = "error.conflict"


class InviteInvalid(DomainError):
    code = "error.invite_invalid"


class StaleAction(DomainError):
    """A button or command refers to something that has moved on."""

    code = "error.stale"
