"""Several replicas on one PostgreSQL, on this machine: the sandbox, nginx and N `officebot run`.

`scripts/cluster` runs it until Ctrl+C; tests (tests/e2e/test_cluster.py) and
bench/bench_cluster.py drive it from Python. The sandbox runs in the calling process (so a test
can read every Bot API call), delivering webhook updates in parallel like Telegram; nginx
spreads /telegram and the web routes over the replicas with deploy/nginx's own location rules;
each replica is a real `officebot run` process in webhook mode.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp

from sandbox.server import Sandbox

ROOT = Path(__file__).resolve().parents[1]
LOCATIONS = ROOT / "deploy" / "nginx" / "officebot-locations.conf"
SPEC = ROOT.parent / "shared" / "data" / "telegram-bot-api" / "api-10.0.json"
TOKEN = "123456:CLUSTER-token"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def nginx_binary() -> str:
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists()
                                      else None)
    if found is None:
        raise RuntimeError("nginx is not installed (apt-get install nginx)")
    return found


def nginx_config(prefix: Path, port: int, upstreams: list[int]) -> str:
    """A whole nginx.conf for an unprivileged run in `prefix`, with deploy/'s locations."""
    servers = "\n".join(f"        server 127.0.0.1:{p} max_fails=1 fail_timeout=2s;"
                        for p in upstreams)
    return f"""
daemon off;
worker_processes 1;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {prefix}/body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
    upstream officebot {{
        least_conn;
{servers}
        keepalive 32;
    }}
    server {{
        listen 127.0.0.1:{port};
        include {LOCATIONS};
    }}
}}
"""


class Cluster:
    """The sandbox, nginx and `replicas` bot processes on one database, started and stopped."""

    def __init__(self, database_url: str, replicas: int = 3, *, workdir: Path | None = None,
                 enforce_limits: bool = True, env: dict[str, str] | None = None,
                 port: int | None = None) -> None:
        self.database_url = database_url
        self.count = replicas
        self.enforce_limits = enforce_limits
        self.extra_env = env or {}
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        if workdir is None:
            self._tmp = tempfile.TemporaryDirectory(prefix="officebot-cluster-")
            workdir = Path(self._tmp.name)
        self.workdir = workdir
        self.secret = secrets.token_urlsafe(24)
        self.nginx_port = port or free_port()
        self.ports = [free_port() for _ in range(replicas)]
        self.sandbox = Sandbox(SPEC if SPEC.exists() else None, enforce_limits=enforce_limits)
        self.sandbox.webhook_parallel = True
        self.processes: list[subprocess.Popen[bytes] | None] = [None] * replicas
        self.nginx: subprocess.Popen[bytes] | None = None
        #: Seconds from each replica's start to its first setWebhook, in start order.
        self.start_seconds: list[float] = []

    @property
    def url(self) -> str:
        """Where nginx listens (the webhook is {url}/telegram)."""
        return f"http://127.0.0.1:{self.nginx_port}"

    def replica_url(self, index: int) -> str:
        return f"http://127.0.0.1:{self.ports[index]}"

    def env(self, index: int) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("OFFICEBOT_")}
        env.update({
            "OFFICEBOT_TOKEN": TOKEN,
            "OFFICEBOT_DATABASE_URL": self.database_url,
            "OFFICEBOT_BOT_API_URL": self.sandbox.bot_api_base,
            "OFFICEBOT_BOT_FILE_URL": self.sandbox.file_api_base,
            "OFFICEBOT_WEBHOOK_URL": f"{self.url}/telegram",
            "OFFICEBOT_WEBHOOK_SECRET": self.secret,
            "OFFICEBOT_WEB_HOST": "127.0.0.1",
            "OFFICEBOT_WEB_PORT": str(self.ports[index]),
            "OFFICEBOT_DATA_DIR": str(self.workdir / "data"),
            "PYTHONUNBUFFERED": "1",
            "PTB_TIMEDELTA": "1",
        })
        env.update(self.extra_env)
        return env

    async def start(self) -> None:
        await self.sandbox.start()
        (self.workdir / "data").mkdir(parents=True, exist_ok=True)
        await self._migrate()
        await self._start_nginx()
        for index in range(self.count):
            await self.start_replica(index)

    async def _migrate(self) -> None:
        """Migrate once before the replicas (each would otherwise wait its turn for the lock)."""
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "migrate", env=self.env(0), cwd=self.workdir,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
        out, _ = await proc.communicate()
        if proc.returncode != 0:
            raise RuntimeError(f"migrate failed: {out.decode(errors='replace')}")

    async def _start_nginx(self) -> None:
        prefix = self.workdir / "nginx"
        prefix.mkdir(parents=True, exist_ok=True)
        conf = prefix / "nginx.conf"
        conf.write_text(nginx_config(prefix, self.nginx_port, self.ports))
        # Popen returns at once; the process is watched through its port, not waited on.
        self.nginx = subprocess.Popen(  # noqa: ASYNC220
            [nginx_binary(), "-p", str(prefix), "-c", str(conf)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        await self._wait_port(self.nginx_port, "nginx", self.nginx)

    async def start_replica(self, index: int) -> None:
        """Start (or restart) replica `index` and wait until it is ready."""
        log = (self.workdir / f"replica-{index}.log").open("ab")
        calls_before = len(self.sandbox.calls())
        t0 = time.perf_counter()
        proc = subprocess.Popen(  # noqa: ASYNC220 (returns at once; kill() needs a Popen)
            [sys.executable, "-m", "bot", "run"], env=self.env(index), cwd=self.workdir,
            stdout=log, stderr=subprocess.STDOUT)
        self.processes[index] = proc
        await self._wait_port(self.ports[index], f"replica {index}", proc)
        while not any(c["method"] == "setWebhook"  # noqa: ASYNC110 (polls the sandbox's log)
                      for c in self.sandbox.calls(calls_before)):
            await asyncio.sleep(0.02)
        self.start_seconds.append(time.perf_counter() - t0)
        await self._wait_ready(index)

    async def _wait_port(self, port: int, what: str, proc: subprocess.Popen[bytes],
                         timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(f"{what} exited with {proc.returncode}; see {self.workdir}")
            with contextlib.suppress(OSError):
                _, writer = await asyncio.open_connection("127.0.0.1", port)
                writer.close()
                return
            await asyncio.sleep(0.05)
        raise RuntimeError(f"{what} did not listen on {port} in {timeout} s")

    async def _wait_ready(self, index: int, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        async with aiohttp.ClientSession() as session:
            while time.monotonic() < deadline:
                with contextlib.suppress(aiohttp.ClientError):
                    async with session.get(f"{self.replica_url(index)}/readyz") as resp:
                        if resp.status == 200:
                            return
                await asyncio.sleep(0.05)
        raise RuntimeError(f"replica {index} was not ready in {timeout} s")

    def pid(self, index: int) -> int:
        proc = self.processes[index]
        assert proc is not None
        return proc.pid

    def kill(self, index: int, sig: int = signal.SIGKILL) -> None:
        """Stop a replica the hard way (SIGKILL) or politely (SIGTERM); nginx routes around it."""
        proc = self.processes[index]
        if proc is not None and proc.poll() is None:
            proc.send_signal(sig)
            proc.wait(timeout=30)
        self.processes[index] = None

    def route_to(self, index: int | None) -> None:
        """Send the next webhook updates to one replica only (None: through nginx again), so a
        test can choose which replica takes which step of a dialog."""
        hook = self.sandbox._webhook
        assert hook is not None, "no replica has set the webhook"
        hook["url"] = f"{self.url if index is None else self.replica_url(index)}/telegram"

    async def post_update(self, index: int, update: dict[str, Any]) -> int:
        """Post an update straight to one replica, as Telegram would (a redelivery)."""
        headers = {"X-Telegram-Bot-Api-Secret-Token": self.secret}
        async with aiohttp.ClientSession() as session, session.post(
                f"{self.replica_url(index)}/telegram", json=update, headers=headers) as resp:
            await resp.read()
            return resp.status

    async def stop(self) -> None:
        for proc in self.processes:
            if proc is not None and proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for index, proc in enumerate(self.processes):
            if proc is None:
                continue
            try:
                await asyncio.to_thread(proc.wait, 20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            self.processes[index] = None
        if self.nginx is not None and self.nginx.poll() is None:
            self.nginx.send_signal(signal.SIGQUIT)
            try:
                await asyncio.to_thread(self.nginx.wait, 10)
            except subprocess.TimeoutExpired:
                self.nginx.kill()
        await self.sandbox.stop()
        if self._tmp is not None:
            self._tmp.cleanup()

    async def __aenter__(self) -> Cluster:
        try:
            await self.start()
        except BaseException:
            await self.stop()
            raise
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.stop()


async def _serve(args: argparse.Namespace) -> None:
    from bot.db import close_db, open_db
    from bot.demo import seed_database, seed_sandbox
    from sandbox.client import SandboxClient

    workdir = Path(args.workdir) if args.workdir else None
    cluster = Cluster(args.database, args.replicas, workdir=workdir, port=args.port,
                      enforce_limits=not args.no_limits)
    async with cluster:
        if args.demo:
            await open_db(args.database)
            await seed_database()
            await close_db()
            async with SandboxClient(cluster.sandbox.base_url) as client:
                await seed_sandbox(client)
        print(f"sandbox (Bot API and web chat): {cluster.sandbox.base_url}/", flush=True)
        print(f"nginx: {cluster.url}  (webhook {cluster.url}/telegram)", flush=True)
        for index, port in enumerate(cluster.ports):
            print(f"replica {index}: http://127.0.0.1:{port}  pid {cluster.pid(index)}  "
                  f"log {cluster.workdir}/replica-{index}.log", flush=True)
        print("start to setWebhook: " + ", ".join(f"{s:.2f} s" for s in cluster.start_seconds)
              + ". Ctrl+C stops everything.", flush=True)
        done = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, done.set)
        await done.wait()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="scripts/cluster", description=__doc__)
    parser.add_argument("--database", default=os.environ.get(
        "OFFICEBOT_CLUSTER_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/officebot_cluster"),
        help="PostgreSQL URL shared by every replica (the database must exist)")
    parser.add_argument("--replicas", type=int, default=3)
    parser.add_argument("--port", type=int, default=None, help="nginx port (default: any free)")
    parser.add_argument("--workdir", default=None, help="logs, nginx config, data (default: tmp)")
    parser.add_argument("--demo", action="store_true", help="seed the demo roster and data")
    parser.add_argument("--no-limits", action="store_true", help="sandbox without flood limits")
    args = parser.parse_args(argv)
    asyncio.run(_serve(args))


if __name__ == "__main__":
    main()
