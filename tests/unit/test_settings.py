"""The one settings object: documented, validated, secret where it must be."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from bot.settings import Settings

ROOT = Path(__file__).resolve().parents[2]


def test_every_setting_is_documented_in_env_example() -> None:
    documented = (ROOT / ".env.example").read_text(encoding="utf-8")
    missing = [n for n in Settings.model_fields if f"OFFICEBOT_{n.upper()}=" not in documented]
    assert missing == [], "run scripts/env-example"


def test_defaults_are_sqlite_under_data_and_shanghai_time() -> None:
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.database_url.startswith("sqlite://data/")
    assert settings.timezone == "Asia/Shanghai" and settings.locale == "zh_CN"


def test_secrets_do_not_show_in_repr(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OFFICEBOT_TOKEN", "123456:SECRET-value")
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert "SECRET-value" not in repr(settings) and settings.token_is_valid()


def test_unknown_locale_is_refused() -> None:
    with pytest.raises(ValidationError):
        Settings(_env_file=None, locale="fr")  # type: ignore[call-arg]
