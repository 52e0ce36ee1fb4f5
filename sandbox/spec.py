"""Validation of Bot API calls against the machine-readable Bot API spec (api-*.json).

The spec has ``methods`` and ``types``; each has ``fields`` with ``name``, ``types`` (such as
``"Integer"``, ``"Array of MessageEntity"``, ``"InlineKeyboardMarkup"``) and ``required``.
Values arrive typed (JSON body) or as strings (form fields and query strings, where PTB encodes
objects as JSON strings); both are accepted.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

__all__ = ["ApiSpec", "SpecError", "UploadedFile"]

_INT_RE = re.compile(r"-?\d+")
_FLOAT_RE = re.compile(r"-?\d+(\.\d+)?([eE][-+]?\d+)?")
_MUST_BE_RE = re.compile(r"must be (?:\*)?([a-z_]+)")
_BOOL_STRINGS = {"true", "false", "1", "0", "True", "False"}


class UploadedFile:
    """A file part of a multipart request."""

    __slots__ = ("content", "content_type", "file_name")

    def __init__(self, file_name: str, content: bytes, content_type: str | None) -> None:
        self.file_name = file_name
        self.content = content
        self.content_type = content_type

    def __repr__(self) -> str:
        return f"UploadedFile({self.file_name!r}, {len(self.content)} bytes)"


class SpecError(ValueError):
    """A call does not match the spec; ``str(error)`` is the description after "Bad Request: "."""


class ApiSpec:
    def __init__(self, data: dict[str, Any]) -> None:
        self.version: str = str(data.get("version", "?"))
        self.methods: dict[str, dict[str, Any]] = {
            name.lower(): m for name, m in data["methods"].items()
        }
        self.types: dict[str, dict[str, Any]] = data["types"]

    @classmethod
    def load(cls, path: str | Path) -> ApiSpec:
        with open(path, encoding="utf-8") as fh:
            return cls(json.load(fh))

    def has_method(self, name: str) -> bool:
        return name.lower() in self.methods

    def canonical_name(self, name: str) -> str | None:
        m = self.methods.get(name.lower())
        return None if m is None else str(m["name"])

    # -- validation ---------------------------------------------------------------------------

    def validate_call(self, method: str, params: dict[str, Any]) -> None:
        """Raise :class:`SpecError` for unknown, missing or ill-typed parameters."""
        m = self.methods.get(method.lower())
        if m is None:
            raise SpecError(f"method {method!r} not found")
        fields = {f["name"]: f for f in m.get("fields", [])}
        for name in params:
            if name not in fields:
                raise SpecError(f'unknown parameter "{name}"')
        for name, f in fields.items():
            value = params.get(name)
            if value is None or (isinstance(value, str) and value == "" and f["required"]):
                if f["required"]:
                    raise SpecError(_missing_message(name))
                continue
            self._check_value(name, value, f["types"], from_string=isinstance(value, str))

    def _check_value(self, name: str, value: Any, types: list[str], *, from_string: bool) -> None:
        errors: list[str] = []
        for t in types:
            try:
                self._check_type(name, value, t, from_string=from_string)
                return
            except SpecError as exc:
                errors.append(str(exc))
        raise SpecError(errors[0] if len(errors) == 1 else _type_message(name, types, errors))

    def _check_type(self, name: str, value: Any, t: str, *, from_string: bool) -> None:
        if t == "Integer":
            ok = (isinstance(value, int) and not isinstance(value, bool)) or (
                isinstance(value, str) and _INT_RE.fullmatch(value.strip()) is not None
            )
            if not ok:
                raise SpecError(f'parameter "{name}" must be an Integer')
        elif t == "Float":
            ok = (isinstance(value, int | float) and not isinstance(value, bool)) or (
                isinstance(value, str) and _FLOAT_RE.fullmatch(value.strip()) is not None
            )
            if not ok:
                raise SpecError(f'parameter "{name}" must be a Float')
        elif t == "Boolean":
            is_str_bool = isinstance(value, str) and value in _BOOL_STRINGS
            if not (isinstance(value, bool) or is_str_bool):
                raise SpecError(f'parameter "{name}" must be a Boolean')
        elif t == "String":
            if isinstance(value, UploadedFile) or isinstance(value, dict | list | bool):
                raise SpecError(f'parameter "{name}" must be a String')
        elif t == "InputFile":
            if not isinstance(value, UploadedFile) and not (
                isinstance(value, str) and value.startswith("attach://")
            ):
                raise SpecError(f'parameter "{name}" must be an InputFile')
        elif t.startswith("Array of "):
            parsed = _parse_json(name, value) if isinstance(value, str) else value
            if not isinstance(parsed, list):
                raise SpecError(f'parameter "{name}" must be an Array')
            inner = t[len("Array of ") :]
            for item in parsed:
                self._check_type(name, item, inner, from_string=False)
        elif t in self.types:
            parsed = _parse_json(name, value) if isinstance(value, str) else value
            self._check_object(name, parsed, t)
        else:  # unknown type name in the spec: accept
            return

    def _check_object(self, name: str, value: Any, type_name: str) -> None:
        spec = self.types[type_name]
        subtypes = spec.get("subtypes")
        if subtypes:
            errors = []
            for sub in subtypes:
                try:
                    self._check_object(name, value, sub)
                    return
                except SpecError as exc:
                    errors.append(str(exc))
            raise SpecError(f"can't parse {name}: not a valid {type_name}")
        if not isinstance(value, dict):
            raise SpecError(f"can't parse {name} JSON object")
        fields = {f["name"]: f for f in spec.get("fields", [])}
        for fname, f in fields.items():
            if f["required"] and fname not in value:
                raise SpecError(f'field "{fname}" of {type_name} in "{name}" is required')
            if fname == "type" and fname in value:
                m = _MUST_BE_RE.search(f.get("description", ""))
                if m and value[fname] != m.group(1):
                    raise SpecError(f"wrong {type_name} type in {name}")
        # one level deep: basic types of the object's own fields
        for fname, fvalue in value.items():
            f = fields.get(fname)
            if f is None or fvalue is None:
                continue
            basic = [t for t in f["types"] if t in ("Integer", "String", "Boolean", "Float")]
            if basic and len(basic) == len(f["types"]):
                self._check_value(f"{name}.{fname}", fvalue, basic, from_string=False)


def _parse_json(name: str, value: str) -> Any:
    try:
        return json.loads(value)
    except ValueError:
        raise SpecError(f"can't parse {name} JSON object") from None


def _missing_message(name: str) -> str:
    special = {
        "text": "message text is empty",
        "chat_id": "chat_id is empty",
        "message_id": "message identifier is not specified",
        "callback_query_id": (
            "query is too old and response timeout expired or query ID is invalid"
        ),
        "url": "bad webhook: an HTTPS URL must be provided for webhook",
        "file_id": "file_id not specified",
    }
    return special.get(name, f'parameter "{name}" is required')


def _type_message(name: str, types: list[str], errors: list[str]) -> str:
    basic = {"Integer", "String", "Boolean", "Float", "InputFile"}
    if all(t in basic for t in types):
        return f'parameter "{name}" must be ' + " or ".join(types)
    return errors[-1]
