"""Joining and finding one's way: /start with an invite, /help by role, /lang."""

from __future__ import annotations

import html

from telegram import Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from handlers import callback as cb
from handlers.common import Ctx, buttons, error_text, for_staff, make_ctx
from handlers.menu import help_text, keyboard_for, push_menu, shortcut_texts
from services import outbox
from services import staff as staff_service
from services.errors import DomainError


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Greets staff, registers newcomers who bring an invite token, refuses everyone else."""
    ctx = await make_ctx(update, context)
    if not ctx.is_private:
        text = ctx.t("start.welcome" if ctx.staff else "start.group_unregistered",
                     **_who(ctx))
        await ctx.reply(text)
        return
    user = update.effective_user
    assert user is not None
    token = ctx.args[0] if ctx.args else None
    if token and ctx.staff is None:
        try:
            ctx.staff = await staff_service.join_with_invite(
                token, user.id, user.full_name, user.username
            )
        except DomainError as error:
            await ctx.reply(error_text(error, ctx.lang))
            return
        await _welcome(ctx, "start.joined")
        return
    if ctx.staff is None:
        await ctx.reply(ctx.t("start.unregistered"))
        return
    await _welcome(ctx, "start.welcome")


async def _welcome(ctx: Ctx, key: str) -> None:
    staff = ctx.me
    await staff_service.mark_reachable(staff.tg_user_id, True)
    await outbox.revive_for_chat(staff.tg_user_id)
    await ctx.reply(ctx.t(key, **_who(ctx)), keyboard_for(staff.role, ctx.lang))
    await push_menu(ctx.context.bot, staff, ctx.lang)


def _who(ctx: Ctx) -> dict[str, str]:
    if ctx.staff is None:
        return {"name": "", "role": "", "dept": ""}
    dept = (ctx.t("start.dept", dept=html.escape(ctx.staff.department))
            if ctx.staff.department else "")
    return {"name": html.escape(ctx.staff.name), "role": ctx.t(f"role.{ctx.staff.role.value}"),
            "dept": dept}


async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Lists the commands this person may use here (unregistered people learn how to join)."""
    ctx = await make_ctx(update, context)
    if ctx.staff is None:
        await ctx.reply(ctx.t("start.unregistered"))
        return
    keyboard = keyboard_for(ctx.staff.role, ctx.lang) if ctx.is_private else None
    await ctx.reply(help_text(ctx.staff.role, ctx.lang, ctx.is_private), keyboard)


@for_staff(private_only=True)
async def lang_command(ctx: Ctx) -> None:
    """Offers the two languages as buttons."""
    await ctx.reply(
        ctx.t("lang.choose"),
        buttons([[("中文", cb.encode("lang", "set", "zh_CN")),
                  ("English", cb.encode("lang", "set", "en"))]]),
    )


@for_staff()
async def lang_chosen(ctx: Ctx) -> None:
    """Switches the person's language and their command menu."""
    data = cb.decode(ctx.query.data if ctx.query else None)
    if data is None:
        await ctx.answer(ctx.t("error.bad_button"), alert=True)
        return
    staff = await staff_service.set_lang(ctx.me, data.id)
    ctx.lang = data.id
    await ctx.edit(ctx.t("lang.set"))
    keyboard = keyboard_for(staff.role, ctx.lang)
    if keyboard is not None:  # the shortcut keyboard's labels change language too
        await ctx.reply(ctx.t("help.footer"), keyboard)
    await push_menu(ctx.context.bot, staff, ctx.lang)
    await ctx.answer()


async def shortcut(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Turns a tap on the private shortcut keyboard into its command."""
    text = (update.effective_message.text or "") if update.effective_message else ""
    command = shortcut_texts().get(text.strip())
    callback = context.bot_data.get("commands", {}).get(command)
    if callback is not None:
        context.args = []
        await callback(update, context)


def register(application: Application) -> None:  # type: ignore[type-arg]
    commands = application.bot_data.setdefault("commands", {})
    commands.update({"start": start, "help": help_command, "lang": lang_command})
    application.add_handler(CommandHandler("start", start))
    application.add_handler(CommandHandler("help", help_command))
    application.add_handler(CommandHandler("lang", lang_command))
    application.add_handler(CallbackQueryHandler(lang_chosen, pattern=cb.pattern("lang")))


def register_shortcuts(application: Application) -> None:  # type: ignore[type-arg]
    """Registered before the features' free-text handlers, so a shortcut is never read as data."""
    texts = list(shortcut_texts())
    if texts:
        application.add_handler(
            MessageHandler(filters.ChatType.PRIVATE & filters.Text(texts), shortcut)
        )
