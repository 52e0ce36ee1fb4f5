"""One input boundary: what people paste is cleaned before it is kept, or refused politely."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from models.core import Role
from models.rooms import Room
from models.supplies import StockIn, SupplyItem
from services.errors import InvalidInput
from services.inputs import (
    check_date,
    clean_name,
    clean_text,
    normalize,
    parse_decimal,
    parse_int,
    to_date,
    to_int,
)
from services.rooms.catalog import import_rows as import_rooms
from services.supplies.catalogue import import_rows as import_items
from tests.e2e.conftest import Env


def test_control_characters_go_newlines_stay_only_where_a_field_has_lines() -> None:
    pasted = "A4\x07纸（\x0180g）\r\n第二行\x00\ufeff\u202e\x0b第三行"
    # Word's line breaks (vertical tab, U+2028) are line breaks; the rest goes.
    assert normalize(pasted) == "A4纸（80g）\n第二行\n第三行"
    assert normalize(pasted, multiline=False) == "A4纸（80g） 第二行 第三行"
    assert normalize("\ud800坏") == "坏"  # a lone surrogate from a broken paste
    assert normalize("１２３号") == "123号"
    assert normalize("ｅ") == "ｅ"  # only digits change: full-width letters are Chinese writing


def test_names_are_never_blank_invisible_multiline_or_too_long() -> None:
    assert clean_name("  3号\n会议室 ", "room") == "3号 会议室"
    for blank in ("", "   ", "\u200b\u200b", "\u200b \u2060", "\x07\x0b"):
        with pytest.raises(InvalidInput) as refused:
            clean_name(blank, "room")
        assert refused.value.code == "input.error.blank"
    with pytest.raises(InvalidInput) as long:
        clean_name("会" * 65, "room")
    assert long.value.params["max"] == 64
    assert clean_text("第一行\n第二行", "note") == "第一行\n第二行"


def test_numbers_are_ascii_or_full_width_digits_within_the_column() -> None:
    assert to_int("１２") == 12 and to_int("12") == 12
    for odd in ("²", "³²", "--5", "1e3", "٣", "", "2147483648", "-1"):
        assert to_int(odd) is None, odd
    with pytest.raises(InvalidInput):
        parse_int("²", "quantity")
    assert parse_decimal("24.50", "price") == Decimal("24.50")
    with pytest.raises(InvalidInput) as precise:
        parse_decimal("0.0000001", "price")
    assert precise.value.code == "input.error.precision"
    for odd in ("1e309", "NaN", "inf", "1,2.3.4", "²"):
        with pytest.raises(InvalidInput):
            parse_decimal(odd, "price")


def test_dates_outside_1900_to_2100_are_refused() -> None:
    check_date(date(2026, 11, 26))
    for year in (1, 1899, 2101, 9999):
        with pytest.raises(InvalidInput):
            check_date(date(year, 1, 1))
    assert to_date("20261126") == date(2026, 11, 26)
    assert to_date("20261399") is None and to_date("99991231") is None


async def test_imports_clean_names_and_refuse_invisible_ones(db: str) -> None:
    await import_rooms([{"name": "5号\x07会议室\x0b", "capacity": 8}])
    assert await Room.filter(name="5号会议室").exists()
    with pytest.raises(InvalidInput):
        await import_rooms([{"name": "\u200b\u200b", "capacity": 8}])
    await import_items([{"name": "订书\x01钉", "unit": "盒", "spec": "24/6\x0b"}])
    item = await SupplyItem.get(name="订书钉")
    assert item.spec == "24/6"


async def test_pasted_control_characters_never_reach_the_ledgers(env: Env) -> None:
    await env.person(1003, "张秘书", Role.OFFICE, "党政办")
    added = await env.say(1003, "/stock add 复印\x07纸\x0b 单位 包 规格 A3\x01")
    assert "复印纸" in added["text"]
    item = await SupplyItem.get(name="复印纸")
    assert item.spec == "A3"
    blank = await env.say(1003, "/stock add \u200b\u200b 单位 包")
    assert "不能为空" in blank["text"] or "物品名称" in blank["text"]
    precise = await env.say(1003, "/stockin 复印纸 10包 单价 0.0000001 供应商 晨光\x07")
    assert "小数位太多" in precise["text"]
    assert not await StockIn.exists()
    done = await env.say(1003, "/stockin 复印纸 10包 单价 25 供应商 晨\x07光\u200b")
    assert "入库单" in done["text"]
    assert (await StockIn.get()).supplier == "晨光"
    ledger = await env.say(1003, "/ledger stockin")
    assert ledger.get("document"), ledger


async def test_an_update_with_nul_is_stored_in_the_inbox_and_blocks_nothing(db: str) -> None:
    """PostgreSQL's jsonb refuses NUL: the poller would retry the same batch for ever."""
    from models.core import InboxUpdate
    from services import updates

    nul = {"update_id": 7001, "message": {
        "message_id": 1, "date": 0, "chat": {"id": 1001, "type": "private"},
        "from": {"id": 1001, "is_bot": False, "first_name": "A\x00"},
        "text": "/rooms \x00明天\ud800", "entities": [{"type": "bot_command", "offset": 0,
                                                    "length": 6}]}}
    after = {"update_id": 7002, "message": {
        "message_id": 2, "date": 0, "chat": {"id": 1001, "type": "private"},
        "from": {"id": 1001, "is_bot": False, "first_name": "A"}, "text": "/help"}}
    assert await updates.store([nul, after]) == 2
    stored = {row.update_id: row.payload for row in await InboxUpdate.all()}
    assert stored[7001]["message"]["text"] == "/rooms 明天"
    assert stored[7001]["message"]["from"]["first_name"] == "A"
    assert stored[7002]["message"]["text"] == "/help"
