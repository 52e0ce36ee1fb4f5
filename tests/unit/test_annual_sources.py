"""The annual sources sheet words the drafted materials' kinds as the office does (请示, 方案),
never as the internal codes (request, plan)."""

from __future__ import annotations

from handlers.texts.publicity import ZH
from models.publicity import DraftKind
from services.reports.annual import DRAFT_KINDS


def test_every_draft_kind_has_the_catalogues_chinese_word() -> None:
    assert set(DRAFT_KINDS) == {kind.value for kind in DraftKind}
    for kind in DraftKind:
        assert DRAFT_KINDS[kind.value] == ZH[f"publicity.dkind.{kind.value}"]
        assert not DRAFT_KINDS[kind.value].isascii()
