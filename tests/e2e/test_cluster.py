"""Three replicas behind nginx on one PostgreSQL act as one bot (scripts/cluster's set-up).

PostgreSQL only (several processes on one SQLite file is not a supported deployment). Each test
talks to the real processes: the sandbox in this process delivers webhook updates in parallel
through nginx, or to the replica a test names.
"""

from __future__ import annotations

import asyncio
import copy
import time
from collections import Counter
from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio

from bot.cluster import Cluster, nginx_binary
from bot.db import close_db, open_db
from models.core import JobRun, OutboxMessage, OutboxStatus, ProcessedUpdate, Role, Staff
from models.rooms import Booking, BookingStatus
from sandbox.client import SandboxClient
from services import outbox
from services.rooms.demo import seed_demo
from tests.conftest import _truncate_postgres, using_postgres

pytestmark = [
    pytest.mark.skipif(not using_postgres(), reason="replicas share a PostgreSQL database"),
    pytest.mark.asyncio(loop_scope="module"),
]
PEOPLE = range(700001, 700013)


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def cluster(migrated_template: str) -> AsyncIterator[Cluster]:
    try:
        nginx_binary()
    except RuntimeError as exc:
        pytest.skip(str(exc))
    await open_db(migrated_template, apply_migrations=False)
    await _truncate_postgres()
    await seed_demo()
    for uid in PEOPLE:
        await Staff.create(tg_user_id=uid, name=f"职工{uid}", role=Role.STAFF)
    # Short ticks so that three schedulers compete for the same periods within the test.
    env = {"OFFICEBOT_SCHEDULER_TICK_SECONDS": "0.5"}
    async with Cluster(migrated_template, 3, env=env, enforce_limits=True) as running:
        async with SandboxClient(running.sandbox.base_url) as client:
            for uid in PEOPLE:
                await client.add_user(uid, f"u{uid}", started=True)
        try:
            yield running
        finally:
            await close_db()


@pytest_asyncio.fixture(loop_scope="module")
async def client(cluster: Cluster) -> AsyncIterator[SandboxClient]:
    cluster.route_to(None)
    async with SandboxClient(cluster.sandbox.base_url) as sandbox_client:
        yield sandbox_client


async def _bot_messages(client: SandboxClient, chat_id: int, after: int) -> list[Any]:
    return [m for m in await client.messages(chat_id, after=after) if m["from"]["is_bot"]]


async def test_update_delivered_again_to_another_replica_is_handled_once(
        cluster: Cluster, client: SandboxClient) -> None:
    uid = PEOPLE[0]
    cluster.route_to(0)
    sent = await client.send_message(uid, uid, "/help")
    await client.wait_for_bot_message(uid, after=sent["message_id"], timeout=10)
    update = _update_of(sent, uid, "/help")
    for _ in range(100):  # replica 0 answered Telegram (it records the update, then answers)
        if await ProcessedUpdate.filter(update_id=sent["update_id"]).exists():
            break
        await asyncio.sleep(0.05)
    # Telegram retrying after an answer it never got, to the other replicas.
    assert await cluster.post_update(1, copy.deepcopy(update)) == 200
    assert await cluster.post_update(2, copy.deepcopy(update)) == 200
    await asyncio.sleep(0.5)
    assert len(await _bot_messages(client, uid, sent["message_id"])) == 1
    assert await ProcessedUpdate.filter(update_id=sent["update_id"]).count() == 1


def _update_of(sent: dict[str, Any], uid: int, text: str) -> dict[str, Any]:
    """The update the sandbox delivered for a message (what Telegram would post again)."""
    user = {"id": uid, "is_bot": False, "first_name": f"u{uid}", "language_code": "zh-hans"}
    return {
        "update_id": sent["update_id"],
        "message": {
            "message_id": sent["message_id"], "date": 1_700_000_000,
            "chat": {"id": uid, "type": "private", "first_name": f"u{uid}"},
            "from": user, "text": text,
            "entities": [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}],
        },
    }


async def test_same_update_posted_to_two_replicas_at_once_is_handled_once(
        cluster: Cluster, client: SandboxClient) -> None:
    uid = PEOPLE[1]
    update = _update_of({"update_id": 880_000_001, "message_id": 1}, uid, "/help")
    answers = await asyncio.gather(cluster.post_update(0, copy.deepcopy(update)),
                                   cluster.post_update(1, copy.deepcopy(update)),
                                   cluster.post_update(2, copy.deepcopy(update)))
    assert answers == [200, 200, 200]
    await asyncio.sleep(0.5)
    assert len(await _bot_messages(client, uid, 0)) == 1


async def test_dialog_started_on_one_replica_is_finished_on_another(
        cluster: Cluster, client: SandboxClient) -> None:
    uid = PEOPLE[2]
    cluster.route_to(0)
    sent = await client.send_message(uid, uid, "/book 下周三 10:00-11:00 1号会议室 集群评审会")
    card = await client.wait_for_bot_message(uid, after=sent["message_id"], timeout=10,
                                             contains="集群评审会")
    cluster.route_to(2)
    # 确认预订, or 仍然预订（休息日） when next Wednesday is a holiday (the replicas' real clock)
    labels = [b["text"] for row in card["reply_markup"]["inline_keyboard"] for b in row]
    confirm = next(label for label in labels if "确认预订" in label or "仍然预订" in label)
    answer = await client.press(uid, uid, card["message_id"], button=confirm)
    assert "已预订" in (answer.get("answer") or "")
    booking = await Booking.get(title="集群评审会")
    assert booking.status == BookingStatus.CONFIRMED
    cluster.route_to(1)  # and the third replica knows it too
    sent = await client.send_message(uid, uid, "/mybookings")
    await client.wait_for_bot_message(uid, after=sent["message_id"], timeout=10,
                                      contains="集群评审会")


async def test_each_scheduled_period_runs_once_though_three_replicas_tick(
        cluster: Cluster) -> None:
    await asyncio.sleep(3)  # six ticks of each replica
    runs = await JobRun.all().values_list("job", "period", "owner")
    assert runs, "no replica ran any job"
    per_period = Counter((job, period) for job, period, _ in runs)
    assert max(per_period.values()) == 1
    failed = await JobRun.filter(status="failed").values_list("job", "detail")
    assert not failed
    for index in range(3):
        log = (cluster.workdir / f"replica-{index}.log").read_text(errors="replace")
        assert "Traceback" not in log, log[-3000:]


async def test_every_outbox_row_is_sent_once_by_three_replicas(
        cluster: Cluster, client: SandboxClient) -> None:
    chats = list(PEOPLE[3:])
    before = len(cluster.sandbox.calls())
    for i in range(45):
        await outbox.emit("core.text", chats[i % len(chats)], {"text": f"集群通知 {i}"},
                          f"cluster-test:{i}")
    busy = [OutboxStatus.PENDING, OutboxStatus.SENDING]
    for _ in range(300):
        if not await OutboxMessage.filter(dedup_key__startswith="cluster-test:",
                                          status__in=busy).exists():
            break
        await asyncio.sleep(0.1)
    rows = await OutboxMessage.filter(dedup_key__startswith="cluster-test:")
    assert {r.status for r in rows} == {OutboxStatus.SENT}
    sent = Counter(c["params"].get("text") for c in cluster.sandbox.calls(before)
                   if c["method"] == "sendMessage" and c["ok"]
                   and str(c["params"].get("text", "")).startswith("集群通知"))
    assert sent == Counter({f"集群通知 {i}": 1 for i in range(45)})


FLURRY = range(710001, 710061)


async def test_kill_9_of_a_replica_mid_flurry_loses_nothing_and_repeats_at_most_its_sends(
        cluster: Cluster, client: SandboxClient) -> None:
    """200 approval cards (with buttons) and 100 alerts; one replica is killed with SIGKILL
    while they go out. Every message arrives; a message is sent twice only if the killed
    replica had already handed it to Telegram and died before recording it (at most one per
    send it had in flight), and the others take its leased rows over within seconds."""
    for uid in FLURRY:
        await Staff.create(tg_user_id=uid, name=f"职工{uid}", role=Role.STAFF)
        await client.add_user(uid, f"u{uid}", started=True)
    chats = list(FLURRY)
    before = len(cluster.sandbox.calls())
    keyboard = {"inline_keyboard": [[{"text": "同意", "callback_data": "ap:ok:1"},
                                     {"text": "驳回", "callback_data": "ap:no:1"}]]}
    for i in range(200):
        await outbox.emit("core.reply", chats[i % len(chats)],
                          {"html": f"待审批 {i}", "markup": keyboard}, f"flurry-card:{i}")
    for i in range(100):
        await outbox.emit("core.text", chats[(i * 7) % len(chats)], {"text": f"舆情提醒 {i}"},
                          f"flurry-alert:{i}")

    def delivered() -> Counter[str]:
        return Counter(str(c["params"].get("text")) for c in cluster.sandbox.calls(before)
                       if c["method"] == "sendMessage" and c["ok"]
                       and str(c["params"].get("text", "")).startswith(("待审批", "舆情提醒")))

    for _ in range(300):  # kill once about a sixth is out
        if sum(delivered().values()) >= 50:
            break
        await asyncio.sleep(0.05)
    held = await OutboxMessage.filter(status=OutboxStatus.SENDING,
                                      owner__startswith=_owner_prefix(cluster, 0)).count()
    at_kill = sum(delivered().values())
    cluster.kill(0)
    killed_at = time.monotonic()
    busy = [OutboxStatus.PENDING, OutboxStatus.SENDING]
    while await OutboxMessage.filter(dedup_key__startswith="flurry-", status__in=busy).exists():
        assert time.monotonic() - killed_at < 90, "the killed replica's rows were not taken over"
        await asyncio.sleep(0.2)
    finished = time.monotonic() - killed_at
    sent = delivered()
    expected = {f"待审批 {i}" for i in range(200)} | {f"舆情提醒 {i}" for i in range(100)}
    assert set(sent) == expected  # nothing lost
    twice = sum(n - 1 for n in sent.values())
    print(f"\nflurry: 300 messages, replica 0 killed after {at_kill} were sent, "
          f"holding {held} leased rows; all delivered {finished:.1f} s after the kill; "
          f"sent twice: {twice}")
    assert twice <= 8  # at most one per send in flight (outbox_max_in_flight) when killed
    # Telegram's limits held across the replicas (the sandbox enforces them): not one 429.
    assert not [c for c in cluster.sandbox.calls(before) if c.get("error_code") == 429]
    rows = await OutboxMessage.filter(dedup_key__startswith="flurry-")
    assert len(rows) == 300 and {r.status for r in rows} == {OutboxStatus.SENT}
    await cluster.start_replica(0)


def _owner_prefix(cluster: Cluster, index: int) -> str:
    """Outbox owners are host:pid:…, so a replica's rows are found by its pid."""
    import socket

    return f"{socket.gethostname()[:24]}:{cluster.pid(index)}:"
