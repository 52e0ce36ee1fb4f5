"""`officebot opinion terms|sources`: manage watch terms and feeds from the terminal."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from handlers.texts import t
from services.errors import DomainError


def configure_terms(parser: argparse.ArgumentParser) -> None:
    """Add the `terms` sub-commands: list, add KIND WORD..., remove WORD [--kind KIND]."""
    sub = parser.add_subparsers(dest="terms_command", required=True)
    sub.add_parser("list", help="list the watch terms by kind")
    add = sub.add_parser("add", help="add words of one kind")
    add.add_argument("kind", help="name, company, include or exclude (名称/企业/关注/排除)")
    add.add_argument("words", nargs="+")
    remove = sub.add_parser("remove", help="remove a word")
    remove.add_argument("word")
    remove.add_argument("--kind", default=None)


def configure_sources(parser: argparse.ArgumentParser) -> None:
    """Add the `sources` sub-commands: list, add, remove, enable, disable, poll."""
    sub = parser.add_subparsers(dest="sources_command", required=True)
    sub.add_parser("list", help="list the sources with their state")
    add = sub.add_parser("add", help="add an RSS/Atom feed")
    add.add_argument("name")
    add.add_argument("url")
    add.add_argument("--interval", type=int, default=None, help="minutes between polls")
    add.add_argument("--timeout", type=float, default=None, help="seconds before giving up")
    for name in ("remove", "enable", "disable"):
        sub.add_parser(name, help=f"{name} a source").add_argument("name")
    sub.add_parser("poll", help="poll every enabled feed now")


async def _run(args: argparse.Namespace, work: Any) -> int:
    from bot.cli import _open_database, _settings
    from bot.db import close_db
    from handlers.opinion import configure_from

    settings = _settings()
    configure_from(settings)
    await _open_database(settings)
    try:
        await work(args)
        return 0
    except DomainError as error:
        print(f"officebot: {t(error.code, 'zh_CN', **error.params)}", file=sys.stderr)
        return 2
    finally:
        await close_db()


async def cmd_terms(args: argparse.Namespace) -> int:
    """Run an `officebot opinion terms` sub-command."""
    return await _run(args, _terms)


async def _terms(args: argparse.Namespace) -> None:
    from services.opinion import terms

    if args.terms_command == "add":
        added, existing = await terms.add_terms(None, terms.parse_kind(args.kind), args.words)
        print(f"added: {', '.join(added) or '-'}; already there: {', '.join(existing) or '-'}")
    elif args.terms_command == "remove":
        kind = terms.parse_kind(args.kind) if args.kind else None
        await terms.remove_term(None, args.word, kind)
        print(f"removed: {args.word}")
    else:
        for kind, words in (await terms.list_terms()).items():
            print(f"{kind.value}: {', '.join(words) or '-'}")


async def cmd_sources(args: argparse.Namespace) -> int:
    """Run an `officebot opinion sources` sub-command."""
    return await _run(args, _sources)


async def _sources(args: argparse.Namespace) -> None:
    from bot.web_opinion import AiohttpFetcher
    from services import clock
    from services.opinion import sources

    command = args.sources_command
    if command == "add":
        source = await sources.add_source(args.name, args.url, interval_minutes=args.interval,
                                          timeout_seconds=args.timeout)
        print(f"added {source.name}: {source.url} every {source.interval_minutes} min")
    elif command == "remove":
        await sources.remove_source(args.name)
        print(f"removed {args.name}")
    elif command in ("enable", "disable"):
        await sources.set_enabled(args.name, command == "enable")
        print(f"{command}d {args.name}")
    elif command == "poll":
        for source in await sources.list_sources():
            if source.enabled and source.url:
                result = await sources.poll_source(source.id, AiohttpFetcher(), clock.now())
                state = f"HTTP {result.status}, {result.new_items} new" if result.ok \
                    else f"failed: {result.error}"
                print(f"{source.name}: {state}")
    else:
        for source in await sources.list_sources():
            state = "disabled" if not source.enabled else (
                f"failing x{source.failures}: {source.last_error}" if source.failures else "ok")
            print(f"{source.name}\t{source.kind.value}\t{source.url or '-'}\t"
                  f"every {source.interval_minutes} min\t{state}")
