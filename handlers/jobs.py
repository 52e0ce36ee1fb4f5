"""/jobs for admins: each scheduled job, its next run, its last run and result."""

from __future__ import annotations

import html

from telegram.ext import Application, CommandHandler

from handlers.common import Ctx, for_staff
from handlers.menu import Command, add_commands
from models.core import Role
from scheduler import runner

add_commands(Command("jobs", frozenset({Role.ADMIN}), "private"))


def _schedule(ctx: Ctx, status: runner.JobStatus) -> str:
    if status.every is not None:
        return ctx.t("jobs.every", minutes=int(status.every.total_seconds() // 60) or 1)
    at = status.at.strftime("%H:%M") if status.at else "?"
    if status.weekday is not None:
        key = "jobs.weekly_workdays" if status.workdays_only else "jobs.weekly"
        return ctx.t(key, weekday=ctx.t(f"weekday.{status.weekday}"), time=at)
    return ctx.t("jobs.workdays" if status.workdays_only else "jobs.daily", time=at)


@for_staff(Role.ADMIN, private_only=True)
async def jobs_command(ctx: Ctx) -> None:
    """Lists the scheduled jobs with their next and last runs."""
    tz = ctx.settings.tz
    statuses = await runner.overview(ctx.settings)
    if not statuses:
        await ctx.reply(ctx.t("jobs.none"))
        return
    lines = [ctx.t("jobs.title", n=len(statuses))]
    for status in statuses:
        last = ctx.t("jobs.never")
        if status.last is not None:
            detail = status.last.detail.strip()
            last = ctx.t(
                "jobs.last",
                time=status.last.started_at.astimezone(tz).strftime("%m-%d %H:%M"),
                status=ctx.t(f"jobs.status.{status.last.status}"),
                detail=f" · {html.escape(detail[:80])}" if detail else "",
            )
        lines.append(ctx.t(
            "jobs.line", name=html.escape(status.name), schedule=_schedule(ctx, status),
            next=status.next_run.astimezone(tz).strftime("%Y-%m-%d %H:%M")
            if status.next_run else "—",
            last=last,
        ))
    text = "\n".join(lines)
    while len(text) > 4000:  # many sweeps: keep within one message
        lines.pop()
        text = "\n".join(lines) + "\n…"
    await ctx.reply(text)


def register(application: Application) -> None:  # type: ignore[type-arg]
    application.bot_data.setdefault("commands", {})["jobs"] = jobs_command
    application.add_handler(CommandHandler("jobs", jobs_command))
