"""The command table: each role's /help, command menu and shortcut keyboard come from it."""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterable
from dataclasses import dataclass

from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeAllGroupChats,
    BotCommandScopeChat,
    BotCommandScopeDefault,
    KeyboardButton,
    ReplyKeyboardMarkup,
)
from telegram.error import TelegramError

from handlers.texts import t
from models.core import Role, Staff

log = logging.getLogger(__name__)
EVERYONE = frozenset(Role)


@dataclass(frozen=True)
class Command:
    name: str
    roles: frozenset[Role] = EVERYONE
    #: "private", "group" or "both"
    where: str = "both"
    #: Text key of the shortcut button in the private keyboard (None = no button).
    shortcut: str | None = None


# Note: order matters: /help and the menus list commands in this order.
COMMANDS: list[Command] = [
    Command("start", where="private"),
    Command("help", shortcut="menu.help"),
    Command("lang", where="private"),
    Command("invite", frozenset({Role.ADMIN}), "private"),
    Command("bind", frozenset({Role.ADMIN}), "group"),
    Command("staff", frozenset({Role.ADMIN}), "private"),
]


#: The order people see commands in, by feature (ARCHITECTURE.md); others follow.
ORDER = [
    "start", "help", "lang",
    "book", "rooms", "mybookings", "roomstats", "huiyi",
    "pending", "myrequests", "delegate",
    "reception", "receptions", "yongcan",
    "supply", "stock", "stockin", "purchase", "stocktake", "issue", "ledger",
    "yongyin", "baoxiu",
    "yq",
    "shouwen", "fawen", "wenjian", "duban",
    "xuanchuan", "xinxi", "wengao", "canyue",
    "daily", "todo", "weekly", "monthly", "annual",
    "invite", "bind", "staff", "flows", "audit", "jobs",
]


def _rank(command: Command) -> int:
    return ORDER.index(command.name) if command.name in ORDER else len(ORDER)


def add_commands(*commands: Command, before: str | None = None) -> None:
    """Let a feature put its commands in the table (before another command, or at the end)."""
    for command in commands:
        if any(c.name == command.name for c in COMMANDS):
            continue
        if before is not None:
            index = next(i for i, c in enumerate(COMMANDS) if c.name == before)
            COMMANDS.insert(index, command)
        else:
            COMMANDS.append(command)
    COMMANDS.sort(key=_rank)
    _forget_built()


def _forget_built() -> None:
    """The table changed: what was built from it is built again on next use."""
    _commands_for.cache_clear()
    _shortcut_texts.cache_clear()
    _keyboard_for.cache_clear()
    _help_text.cache_clear()


def commands_for(role: Role | None, where: str) -> list[Command]:
    """The commands a role may use in a private chat or a group (None = unregistered)."""
    return list(_commands_for(role, where))


# Built once per role and place, not on every /help (the table only changes at import time).
@functools.lru_cache(maxsize=64)
def _commands_for(role: Role | None, where: str) -> tuple[Command, ...]:
    chosen = []
    for command in COMMANDS:
        if command.where not in (where, "both"):
            continue
        if role is None:
            if command.name in ("start", "help"):
                chosen.append(command)
        elif role == Role.ADMIN or role in command.roles:
            chosen.append(command)
    return tuple(chosen)


def describe(command: Command, lang: str) -> str:
    return t(f"cmd.{command.name}", lang)


def shortcut_texts() -> dict[str, str]:
    """Every shortcut button's text (both languages) -> the command it stands for."""
    return dict(_shortcut_texts())


@functools.lru_cache(maxsize=1)
def _shortcut_texts() -> dict[str, str]:
    found = {}
    for command in COMMANDS:
        if command.shortcut:
            for lang in ("zh_CN", "en"):
                found[t(command.shortcut, lang)] = command.name
    return found


def keyboard_for(role: Role, lang: str) -> ReplyKeyboardMarkup | None:
    """The private shortcut keyboard of a role (built once per role and language; Telegram
    objects are frozen, so one is shared by every reply)."""
    return _keyboard_for(role, lang)


@functools.lru_cache(maxsize=64)
def _keyboard_for(role: Role, lang: str) -> ReplyKeyboardMarkup | None:
    labels = [t(c.shortcut, lang) for c in commands_for(role, "private") if c.shortcut]
    if not labels:
        return None
    rows = [labels[i : i + 3] for i in range(0, len(labels), 3)]
    return ReplyKeyboardMarkup(
        [[KeyboardButton(label) for label in row] for row in rows], resize_keyboard=True
    )


def help_text(role: Role, lang: str, private: bool) -> str:
    """What /help says to a role in a private chat or a group: built once per role, language
    and place (the table and the texts change only at import time), not on every /help."""
    return _help_text(role, lang, private)


@functools.lru_cache(maxsize=64)
def _help_text(role: Role, lang: str, private: bool) -> str:
    title = (t("help.title", lang, role=t(f"role.{role.value}", lang)) if private
             else t("help.group_title", lang))
    lines = [title, *(f"/{c.name} — {describe(c, lang)}"
                      for c in _commands_for(role, "private" if private else "group"))]
    if private and _keyboard_for(role, lang) is not None:
        lines.append("\n" + t("help.footer", lang))
    return "\n".join(lines)


def _bot_commands(commands: Iterable[Command], lang: str) -> list[BotCommand]:
    return [BotCommand(c.name, describe(c, lang)[:256]) for c in commands]


async def push_default_menus(bot: Bot, lang: str) -> None:
    """Set the menus of people not registered and of groups."""
    await bot.set_my_commands(_bot_commands(commands_for(None, "private"), lang),
                              scope=BotCommandScopeDefault())
    group = [c for c in COMMANDS if c.where in ("group", "both") and c.name != "start"]
    await bot.set_my_commands(_bot_commands(group, lang), scope=BotCommandScopeAllGroupChats())


async def push_menu(bot: Bot, staff: Staff, lang: str) -> None:
    """Set this staff member's private command menu to what their role may use."""
    try:
        await bot.set_my_commands(
            _bot_commands(commands_for(staff.role, "private"), lang),
            scope=BotCommandScopeChat(staff.tg_user_id),
        )
    except TelegramError as exc:  # the menu is a convenience; never fail the caller
        log.warning("could not set the menu of %s: %s", staff.tg_user_id, exc)
