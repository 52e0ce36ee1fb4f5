"""Administration in the chat: /invite links, /bind groups, /staff list and roles."""

from __future__ import annotations

import re
from html import escape

from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from handlers import callback as cb
from handlers.arguments import choose
from handlers.common import Ctx, buttons, for_staff, plain
from handlers.menu import push_menu
from models.core import ChatPurpose, Role, Staff
from services import staff as staff_service
from services.errors import InvalidInput
from services.inputs import INT_MAX, to_int

ADMIN = (Role.ADMIN,)


def invite_link(bot_username: str, token: str) -> str:
    return f"https://t.me/{bot_username}?start={token}"


#: `/invite ... 30天` sets how long the link lasts; `永久` makes one that never expires.
_DAYS = re.compile(r"(?:有效期?)?([+-]?\d+)(?:天|日|d|days?)", re.IGNORECASE)
NEVER_WORDS = ("永久", "长期", "长期有效", "不过期", "never", "none")


def invite_days(words: list[str]) -> tuple[int | None, list[str]]:
    """Take the validity out of the arguments: days (7 unless given, None for never), the rest."""
    days: int | None = 7
    rest = []
    for word in words:
        found = _DAYS.fullmatch(word)
        if found:
            days = int(found[1])
        elif word.lower() in NEVER_WORDS:
            days = None
        else:
            rest.append(word)
    return days, rest


@for_staff(*ADMIN, private_only=True)
async def invite(ctx: Ctx) -> None:
    """Creates an invite link: /invite ROLE [DEPARTMENT] [USES] [N天|永久]."""
    if not ctx.args:
        await ctx.reply(ctx.t("invite.usage"))
        return
    role = staff_service.parse_role(
        choose(ctx.args[0], {r.value: f"role.{r.value}" for r in Role}) or ctx.args[0])
    days, rest = invite_days(ctx.args[1:])
    valid_for = staff_service.invite_validity(days)
    uses: int | None = 1
    if rest and to_int(rest[-1], low=-INT_MAX) is not None:
        uses = to_int(rest.pop(), low=-INT_MAX)
        if uses is None or not 1 <= uses <= 1000:
            raise InvalidInput("error.bad_number", value=uses)
    department = " ".join(rest)
    created = await staff_service.create_invite(
        role, department, max_uses=uses, valid_for=valid_for, created_by=ctx.me
    )
    expires = created.expires_at.astimezone(ctx.settings.tz) if created.expires_at else None
    await ctx.reply(
        ctx.t(
            "invite.created",
            role=ctx.t(f"role.{role.value}"),
            dept=ctx.t("start.dept", dept=escape(department)) if department else "",
            uses=ctx.t("invite.uses_one") if uses == 1 else ctx.t("invite.uses_many", n=uses),
            validity=ctx.t("invite.valid_until", expires=f"{expires:%Y-%m-%d %H:%M}")
            if expires else ctx.t("invite.valid_forever"),
            link=invite_link(ctx.context.bot.username, created.token),
        )
    )


@for_staff(*ADMIN)
async def bind(ctx: Ctx) -> None:
    """Marks this group as the office's or the leaders': /bind office|leaders."""
    if ctx.is_private:
        await ctx.reply(ctx.t("error.bind_private"))
        return
    if not ctx.args:
        await ctx.reply(ctx.t("bind.usage"))
        return
    chat = ctx.update.effective_chat
    purpose = choose(ctx.args[0], {p.value: f"purpose.{p.value}" for p in ChatPurpose})
    bound = await staff_service.bind_chat(ctx.me, ctx.chat_id, chat.title or "" if chat else "",
                                          purpose or ctx.args[0])
    await ctx.reply(ctx.t("bind.done", purpose=ctx.t(f"purpose.{bound.purpose.value}")))


def _line(ctx: Ctx, person: Staff) -> str:
    return ctx.t(
        "staff.line",
        id=person.id,
        name=escape(person.name),
        role=ctx.t(f"role.{person.role.value}"),
        dept=f" · {escape(person.department)}" if person.department else "",
        head=ctx.t("staff.head") if person.is_head else "",
        unreachable="" if person.reachable else ctx.t("staff.unreachable"),
    )


def _card(ctx: Ctx, person: Staff) -> tuple[str, object]:
    text = ctx.t(
        "staff.card",
        name=escape(person.name),
        role=ctx.t(f"role.{person.role.value}"),
        dept=escape(person.department) or ctx.t("common.none"),
        state=ctx.t("staff.state.active" if person.active else "staff.state.inactive"),
    )
    rows = [
        [(ctx.t("btn.role", role=ctx.t(f"role.{r.value}")), cb.encode("staff", "role", person.id,
                                                                       r.value))
         for r in Role if r != person.role]
    ]
    if person.active:
        rows.append([(ctx.t("btn.deactivate"), cb.encode("staff", "off", person.id))])
    return text, buttons(rows)


@for_staff(*ADMIN, private_only=True)
async def staff_command(ctx: Ctx) -> None:
    """Lists the staff, or shows one person with buttons to change their role."""
    if ctx.args:
        number = to_int(ctx.args[0].lstrip("#"), low=0, high=10**20)
        if number is None:
            await ctx.reply(ctx.t("staff.usage"))
            return
        text, keyboard = _card(ctx, await staff_service.get_staff(number))
        await ctx.reply(text, keyboard)  # type: ignore[arg-type]
        return
    people = await staff_service.list_staff(include_inactive=False)
    lines = [ctx.t("staff.title", n=len(people))] + [_line(ctx, p) for p in people]
    lines.append("\n" + ctx.t("staff.usage"))
    await ctx.reply("\n".join(lines))


@for_staff(*ADMIN)
async def staff_button(ctx: Ctx) -> None:
    """Applies a role change or deactivation pressed on a staff card."""
    data = await ctx.button()
    if data is None:
        return
    if data.action == "role" and data.extra:
        person = await staff_service.change_role(ctx.me, data.int_id,
                                                 staff_service.parse_role(data.extra[0]))
        note = ctx.t("staff.role_changed", name=escape(person.name),
                     role=ctx.t(f"role.{person.role.value}"))
        # Their menu changes with their role; a failure to set it never blocks the change.
        await push_menu(ctx.context.bot, person, person.lang or ctx.settings.locale)
    elif data.action == "off":
        person = await staff_service.deactivate(ctx.me, data.int_id)
        note = ctx.t("staff.deactivated", name=escape(person.name))
    else:
        await ctx.answer(ctx.t("error.bad_button"), alert=True)
        return
    await ctx.answer(plain(note))
    text, keyboard = _card(ctx, person)
    await ctx.edit(f"{text}\n\n✅ {note}", keyboard)  # type: ignore[arg-type]


def register(application: Application) -> None:  # type: ignore[type-arg]
    application.bot_data.setdefault("commands", {}).update(
        {"invite": invite, "bind": bind, "staff": staff_command}
    )
    application.add_handler(CommandHandler("invite", invite))
    application.add_handler(CommandHandler("bind", bind))
    application.add_handler(CommandHandler("staff", staff_command))
    application.add_handler(CallbackQueryHandler(staff_button, pattern=cb.pattern("staff")))

