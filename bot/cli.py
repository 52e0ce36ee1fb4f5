"""The `officebot` command: run, sandbox, migrate, admin, parse-time, opinion."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import errno
import gc
import logging
import re
import signal
import socket
import sys
from collections.abc import Awaitable, Callable, Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from pydantic import ValidationError

log = logging.getLogger("officebot")
SANDBOX_TOKEN = "123456:SANDBOX-demo-token"


class CliError(Exception):
    """A problem the person at the terminal can fix; printed without a traceback."""


def _settings(**overrides: Any) -> Any:
    from bot.settings import Settings

    try:
        return Settings(**overrides)
    except ValidationError as exc:
        problems = "; ".join(
            f"OFFICEBOT_{'_'.join(str(p) for p in e['loc']).upper()}: {e['msg']}"
            for e in exc.errors()
        )
        raise CliError(f"invalid settings: {problems}") from None


def _check_port(host: str, port: int, what: str) -> None:
    if port == 0:
        return
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise CliError(
                    f"port {port} on {host} ({what}) is already in use: stop the other program "
                    f"or choose another port"
                ) from None
            raise CliError(f"cannot listen on {host}:{port} ({what}): {exc}") from None


async def _open_database(settings: Any) -> None:
    from bot.db import open_db

    try:
        await open_db(settings=settings)
    except Exception as exc:  # asyncpg/sqlite raise many kinds; the message says which
        raise CliError(
            f"cannot open the database {_redact(settings.database_url)}: {exc}. "
            "Check OFFICEBOT_DATABASE_URL and that the server is running."
        ) from None


def _redact(url: str) -> str:
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        creds, host = rest.split("@", 1)
        return f"{scheme}://{creds.split(':')[0]}:***@{host}" if ":" in creds else url
    return url


async def _serve_until_stopped(start: Callable[[], Awaitable[Any]],
                               stop: Callable[[], Awaitable[Any]]) -> None:
    done = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, done.set)
    await start()
    try:
        await done.wait()
    finally:
        await stop()


# ---------------------------------------------------------------------------- run


async def cmd_run(args: argparse.Namespace) -> int:
    settings = _settings()
    if settings.token is None:
        print("No bot token is set (OFFICEBOT_TOKEN): starting the sandbox demo instead.")
        args.demo, args.port = True, args.port or settings.sandbox_port
        return await cmd_sandbox(args)
    if not settings.token_is_valid():
        raise CliError(
            "OFFICEBOT_TOKEN does not look like a bot token (digits, a colon, then letters): "
            "copy it again from @BotFather"
        )
    from telegram.error import InvalidToken, NetworkError

    from bot.app import Runtime

    _check_port(settings.web_host, settings.web_port, "the bot's web server")
    await _open_database(settings)
    runtime = Runtime(settings, open_database=False)

    async def start() -> None:
        try:
            await runtime.start()
        except InvalidToken:
            raise CliError("Telegram refused the token: check OFFICEBOT_TOKEN") from None
        except NetworkError as exc:
            raise CliError(f"cannot reach the Telegram Bot API: {exc}") from None
        if settings.gc_freeze:
            # What is loaded by now (modules, handlers, texts, settings) lives as long as the
            # process: kept out of the collector's scans, which otherwise walk it all at every
            # full collection and show as latency spikes under load (bench_cluster --only).
            gc.collect()
            gc.freeze()
        mode = "webhook " + str(settings.webhook_url) if settings.webhook_url else "long polling"
        print(f"officebot is running ({mode}); web server on "
              f"http://{settings.web_host}:{runtime.web_port}. Ctrl+C stops it.")

    async def stop() -> None:
        await runtime.stop()
        from bot.db import close_db

        await close_db()

    await _serve_until_stopped(start, stop)
    return 0


# ---------------------------------------------------------------------------- sandbox


async def cmd_sandbox(args: argparse.Namespace) -> int:
    from bot.app import Runtime
    from bot.demo import seed_database, seed_sandbox
    from sandbox.client import SandboxClient
    from sandbox.server import Sandbox

    base = _settings()
    port = args.port or base.sandbox_port
    _check_port("127.0.0.1", port, "the sandbox")
    _check_port(base.web_host, base.web_port, "the bot's web server")
    sandbox = Sandbox(base.sandbox_spec)
    await sandbox.start("127.0.0.1", port)
    settings = _settings(
        token=SANDBOX_TOKEN, bot_api_url=sandbox.bot_api_base,
        bot_file_url=sandbox.file_api_base, webhook_url=None, poll_timeout=10,
    )
    try:
        await _open_database(settings)
        if args.demo:
            await seed_database()
            async with SandboxClient(sandbox.base_url) as client:
                await seed_sandbox(client)
    except BaseException:
        await sandbox.stop()
        raise
    runtime = Runtime(settings, open_database=False)

    async def start() -> None:
        await runtime.start()
        print(f"Sandbox Bot API: {sandbox.bot_api_base}")
        print(f"Open the web chat: {sandbox.base_url}/  (play any demo user; Ctrl+C stops)")
        if args.demo:
            print("Demo users: 1001 王管理 (admin), 1002 李主任 (leader), 1003 张秘书 (office), "
                  "1004 刘工 (staff), 1005 陈科长 (department head); groups -2001, -2002.")
        if base.sandbox_spec is None:
            print("Note: no Bot API schema (OFFICEBOT_SANDBOX_SPEC): calls are not validated.")

    async def stop() -> None:
        await runtime.stop()
        await sandbox.stop()
        from bot.db import close_db

        await close_db()

    await _serve_until_stopped(start, stop)
    return 0


# ---------------------------------------------------------------------------- migrate, admin


async def cmd_migrate(args: argparse.Namespace) -> int:
    from bot.db import close_db

    settings = _settings()
    await _open_database(settings)
    await close_db()
    print(f"database {_redact(settings.database_url)} is up to date")
    return 0


async def _bot_username(settings: Any) -> str:
    if settings.bot_username:
        return str(settings.bot_username)
    if settings.token is None:
        return "officebot_demo_bot"
    from telegram import Bot
    from telegram.error import TelegramError

    bot = Bot(settings.token.get_secret_value(), base_url=settings.bot_api_url or
              "https://api.telegram.org/bot")
    try:
        async with bot:
            return str(bot.username)
    except TelegramError as exc:
        raise CliError(
            f"cannot ask Telegram for the bot's username ({exc}); set OFFICEBOT_BOT_USERNAME"
        ) from None


def _invite_validity(days: str) -> timedelta | None:
    """Read --days: a whole number of days from 1 up, or `none` for an invite that never ends."""
    from services import staff as staff_service
    from services.errors import DomainError

    text = days.strip().lower()
    if text in ("none", "never"):
        return None
    most = staff_service.MAX_INVITE_DAYS
    problem = (f"--days must be a whole number of days from 1 to {most}, or `--days none` "
               f"for an invite that never expires (got {days!r})")
    if not re.fullmatch(r"[+-]?[0-9]{1,9}", text):
        raise CliError(problem)
    try:
        return staff_service.invite_validity(int(text))
    except DomainError:
        raise CliError(problem) from None


async def cmd_admin_invite(args: argparse.Namespace) -> int:
    from bot.db import close_db
    from handlers.admin import invite_link
    from services import staff as staff_service
    from services.errors import DomainError

    settings = _settings()
    try:
        role = staff_service.parse_role(args.role)
    except DomainError:
        raise CliError(f"unknown role {args.role!r}: use admin, leader, office or staff") from None
    if args.uses is not None and args.uses < 1:
        raise CliError("--uses must be 1 or more (leave it out for a single-use link)")
    valid_for = _invite_validity(args.days)
    username = await _bot_username(settings)
    await _open_database(settings)
    try:
        invite = await staff_service.create_invite(
            role, args.dept or "", is_head=args.head,
            max_uses=None if args.unlimited else (args.uses or 1),
            valid_for=valid_for,
        )
    finally:
        await close_db()
    print(invite_link(username, invite.token))
    return 0


async def cmd_admin_staff(args: argparse.Namespace) -> int:
    from bot.db import close_db
    from services import staff as staff_service

    await _open_database(_settings())
    try:
        people = await staff_service.list_staff(include_inactive=True)
        print(f"{'id':>4}  {'telegram':>12}  {'role':<7} {'department':<12} name")
        for p in people:
            flags = ("" if p.active else " (inactive)") + (" (head)" if p.is_head else "")
            print(f"{p.id:>4}  {p.tg_user_id:>12}  {p.role.value:<7} {p.department:<12} "
                  f"{p.name}{flags}")
        if not people:
            print("no staff yet: create the first admin with "
                  "`officebot admin invite --role admin` and open the link")
    finally:
        await close_db()
    return 0


# ---------------------------------------------------------------------------- tools


def cmd_parse_time(args: argparse.Namespace) -> int:
    from services.timeparse import main_parse_time

    return int(main_parse_time(sys.stdin, sys.stdout) or 0)


def cmd_opinion_train(args: argparse.Namespace) -> int:
    from services.opinion.classify import train_command

    settings = _settings()
    out = Path(args.out) if args.out else settings.data_dir / "opinion-model.joblib"
    missing = [p for p in args.data if not Path(p).exists()]
    if missing:
        raise CliError(f"no such file or folder: {', '.join(missing)}")
    extra: list[tuple[str, int]] = []
    if args.with_feedback:
        extra = asyncio.run(_feedback_rows(settings))
    metrics = train_command([Path(p) for p in args.data], out, extra)
    print(f"model written to {out}: {metrics}")
    return 0


async def _feedback_rows(settings: Any) -> list[tuple[str, int]]:
    from bot.db import close_db
    from services.opinion.handling import feedback_rows

    await _open_database(settings)
    try:
        return list(await feedback_rows())
    finally:
        await close_db()


def cmd_opinion_classify(args: argparse.Namespace) -> int:
    from services.opinion.classify import classify_stream

    settings = _settings()
    model = Path(args.model) if args.model else settings.data_dir / "opinion-model.joblib"
    return int(classify_stream(sys.stdin, sys.stdout, model if model.exists() else None,
                               batch=args.batch) or 0)


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-01-31") from None


async def cmd_admin_audit(args: argparse.Namespace) -> int:
    from bot.cli_audit import audit_command

    settings = _settings()
    out = Path(args.out) if args.out else settings.data_dir / f"audit-{args.since}.xlsx"
    return await audit_command(args.since, out, settings)


def _existing(path: str) -> Path:
    if not Path(path).is_file():
        raise CliError(f"no such file: {path}")
    return Path(path)


def cmd_rooms_import(args: argparse.Namespace) -> int:
    from bot.cli_rooms import run_import
    from services.errors import DomainError

    try:
        count = run_import(_existing(args.file))
    except DomainError as error:
        from handlers.common import error_text, plain

        raise CliError(plain(error_text(error, "zh_CN"))) from None
    print(f"imported {count} rooms from {args.file}")
    return 0


def cmd_supplies_import(args: argparse.Namespace) -> int:
    from bot.cli_supplies import import_catalogue

    try:
        count = import_catalogue(_existing(args.file))
    except ValueError as exc:
        raise CliError(str(exc)) from None
    print(f"imported {count} items from {args.file}")
    return 0


def cmd_calendar_load(args: argparse.Namespace) -> int:
    from bot.cli_reports import calendar_load

    return calendar_load(_existing(args.file), _settings())


# ---------------------------------------------------------------------------- parser

def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="officebot", description="The park office's assistant bot in Telegram."
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug details")
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="run the bot (the sandbox demo when no token is set)")
    run.add_argument("--port", type=int, default=None, help="sandbox port when no token is set")
    run.set_defaults(func=cmd_run)

    sandbox = sub.add_parser("sandbox", help="run the bot against the local Telegram stand-in")
    sandbox.add_argument("--port", type=int, default=None, help="sandbox port (default 8081)")
    sandbox.add_argument("--demo", action="store_true", help="seed the demo roster and data")
    sandbox.set_defaults(func=cmd_sandbox)

    sub.add_parser("migrate", help="apply database migrations").set_defaults(func=cmd_migrate)

    admin = sub.add_parser("admin", help="administration").add_subparsers(
        dest="admin_command", required=True
    )
    invite = admin.add_parser("invite", help="print an invite link (the first admin's too)")
    invite.add_argument("--role", required=True, help="admin, leader, office or staff")
    invite.add_argument("--dept", default="", help="department name")
    invite.add_argument("--head", action="store_true", help="head of the department")
    invite.add_argument("--uses", type=int, default=None, help="how many people may use it")
    invite.add_argument("--unlimited", action="store_true", help="any number until it expires")
    invite.add_argument("--days", default="7",
                        help="days until it expires (1 or more), or none: it never expires")
    invite.set_defaults(func=cmd_admin_invite)
    admin.add_parser("staff", help="list the staff").set_defaults(func=cmd_admin_staff)

    sub.add_parser(
        "parse-time", help="read JSON lines {text, now} on stdin, write parses as JSON lines"
    ).set_defaults(func=cmd_parse_time)

    opinion = sub.add_parser("opinion", help="public-opinion tools").add_subparsers(
        dest="opinion_command", required=True
    )
    train = opinion.add_parser("train", help="train the classifier on labelled CSV (text,neg)")
    train.add_argument("--data", nargs="+", required=True, help="CSV files or folders")
    train.add_argument(
        "--out", default=None, help="model file (default: data/opinion-model.joblib)",
    )
    train.add_argument("--with-feedback", action="store_true",
                       help="add the leaders' 误报/确认负面 labels from the database")
    train.set_defaults(func=cmd_opinion_train)
    classify = opinion.add_parser("classify", help="classify JSON lines {text} from stdin")
    classify.add_argument("--model", default=None)
    classify.add_argument("--batch", type=int, default=None,
                          help="lines scored together (default 512; 1 from a terminal)")
    classify.set_defaults(func=cmd_opinion_classify)
    from bot import cli_opinion

    terms = opinion.add_parser("terms", help="the park's names, companies and watch words")
    cli_opinion.configure_terms(terms)
    terms.set_defaults(func=cli_opinion.cmd_terms)
    sources = opinion.add_parser("sources", help="the RSS/Atom feeds watched")
    cli_opinion.configure_sources(sources)
    sources.set_defaults(func=cli_opinion.cmd_sources)

    audit = admin.add_parser("audit", help="export the approvals audit trail as XLSX")
    audit.add_argument("--since", required=True, type=_date, help="YYYY-MM-DD")
    audit.add_argument("--out", default=None, help="file (default data/audit-SINCE.xlsx)")
    audit.set_defaults(func=cmd_admin_audit)

    rooms = sub.add_parser("rooms", help="meeting rooms").add_subparsers(
        dest="rooms_command", required=True
    )
    rooms_import = rooms.add_parser("import", help="add or update rooms from YAML/CSV/XLSX")
    rooms_import.add_argument("file")
    rooms_import.set_defaults(func=cmd_rooms_import)

    supplies = sub.add_parser("supplies", help="office supplies").add_subparsers(
        dest="supplies_command", required=True
    )
    supplies_import = supplies.add_parser("import", help="import the catalogue (XLSX/CSV)")
    supplies_import.add_argument("file")
    supplies_import.set_defaults(func=cmd_supplies_import)

    calendar = sub.add_parser("calendar", help="official holidays").add_subparsers(
        dest="calendar_command", required=True
    )
    calendar_load = calendar.add_parser(
        "load", help="add a year's notice (YAML: {2027: {holidays: [...], workdays: [...]}})"
    )
    calendar_load.add_argument("file")
    calendar_load.set_defaults(func=cmd_calendar_load)

    from bot import cli_demo_year

    demo = sub.add_parser("demo", help="demonstrations").add_subparsers(
        dest="demo_command", required=True
    )
    demo_year = demo.add_parser("year", help="play a year of the office through the sandbox")
    cli_demo_year.configure(demo_year)
    demo_year.set_defaults(func=cli_demo_year.cmd_demo_year)

    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    for noisy in ("httpx", "httpcore", "aiohttp.access", "tortoise", "apscheduler"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    try:
        result = args.func(args)
        if asyncio.iscoroutine(result):
            result = asyncio.run(result)
        return int(result or 0)
    except CliError as exc:
        print(f"officebot: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
