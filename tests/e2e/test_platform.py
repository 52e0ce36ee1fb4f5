"""The platform end to end: joining, roles, help, groups, languages, errors."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CommandHandler, ContextTypes

from models.core import BoundChat, ChatPurpose, Invite, OutboxMessage, Role, Staff
from services import staff as staff_service
from tests.e2e.conftest import Env


async def test_invite_then_start_with_token_registers_with_the_role(env: Env) -> None:
    admin = await env.person(1001, "王管理", Role.ADMIN, "党政办")
    await env.person(1004, "刘工", role=None)
    reply = await env.say(1001, "/invite staff 规划建设局 1", contains="t.me")
    link = next(w for w in reply["text"].split() if w.startswith("https://t.me/"))
    assert link.startswith("https://t.me/officebot_demo_bot?start=")
    token = link.split("start=")[1]
    assert (await Invite.get(token=token)).created_by_id == admin.id  # type: ignore[union-attr]

    welcome = await env.say(1004, f"/start {token}")
    assert "欢迎加入" in welcome["text"] and "规划建设局" in welcome["text"]
    staff = await Staff.get(tg_user_id=1004)
    assert (staff.role, staff.department, staff.invited_by_id) == (  # type: ignore[attr-defined]
        Role.STAFF, "规划建设局", admin.id,  # type: ignore[union-attr]
    )
    # The link was single-use: a second newcomer is refused and stays unregistered.
    await env.person(1006, "路人", role=None)
    refused = await env.say(1006, f"/start {token}")
    assert "已被使用" in refused["text"]
    assert await Staff.get_or_none(tg_user_id=1006) is None
    menu = await env.client.commands(chat_id=1004, user_id=1004)
    assert "help" in {c["command"] for c in menu} and "invite" not in {
        c["command"] for c in menu
    }


async def test_unregistered_user_is_refused_politely_everywhere(env: Env) -> None:
    await env.person(1009, "陌生人", role=None)
    start = await env.say(1009, "/start")
    assert "还没有登记" in start["text"] and "邀请链接" in start["text"]
    for command in ("/help", "/staff", "/lang", "/invite staff"):
        reply = await env.say(1009, command)
        assert "还没有登记" in reply["text"], command
    assert await Staff.all().count() == 0


async def test_bad_invite_token_is_explained(env: Env) -> None:
    await env.person(1009, "陌生人", role=None)
    reply = await env.say(1009, "/start not-a-real-token")
    assert "链接不存在" in reply["text"]


async def test_help_shows_each_role_only_what_it_may_use(env: Env) -> None:
    await env.person(1001, "王管理", Role.ADMIN)
    await env.person(1004, "刘工", Role.STAFF)
    admin_help = (await env.say(1001, "/help"))["text"]
    staff_help = (await env.say(1004, "/help"))["text"]
    assert "/invite" in admin_help and "/staff" in admin_help
    assert "/invite" not in staff_help and "/staff" not in staff_help
    assert "/help" in staff_help
    refused = await env.say(1004, "/invite staff")
    assert "不能使用" in refused["text"]


async def test_admin_binds_groups_and_staff_cannot(env: Env) -> None:
    await env.person(1001, "王管理", Role.ADMIN)
    await env.person(1004, "刘工", Role.STAFF)
    await env.group(-2001, "党政办工作群", [1001, 1004])
    done = await env.say(1001, "/bind office", chat_id=-2001)
    assert "党政办工作群" in done["text"]
    bound = await BoundChat.get(purpose=ChatPurpose.OFFICE)
    assert bound.chat_id == -2001
    refused = await env.say(1004, "/bind leaders", chat_id=-2001)
    assert "不能使用" in refused["text"]
    assert not await BoundChat.filter(purpose=ChatPurpose.LEADERS).exists()
    usage = await env.say(1001, "/bind everyone", chat_id=-2001)
    assert "无法识别" in usage["text"]
    private = await env.say(1001, "/bind office")
    assert "群聊" in private["text"]


async def test_lang_switches_texts_and_menu_to_english(env: Env) -> None:
    await env.person(1004, "刘工", Role.STAFF)
    card = await env.say(1004, "/lang")
    await env.press(1004, card, button="English")
    assert (await Staff.get(tg_user_id=1004)).lang == "en"
    help_text = (await env.say(1004, "/help"))["text"]
    assert "your commands" in help_text
    menu = await env.client.commands(chat_id=1004, user_id=1004, language_code="en")
    assert any("Help" in c["description"] for c in menu)


async def test_admin_changes_a_role_with_the_staff_card(env: Env) -> None:
    await env.person(1001, "王管理", Role.ADMIN)
    clerk = await env.person(1003, "张秘书", Role.STAFF, "党政办")
    listing = await env.say(1001, "/staff")
    assert "张秘书" in listing["text"] and "王管理" in listing["text"]
    card = await env.say(1001, f"/staff {clerk.id}")  # type: ignore[union-attr]
    answer = await env.press(1001, card, button="设为办公室")
    assert "办公室" in (answer["answer"] or "")
    assert (await Staff.get(tg_user_id=1003)).role == Role.OFFICE
    edited = await env.message(1001, card["message_id"])
    assert edited["edited"] and "✅" in edited["text"]
    # The last admin cannot demote themselves.
    self_card = await env.say(1001, f"/staff {env.users[1001].id}")
    refusal = await env.press(1001, self_card, button="设为职工")
    assert "最后一位管理员" in (refusal["answer"] or "")
    assert (await Staff.get(tg_user_id=1001)).role == Role.ADMIN


async def test_an_unexpected_error_apologises_and_reports_to_admins(env: Env) -> None:
    await env.person(1001, "王管理", Role.ADMIN)
    await env.person(1004, "刘工", Role.STAFF)

    async def boom(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        raise RuntimeError("the disk is on fire")

    env.runtime.app.add_handler(CommandHandler("boom", boom))
    reply = await env.say(1004, "/boom")
    assert "出了点问题" in reply["text"] and "Traceback" not in reply["text"]
    # The apology comes first; the report is queued right after it.
    report = await env.client.wait_for_bot_message(1001, contains="disk is on fire")
    assert "刘工" in report["text"]
    await env.delivered()
    row = await OutboxMessage.get(kind="core.error_report")
    assert row.sent_text and "disk is on fire" in row.sent_text


async def test_deactivated_staff_are_treated_as_unregistered(env: Env) -> None:
    admin = await env.person(1001, "王管理", Role.ADMIN)
    person = await env.person(1004, "刘工", Role.STAFF)
    await staff_service.deactivate(admin, person.id)  # type: ignore[arg-type, union-attr]
    reply = await env.say(1004, "/help")
    assert "还没有登记" in reply["text"]
