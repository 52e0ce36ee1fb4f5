"""The officebot command: clear errors a person can act on, and the admin tools."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from bot.cli import main
from tests.conftest import using_postgres


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, migrated_template: str) -> Path:
    monkeypatch.chdir(tmp_path)
    for var in ("OFFICEBOT_TOKEN", "OFFICEBOT_DATABASE_URL", "OFFICEBOT_WEBHOOK_URL"):
        monkeypatch.delenv(var, raising=False)
    if using_postgres():
        # One engine per process (PITFALLS.md): the PostgreSQL pass must not open SQLite.
        monkeypatch.setenv("OFFICEBOT_DATABASE_URL", migrated_template)
    return tmp_path


def test_malformed_token_is_refused_with_advice(
    workdir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("OFFICEBOT_TOKEN", "not-a-token")
    assert main(["run"]) == 2
    assert "@BotFather" in capsys.readouterr().err


def test_unreachable_database_is_named(
    workdir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.setenv("OFFICEBOT_DATABASE_URL", f"postgres://nobody@127.0.0.1:{port}/x")
    assert main(["migrate"]) == 2
    err = capsys.readouterr().err
    assert "cannot open the database" in err and "OFFICEBOT_DATABASE_URL" in err


def test_busy_port_is_reported(
    workdir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        monkeypatch.setenv("OFFICEBOT_TOKEN", "123456:ABCdef-ghi")
        monkeypatch.setenv("OFFICEBOT_WEB_PORT", str(port))
        assert main(["run"]) == 2
    assert "already in use" in capsys.readouterr().err


def test_invite_prints_a_deep_link_and_staff_lists_nobody_yet(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["admin", "invite", "--role", "admin", "--dept", "党政办"]) == 0
    link = capsys.readouterr().out.strip()
    assert link.startswith("https://t.me/officebot_demo_bot?start=")
    assert using_postgres() or (workdir / "data" / "officebot.sqlite3").exists()
    assert main(["admin", "staff"]) == 0
    assert "no staff yet" in capsys.readouterr().out or using_postgres()
    assert main(["admin", "invite", "--role", "boss"]) == 2
    assert "unknown role" in capsys.readouterr().err


def test_bad_time_zone_setting_is_explained(
    workdir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("OFFICEBOT_TIMEZONE", "Mars/Base")
    assert main(["migrate"]) == 2
    assert "OFFICEBOT_TIMEZONE" in capsys.readouterr().err


ROOT = Path(__file__).resolve().parents[2]


def test_rooms_and_supplies_import_then_calendar_and_audit(
    workdir: Path, capsys: pytest.CaptureFixture[str], calendar_state: None
) -> None:
    assert main(["rooms", "import", str(ROOT / "config" / "rooms.example.yaml")]) == 0
    assert "imported" in capsys.readouterr().out
    catalogue = workdir / "catalogue.csv"
    catalogue.write_text("类别,名称,规格,单位,库存,安全库存,存放位置\n纸张,A4纸,70g,包,20,5,库房A\n",
                         encoding="utf-8")
    assert main(["supplies", "import", str(catalogue)]) == 0
    assert "imported 1 items" in capsys.readouterr().out
    assert main(["rooms", "import", "missing.yaml"]) == 2
    assert "no such file" in capsys.readouterr().err
    notice = workdir / "2035.yaml"
    notice.write_text("2035:\n  holidays: [2035-01-01]\n  workdays: [2035-01-06]\n",
                      encoding="utf-8")
    assert main(["calendar", "load", str(notice)]) == 0
    # A workbook when there are actions (a shared PostgreSQL test database may hold some),
    # else a message and no empty workbook.
    assert main(["admin", "audit", "--since", "2026-01-01", "--out", "audit.xlsx"]) == 0
    said = capsys.readouterr().out
    assert ("nothing written" in said) != (workdir / "audit.xlsx").exists(), said


def test_opinion_train_writes_a_model_that_classify_then_uses(
    workdir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import csv
    import io
    import json

    data = workdir / "labelled"
    data.mkdir()
    for name, rows in (
        ("news", [(f"{c}公司{w}", n) for c in "甲乙丙丁戊己庚辛壬癸" for w, n in (
            ("被立案调查", 1), ("遭到处罚", 1), ("签约新项目", 0), ("召开股东大会", 0))]),
        ("forum", [(f"{c}{w}", n) for c in "啊哎呀哦嗯唉哈嘿呵喔" for w, n in (
            ("又跌了亏惨了", 1), ("割肉离场了", 1), ("明天会涨", 0), ("周末愉快", 0))]),
    ):
        with (data / f"{name}.csv").open("w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(["text", "neg"])
            writer.writerows(rows)
    out = workdir / "model.joblib"
    main(["opinion", "train", "--data", str(data), "--out", str(out), "--with-feedback"])
    printed = capsys.readouterr().out
    assert out.exists() and "'rows': 80" in printed and "'held_out': 8" in printed
    monkeypatch.setattr("sys.stdin", io.StringIO('{"text": "嗯又跌了亏惨了"}\n'))
    main(["opinion", "classify", "--model", str(out)])
    answer = json.loads(capsys.readouterr().out)
    assert answer["neg"] == 1 and any(r["kind"] == "model" for r in answer["reasons"])


def test_parse_time_and_classify_read_json_lines(
    workdir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import io
    import json

    monkeypatch.setattr(
        "sys.stdin",
        io.StringIO('{"text": "明天下午3点到5点", "now": "2026-11-26T10:00:00+08:00"}\n'
                    "not json\n"),
    )
    main(["parse-time"])
    first, second = capsys.readouterr().out.strip().splitlines()
    assert json.loads(first)["start"].startswith("2026-11-27T15:00")
    assert json.loads(second)["status"] == "error"
    monkeypatch.setattr("sys.stdin", io.StringIO('{"text": "园区企业夜间偷排污水被举报"}\n'))
    main(["opinion", "classify"])
    assert json.loads(capsys.readouterr().out)["neg"] == 1
