"""An invite lasts at least a day, or never expires when asked plainly (issue 22, part 7).

`timedelta(0)` is falsy, so `officebot admin invite --days 0` used to make an invite that never
expired, and `--days -1` was accepted. Now 0, negatives and nonsense are refused with a clear
message, on the command line and in Telegram, and `none` (`永久`) is the only way to "never".
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import pytest

from bot.cli import main
from bot.db import close_db, open_db
from models.core import Invite, Role
from services import staff as staff_service
from services.clock import FixedClock
from services.errors import InvalidInput, InviteInvalid
from tests.conftest import OFFICE_NOW, using_postgres
from tests.e2e.conftest import Env
from tests.unit import test_cli

#: The command line's own fixture: a working folder and the test pass's database.
workdir = test_cli.workdir

REFUSED_DAYS = ["0", "-1", "-0", "-365", "1.5", "", " ", "abc", "7天", "0x10", "1e3",
                "3651", "99999999", "999999999999999999999", "²", "７", "nan"]


def invite_of(workdir: Path, migrated_template: str, link: str) -> Invite:
    """The invite row the printed link names, read from the database the command wrote."""
    url = migrated_template if using_postgres() else f"sqlite://{workdir}/data/officebot.sqlite3"

    async def read() -> Invite:
        await open_db(url, apply_migrations=False)
        try:
            return await Invite.get(token=link.rsplit("start=", 1)[1])
        finally:
            await close_db()

    return asyncio.run(read())


def test_cli_invite_days_must_be_one_or_more_or_none(
        workdir: Path, migrated_template: str, capsys: pytest.CaptureFixture[str]) -> None:
    for days in REFUSED_DAYS:
        assert main(["admin", "invite", "--role", "staff", f"--days={days}"]) == 2, days
        err = capsys.readouterr().err
        assert "--days must be a whole number of days from 1 to 3650" in err, days
        assert "--days none" in err and "never expires" in err
    assert main(["admin", "invite", "--role", "staff", "--days", "-1"]) == 2
    capsys.readouterr()

    made = {}
    for days in ("1", "30", "3650", "none", "NEVER", None):
        argv = ["admin", "invite", "--role", "staff"] + ([f"--days={days}"] if days else [])
        assert main(argv) == 0, days
        made[days] = invite_of(workdir, migrated_template, capsys.readouterr().out.strip())
    for days, expected in (("1", 1), ("30", 30), ("3650", 3650), (None, 7)):
        left = made[days].expires_at - OFFICE_NOW  # the office clock runs on from there
        assert timedelta(days=expected) <= left < timedelta(days=expected, minutes=5), days
    assert made["none"].expires_at is None and made["NEVER"].expires_at is None


async def test_the_service_refuses_a_zero_or_negative_validity_and_a_day_ends_an_invite(
        db: str, fixed_clock: FixedClock) -> None:
    for bad in (timedelta(0), timedelta(seconds=-1), timedelta(days=-1), timedelta(days=3651)):
        with pytest.raises(InvalidInput) as caught:
            await staff_service.create_invite(Role.STAFF, valid_for=bad)
        assert caught.value.code == "error.bad_invite_days"
    for days in (0, -1, 3651):
        with pytest.raises(InvalidInput):
            staff_service.invite_validity(days)
    assert await Invite.all().count() == 0

    day = await staff_service.create_invite(Role.STAFF, max_uses=None,
                                            valid_for=staff_service.invite_validity(1))
    never = await staff_service.create_invite(Role.STAFF, max_uses=None,
                                              valid_for=staff_service.invite_validity(None))
    assert never.expires_at is None
    fixed_clock.advance(timedelta(hours=23, minutes=59))
    await staff_service.join_with_invite(day.token, 5001, "甲")
    fixed_clock.advance(timedelta(minutes=1))
    with pytest.raises(InviteInvalid) as caught:
        await staff_service.join_with_invite(day.token, 5002, "乙")
    assert caught.value.params["reason"] == "expired"
    fixed_clock.advance(timedelta(days=3650 * 3))
    await staff_service.join_with_invite(never.token, 5003, "丙")


async def test_telegram_invite_takes_days_with_the_same_rule(env: Env) -> None:
    await env.person(1001, "王管理", Role.ADMIN, "党政办")
    await env.person(1002, "Admin Li", Role.ADMIN, "党政办", lang="en")
    for text in ("/invite staff 规划建设局 0天", "/invite staff -3天", "/invite staff 3651天",
                 "/invite staff 规划建设局 5 99999999999999999999天"):
        reply = await env.say(1001, text)
        assert "有效期" in reply["text"] and "1到3650天" in reply["text"], text
        assert "永久" in reply["text"] and "t.me" not in reply["text"]
    refused = await env.say(1002, "/invite staff 0d")
    assert "1 to 3650 days" in refused["text"] and "t.me" not in refused["text"]
    assert await Invite.all().count() == 0

    plain = await env.say(1001, "/invite staff 规划建设局", contains="t.me")
    month = await env.say(1001, "/invite staff 规划建设局 5 30天", contains="t.me")
    forever = await env.say(1001, "/invite office 党政办 永久", contains="t.me")
    english = await env.say(1002, "/invite leader never", contains="t.me")
    assert "长期有效" in forever["text"] and "never expires" in english["text"]
    assert "前有效" in plain["text"] and "前有效" in month["text"]
    rows = {i.department or i.role.value: i for i in await Invite.all()}
    assert rows["党政办"].expires_at is None and rows["leader"].expires_at is None
    by_uses = {i.max_uses: i for i in await Invite.filter(department="规划建设局")}
    # The office clock starts at OFFICE_NOW and runs on for the seconds the test takes.
    for uses, days in ((5, 30), (1, 7)):
        left = by_uses[uses].expires_at - OFFICE_NOW
        assert timedelta(days=days) <= left < timedelta(days=days, minutes=5), uses
