"""Run the sandbox alone: ``python -m sandbox --port 8081 [--roster]``, then open the web chat.

Point a bot at it with base_url ``http://HOST:PORT/bot`` and base_file_url
``http://HOST:PORT/file/bot``. ``--roster`` adds the demo users and groups of ARCHITECTURE.md
(people and chats only; the bot's own demo seeding gives them roles).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
from pathlib import Path

from sandbox.server import Sandbox

DEFAULT_SPEC = Path(__file__).resolve().parents[2] / "shared/data/telegram-bot-api/api-10.0.json"
ROSTER_USERS = [
    (1001, "王管理", "wang_admin"),
    (1002, "李主任", "li_director"),
    (1003, "张秘书", "zhang_sec"),
    (1004, "刘工", "liu_eng"),
    (1005, "陈科长", "chen_head"),
]
ROSTER_GROUPS = [
    (-2001, "党政办工作群", [1001, 1002, 1003, 1004, 1005], [1001]),
    (-2002, "领导舆情群", [1001, 1002, 1003], [1001]),
]


def seed_roster(sb: Sandbox) -> None:
    for uid, name, username in ROSTER_USERS:
        sb.add_user(uid, name, username)
    for gid, title, members, admins in ROSTER_GROUPS:
        sb.add_chat(gid, "group", title, members, admins)


async def _serve(args: argparse.Namespace) -> None:
    spec = args.spec
    sb = Sandbox(spec, enforce_limits=not args.no_limits)
    sb.webhook_parallel = args.parallel_webhook
    if args.roster:
        seed_roster(sb)
    await sb.start(host=args.host, port=args.port)
    print(f"sandbox on {sb.base_url}  (web chat: {sb.base_url}/)", flush=True)
    print(f"bot base_url={sb.bot_api_base} base_file_url={sb.file_api_base}", flush=True)
    if spec is None:
        print("warning: no Bot API spec found, calls are not validated", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    await sb.stop()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m sandbox", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--spec", default=str(DEFAULT_SPEC), help="Bot API spec JSON")
    parser.add_argument("--no-limits", action="store_true", help="do not enforce flood limits")
    parser.add_argument("--parallel-webhook", action="store_true",
                        help="post webhook updates over max_connections at once, like Telegram")
    parser.add_argument("--roster", action="store_true", help="add the demo users and groups")
    args = parser.parse_args(argv)
    if not (args.spec and Path(args.spec).is_file()):
        args.spec = None
    asyncio.run(_serve(args))


if __name__ == "__main__":
    main()
