"""The sandbox driven by the real python-telegram-bot ``Bot`` client."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

import aiohttp
import pytest
from telegram import Bot, BotCommand, BotCommandScopeAllGroupChats, BotCommandScopeChat
from telegram import InlineKeyboardButton as Button
from telegram import InlineKeyboardMarkup as Markup
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from sandbox.client import SandboxClient, SandboxControlError
from sandbox.server import Sandbox

TOKEN = "123456:TEST-token"

USER = 1004

pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
GROUP = -2001


async def _started_user(client: SandboxClient, uid: int = USER) -> None:
    await client.add_user(uid, "刘工", "liu", started=True)


async def test_get_me(bot: Bot) -> None:
    me = await bot.get_me()
    assert me.id == 5550001
    assert me.username == "officebot_demo_bot"
    assert me.first_name == "办公助手"


async def test_send_edit_and_callback_round_trip(
    sandbox: Sandbox, client: SandboxClient, bot: Bot
) -> None:
    await _started_user(client)
    sent = await bot.send_message(
        USER,
        "<b>会议室</b> 预订 &amp; 确认",
        parse_mode="HTML",
        reply_markup=Markup([[Button("确认", callback_data="book:ok:7")]]),
    )
    assert sent.text == "会议室 预订 & 确认"
    assert sent.entities[0].type == "bold"

    edited = await bot.edit_message_text(
        "已确认",
        chat_id=USER,
        message_id=sent.message_id,
        reply_markup=Markup([[Button("撤销", callback_data="book:undo:7")]]),
    )
    assert edited.text == "已确认"
    view = await client.wait_for_bot_message(USER, contains="已确认")
    assert view["edited"] is True
    assert view["reply_markup"]["inline_keyboard"][0][0]["text"] == "撤销"

    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_text(
            "已确认",
            chat_id=USER,
            message_id=sent.message_id,
            reply_markup=Markup([[Button("撤销", callback_data="book:undo:7")]]),
        )
    with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
        await bot.edit_message_text("x", chat_id=USER, message_id=999)

    async def answer_next() -> None:
        updates = await bot.get_updates(timeout=2)
        query = updates[-1].callback_query
        assert query is not None
        assert query.data == "book:undo:7"
        assert query.message is not None and query.message.message_id == sent.message_id
        await bot.answer_callback_query(query.id, text="已撤销")
        await bot.get_updates(offset=updates[-1].update_id + 1, timeout=0)

    answering = asyncio.create_task(answer_next())
    result = await client.press(USER, USER, sent.message_id, button="撤销")
    await answering
    assert result["answer"] == "已撤销"

    with pytest.raises(SandboxControlError):
        await client.press(USER, USER, sent.message_id, button="不存在")

    assert await bot.delete_message(USER, sent.message_id)
    assert [m for m in await client.messages(USER) if m["message_id"] == sent.message_id] == []
    # the refused edit above was deliberate: count only the calls the test did not expect
    unexpected = [c for c in sandbox.failed_calls() if c["error_code"] != 400]
    assert unexpected == []


async def test_get_updates_offset_semantics(client: SandboxClient, bot: Bot) -> None:
    await _started_user(client)
    ids = [(await client.send_message(USER, USER, f"m{i}"))["update_id"] for i in range(4)]
    updates = await bot.get_updates(timeout=0)
    assert [u.update_id for u in updates] == ids
    # without an offset nothing is confirmed
    assert [u.update_id for u in await bot.get_updates(timeout=0)] == ids
    # offset confirms every update with a smaller id
    updates = await bot.get_updates(offset=ids[2], timeout=0)
    assert [u.update_id for u in updates] == ids[2:]
    assert [u.message.text for u in updates] == ["m2", "m3"]
    # limit
    assert [u.update_id for u in await bot.get_updates(limit=1, timeout=0)] == [ids[2]]
    # negative offset: the last update only, the earlier ones are forgotten
    assert [u.update_id for u in await bot.get_updates(offset=-1, timeout=0)] == [ids[3]]
    assert [u.update_id for u in await bot.get_updates(timeout=0)] == [ids[3]]
    assert await bot.get_updates(offset=ids[3] + 1, timeout=0) == ()

    # a long poll returns as soon as an update arrives
    async def later() -> None:
        await asyncio.sleep(0.2)
        await client.send_message(USER, USER, "late")

    task = asyncio.create_task(later())
    t0 = time.monotonic()
    updates = await bot.get_updates(offset=ids[3] + 1, timeout=3)
    await task
    assert time.monotonic() - t0 < 2
    assert updates[0].message.text == "late"


async def test_allowed_updates(client: SandboxClient, bot: Bot) -> None:
    await _started_user(client)
    await client.send_message(USER, USER, "hello")
    updates = await bot.get_updates(timeout=0, allowed_updates=["callback_query"])
    assert updates == ()


async def test_forbidden_until_user_starts(
    sandbox: Sandbox, client: SandboxClient, bot: Bot
) -> None:
    await client.add_user(USER, "刘工")
    with pytest.raises(Forbidden, match=r"(?i)can't initiate conversation"):
        await bot.send_message(USER, "你好")
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await bot.send_message(4242, "你好")
    await client.send_message(USER, USER, "/start")
    msg = await bot.send_message(USER, "欢迎")
    assert msg.chat.id == USER
    assert (await client.wait_for_bot_message(USER))["text"] == "欢迎"
    assert [c["error_code"] for c in sandbox.failed_calls()] == [403, 400]


async def test_validation_errors(sandbox: Sandbox, client: SandboxClient, bot: Bot) -> None:
    await _started_user(client)
    assert (await bot.send_message(USER, "字" * 4096)).text == "字" * 4096
    with pytest.raises(BadRequest, match=r"(?i)message is too long"):
        await bot.send_message(USER, "字" * 4097)
    # the limit counts characters after entity parsing
    await bot.send_message(USER, "<b>" + "a" * 4096 + "</b>", parse_mode="HTML")
    with pytest.raises(BadRequest, match=r"(?i)BUTTON_DATA_INVALID"):
        await bot.send_message(
            USER, "x", reply_markup=Markup([[Button("b", callback_data="汉" * 21 + "xx")]])
        )
    await bot.send_message(
        USER, "x", reply_markup=Markup([[Button("b", callback_data="汉" * 21)]])
    )
    with pytest.raises(BadRequest, match=r"(?i)can't parse entities: unsupported start tag"):
        await bot.send_message(USER, "<div>x</div>", parse_mode="HTML")
    with pytest.raises(BadRequest, match=r"(?i)can't find end tag"):
        await bot.send_message(USER, "<b>x", parse_mode="HTML")
    with pytest.raises(BadRequest, match=r'(?i)unknown parameter "colour"'):
        await bot.send_message(USER, "x", api_kwargs={"colour": "red"})
    with pytest.raises(BadRequest, match=r"(?i)message caption is too long"):
        await bot.send_document(USER, b"x", filename="a.txt", caption="c" * 1025)
    with pytest.raises(BadRequest, match=r"(?i)message text is empty"):
        await bot.send_message(USER, "   ")
    with pytest.raises(BadRequest, match=r'(?i)"message_id" must be an integer'):
        await bot.delete_message(USER, "abc")  # type: ignore[arg-type]
    failed = sandbox.failed_calls()
    assert len(failed) == 8
    assert all(c["ok"] is False and c["error_code"] == 400 for c in failed)


async def test_raw_json_and_query_parameters(sandbox: Sandbox, client: SandboxClient) -> None:
    await _started_user(client)
    url = f"{sandbox.bot_api_base}{TOKEN}"
    async with aiohttp.ClientSession() as http:
        async with http.post(f"{url}/sendMessage", json={"chat_id": USER, "text": "json"}) as r:
            assert (await r.json())["result"]["text"] == "json"
        async with http.get(f"{url}/sendMessage", params={"chat_id": USER, "text": "q"}) as r:
            assert (await r.json())["result"]["text"] == "q"
        async with http.post(f"{url}/sendMessage", json={"chat_id": USER}) as r:
            body = await r.json()
            assert r.status == 400
            assert body == {
                "ok": False,
                "error_code": 400,
                "description": "Bad Request: message text is empty",
            }
        async with http.post(f"{url}/sendPoll", json={"chat_id": USER}) as r:
            assert r.status == 501
            assert (await r.json())["ok"] is False
        async with http.post(f"{url}/frobnicate") as r:
            assert r.status == 404
            assert (await r.json())["description"] == "Not Found"


async def test_unimplemented_method_is_501(
    sandbox: Sandbox, client: SandboxClient, bot: Bot
) -> None:
    await _started_user(client)
    with pytest.raises(Exception) as info:
        await bot.send_poll(USER, "?", ["a", "b"])
    assert "Not Implemented" in str(info.value)
    assert sandbox.failed_calls()[-1]["error_code"] == 501


async def test_private_chat_burst_is_rate_limited(client: SandboxClient, bot: Bot) -> None:
    await _started_user(client)
    for i in range(3):  # Telegram tolerates a short burst
        await bot.send_message(USER, f"burst {i}")
    with pytest.raises(RetryAfter) as info:
        await bot.send_message(USER, "one too many")
    assert info.value.retry_after in (1, 2) or info.value.retry_after.total_seconds() >= 1
    # edits and callback answers are not counted
    await bot.edit_message_text("edited", chat_id=USER, message_id=1)


async def test_group_limit_20_per_minute(client: SandboxClient, bot: Bot) -> None:
    await _started_user(client)
    await client.add_chat(GROUP, "group", "党政办工作群", members=[USER])
    for i in range(20):
        await bot.send_message(GROUP, f"通知 {i}")
    with pytest.raises(RetryAfter) as info:
        await bot.send_message(GROUP, "第二十一条")
    seconds = info.value.retry_after
    seconds = seconds if isinstance(seconds, int) else int(seconds.total_seconds())
    assert 1 <= seconds <= 3
    # another chat is not affected by the group's bucket
    await bot.send_message(USER, "私聊")


async def test_limits_can_be_disabled(spec_path: object, bot_factory: Callable[..., Bot]) -> None:
    sb = Sandbox(spec_path, enforce_limits=False)  # type: ignore[arg-type]
    await sb.start()
    bot = bot_factory(sb)
    try:
        sb.add_user(USER, "刘工", started=True)
        for i in range(10):
            await bot.send_message(USER, f"{i}")
        assert sb.failed_calls() == []
    finally:
        await bot.shutdown()
        await sb.stop()


async def test_global_limit_and_reset(sandbox: Sandbox, client: SandboxClient, bot: Bot) -> None:
    sandbox.limits.global_capacity = 5
    sandbox.limits.global_rate = 5
    for uid in range(2001, 2007):
        await _started_user(client, uid)
    for uid in range(2001, 2006):
        await bot.send_message(uid, "x")
    with pytest.raises(RetryAfter):
        await bot.send_message(2006, "x")
    await client.reset_limits()
    await bot.send_message(2006, "x")


@pytest.mark.parametrize(
    ("mode", "exc"),
    [("429", RetryAfter), ("500", NetworkError), ("403", Forbidden)],
)
async def test_fault_injection(
    sandbox: Sandbox, client: SandboxClient, bot: Bot, mode: str, exc: type[Exception]
) -> None:
    await _started_user(client)
    await client.fault("sendMessage", mode, count=2, retry_after=3)
    for _ in range(2):
        with pytest.raises(exc) as info:
            await bot.send_message(USER, "x")
    if mode == "429":
        assert isinstance(info.value, RetryAfter)
        retry = info.value.retry_after
        assert (retry if isinstance(retry, int) else retry.total_seconds()) == 3
    await bot.send_message(USER, "now it works")
    calls = [c for c in await client.calls() if c["method"] == "sendMessage"]
    assert [c["ok"] for c in calls] == [False, False, True]
    # injected faults are not the bot's mistakes
    assert sandbox.failed_calls() == []


async def test_fault_timeout(
    sandbox: Sandbox, client: SandboxClient, bot_factory: Callable[..., Bot]
) -> None:
    await _started_user(client)
    await client.fault("sendMessage", "timeout", hold=3)
    bot = bot_factory(sandbox, read_timeout=0.5)
    try:
        t0 = time.monotonic()
        with pytest.raises(TimedOut):
            await bot.send_message(USER, "slow")
        assert time.monotonic() - t0 < 2
        assert (await bot.send_message(USER, "fast")).text == "fast"
    finally:
        await bot.shutdown()
    # the message held by the timeout was not delivered
    assert [m["text"] for m in await client.messages(USER)] == ["fast"]


async def test_documents_and_files(client: SandboxClient, bot: Bot) -> None:
    await _started_user(client)
    up = await client.send_document(USER, USER, "报表.xlsx", b"PK\x03\x04data", caption="请审阅")
    updates = await bot.get_updates(timeout=0)
    doc = updates[-1].message.document
    assert doc.file_name == "报表.xlsx"
    assert updates[-1].message.caption == "请审阅"
    assert updates[-1].message.message_id == up["message_id"]
    tg_file = await bot.get_file(doc.file_id)
    assert bytes(await tg_file.download_as_bytearray()) == b"PK\x03\x04data"

    sent = await bot.send_document(USER, b"a,b\n1,2\n", filename="stock.csv", caption="库存")
    assert sent.document.file_name == "stock.csv"
    assert await client.file_bytes(sent.document.file_id) == b"a,b\n1,2\n"
    # a file id can be sent again
    again = await bot.send_document(USER, sent.document.file_id)
    assert again.document.file_id == sent.document.file_id
    view = await client.wait_for_bot_message(USER, after=sent.message_id)
    assert view["document"]["file_name"] == "stock.csv"


async def test_commands_scopes(client: SandboxClient, bot: Bot) -> None:
    await _started_user(client)
    await client.add_user(1001, "王管理", started=True)
    await client.add_chat(GROUP, "group", "党政办工作群", members=[USER, 1001])
    await bot.set_my_commands([BotCommand("help", "帮助")])
    await bot.set_my_commands([BotCommand("help", "help")], language_code="en")
    await bot.set_my_commands([BotCommand("daily", "日报")], scope=BotCommandScopeAllGroupChats())
    await bot.set_my_commands([BotCommand("staff", "人员")], scope=BotCommandScopeChat(1001))
    assert [c["command"] for c in await client.commands(USER)] == ["help"]
    assert [c["description"] for c in await client.commands(USER, language_code="en")] == ["help"]
    assert [c["command"] for c in await client.commands(1001)] == ["staff"]
    assert [c["command"] for c in await client.commands(GROUP, USER)] == ["daily"]
    assert (await bot.get_my_commands(scope=BotCommandScopeAllGroupChats()))[0].command == "daily"
    await bot.delete_my_commands(scope=BotCommandScopeAllGroupChats())
    assert [c["command"] for c in await client.commands(GROUP, USER)] == ["help"]


async def test_group_messages_and_bot_command_entity(client: SandboxClient, bot: Bot) -> None:
    await _started_user(client)
    await client.add_chat(GROUP, "supergroup", "党政办工作群", members=[USER])
    await client.send_message(GROUP, USER, "/daily@officebot_demo_bot 今天")
    update = (await bot.get_updates(timeout=0))[-1]
    assert update.message.chat.type == "supergroup"
    entity = update.message.entities[0]
    assert (entity.type, entity.offset, entity.length) == ("bot_command", 0, 25)
    member = await bot.get_chat_member(GROUP, USER)
    assert member.status == "member"
    with pytest.raises(SandboxControlError):
        await client.send_message(GROUP, 9999, "who am I")


async def test_concurrent_get_updates_conflict(client: SandboxClient, bot: Bot) -> None:
    from telegram.error import Conflict

    first = asyncio.create_task(bot.get_updates(timeout=3))
    await asyncio.sleep(0.2)
    second = asyncio.create_task(bot.get_updates(timeout=0))
    with pytest.raises(Conflict):
        await first
    assert await second == ()


async def test_stop_wakes_pending_long_poll(
    spec_path: object, bot_factory: Callable[..., Bot]
) -> None:
    sb = Sandbox(spec_path)  # type: ignore[arg-type]
    await sb.start()
    bot = bot_factory(sb, read_timeout=30)
    await bot.initialize()
    poll = asyncio.create_task(bot.get_updates(timeout=20))
    await asyncio.sleep(0.3)
    t0 = time.monotonic()
    await sb.stop()
    result = await asyncio.wait_for(poll, 2)
    assert time.monotonic() - t0 < 1.0
    assert result == ()
    await bot.shutdown()


async def test_a_chats_long_poll_wakes_for_that_chat_alone(
    spec_path: object, bot_factory: Callable[..., Bot]
) -> None:
    """A test's wait for the bot's answer in one chat is not woken by every other chat's
    message (a burst of N chats would cost the sandbox N² wake-ups), and stop still wakes it."""
    sb = Sandbox(spec_path)  # type: ignore[arg-type]
    await sb.start()
    bot = bot_factory(sb)
    await bot.initialize()
    other = USER + 1
    try:
        async with SandboxClient(sb.base_url) as client:
            await _started_user(client)
            await _started_user(client, other)
            waiting = asyncio.create_task(client.messages(USER, wait=20))
            state = asyncio.create_task(client._request(  # the web chat's long poll
                "GET", "/sandbox/chat-state", http_timeout=30,
                params={"chat_id": USER, "version": sb.chats[USER].version, "wait": 20}))
            await asyncio.sleep(0.2)
            mine = sb.chats[USER].changed.snapshot()
            theirs = sb.chats[other].changed.snapshot()
            await bot.send_message(other, "给别人的消息")
            assert theirs.is_set()
            assert not mine.is_set(), "another chat's message woke this chat's long poll"
            assert not waiting.done() and not state.done()
            await bot.send_message(USER, "给我的消息")
            got = await asyncio.wait_for(waiting, 2)
            assert [m["text"] for m in got] == ["给我的消息"]
            assert [m["text"] for m in (await asyncio.wait_for(state, 2))["messages"]] == \
                ["给我的消息"]
            still = asyncio.create_task(client.messages(USER, after=got[0]["message_id"],
                                                        wait=20))
            await asyncio.sleep(0.2)
            t0 = time.monotonic()
            await sb.stop()
            assert await asyncio.wait_for(still, 2) == []
            assert time.monotonic() - t0 < 1.0
    finally:
        await bot.shutdown()
        await sb.stop()
