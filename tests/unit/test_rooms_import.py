"""Importing rooms from YAML, CSV and XLSX files (the CLI's `rooms import`)."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import Workbook

from bot.cli_rooms import import_rooms
from models.rooms import Room
from services.errors import InvalidInput

EXAMPLE = Path(__file__).resolve().parents[2] / "config" / "rooms.example.yaml"


async def test_example_yaml_imports_every_room_and_a_second_run_updates(db: str) -> None:
    assert await import_rooms(EXAMPLE) == 4
    assert await import_rooms(EXAMPLE) == 4
    assert await Room.all().count() == 4
    party = await Room.get(name="党工委会议室")
    assert party.needs_approval and party.allowed_roles == ["leader", "office", "staff"]
    assert (await Room.get(name="洽谈室")).checkin_required


async def test_csv_with_chinese_headers_imports(db: str, tmp_path: Path) -> None:
    path = tmp_path / "rooms.csv"
    path.write_text("名称,容量,设备,开放,审批\n5号会议室,16,投影;白板,08:30-17:30,否\n"
                    "6号会议室,4,,,是\n", encoding="utf-8")
    assert await import_rooms(path) == 2
    five = await Room.get(name="5号会议室")
    assert (five.capacity, five.equipment, five.opens_minute) == (16, ["projector",
                                                                      "whiteboard"], 510)
    assert (await Room.get(name="6号会议室")).needs_approval


async def test_xlsx_imports(db: str, tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(["name", "capacity", "equipment", "checkin_required"])
    sheet.append(["7号会议室", 10, "视频会议", "yes"])
    path = tmp_path / "rooms.xlsx"
    book.save(path)
    assert await import_rooms(path) == 1
    assert (await Room.get(name="7号会议室")).equipment == ["video"]


async def test_a_bad_row_imports_nothing_and_names_the_row(db: str, tmp_path: Path) -> None:
    path = tmp_path / "rooms.csv"
    path.write_text("name,capacity\n8号会议室,10\n9号会议室,很多\n", encoding="utf-8")
    with pytest.raises(InvalidInput) as caught:
        await import_rooms(path)
    assert caught.value.code == "rooms.error.import_row" and caught.value.params["row"] == 2
    assert await Room.all().count() == 0


async def test_unknown_file_type_is_refused(db: str, tmp_path: Path) -> None:
    path = tmp_path / "rooms.txt"
    path.write_text("x", encoding="utf-8")
    with pytest.raises(ValueError, match="yaml"):
        await import_rooms(path)
