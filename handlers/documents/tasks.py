"""Handling in the chat: task cards, progress, extensions, completion reports and their review."""

from __future__ import annotations

import html
from typing import Any

from handlers import callback as cb
from handlers.common import Ctx, buttons
from handlers.documents.common import F, button_choice, button_id, show
from handlers.documents.incoming import on_return, send_original
from handlers.views import documents as views
from models.documents import Prompt
from services import approvals
from services.documents import common, handling, parsing
from services.errors import InvalidInput, NotAllowed, StaleAction


async def on_task(ctx: Ctx, data: cb.CallbackData) -> None:
    task = await handling.get(button_id(data))
    if not handling.may_report(ctx.me, task) and ctx.me.role.value != "leader":
        raise NotAllowed("documents.error.not_your_task")
    await show(ctx, await views.task_card(task.id, ctx.lang))
    await ctx.answer()


async def on_progress(ctx: Ctx, data: cb.CallbackData) -> None:
    task = await handling.check_open(ctx.me, button_id(data))
    await common.ask(ctx.me, "prog", task.id)
    await ctx.reply(ctx.t("documents.q.progress"))
    await ctx.answer()


async def on_extend(ctx: Ctx, data: cb.CallbackData) -> None:
    task = await handling.check_open(ctx.me, button_id(data))
    if common.today() > task.due_on:
        raise StaleAction("documents.error.extension_late", due=task.due_on.isoformat())
    await common.ask(ctx.me, "ext", task.id)
    await ctx.reply(ctx.t("documents.q.extend", due=task.due_on.isoformat()))
    await ctx.answer()


async def on_report(ctx: Ctx, data: cb.CallbackData) -> None:
    task = await handling.check_open(ctx.me, button_id(data))
    await common.ask(ctx.me, "rep", task.id, {"text": "", "files": []})
    await ctx.reply(ctx.t("documents.q.report"), _report_keyboard(ctx, task.id))
    await ctx.answer()


def _report_keyboard(ctx: Ctx, task_id: int) -> Any:
    return buttons([[(ctx.t("documents.btn.report_send"), cb.encode(F, "repok", task_id)),
                     (ctx.t("documents.btn.cancel"), cb.encode(F, "repx", task_id))]])


async def on_report_ok(ctx: Ctx, data: cb.CallbackData) -> None:
    prompt = await common.open_prompt(ctx.me)
    if prompt is None or prompt.action != "rep" or prompt.target != button_id(data):
        raise StaleAction("documents.error.preview_gone")
    task = await handling.submit_report(ctx.me, prompt.target, str(prompt.data.get("text", "")),
                                        list(prompt.data.get("files", [])))
    await common.drop_prompt(ctx.me)
    await ctx.edit(ctx.t("documents.report.sent", department=html.escape(task.department)))
    await ctx.answer()


async def on_report_cancel(ctx: Ctx, data: cb.CallbackData) -> None:
    await common.drop_prompt(ctx.me, "rep")
    await ctx.edit(ctx.t("documents.report.cancelled"))
    await ctx.answer()


async def on_task_file(ctx: Ctx, data: cb.CallbackData) -> None:
    task = await handling.get(button_id(data))
    if not handling.may_report(ctx.me, task):
        raise NotAllowed("documents.error.not_your_task")
    document = await handling._document_of(task)
    if document is None:
        raise InvalidInput("documents.error.no_file")
    await send_original(ctx, document)
    await ctx.answer()


async def answer(ctx: Ctx, prompt: Prompt, text: str, file: list[str] | None) -> None:
    """Typed progress, an extension request, or a part of a completion report."""
    if prompt.action == "prog":
        if file:
            raise InvalidInput("documents.error.text_expected")
        task = await handling.report_progress(ctx.me, prompt.target, text)
        await common.drop_prompt(ctx.me)
        await show(ctx, await views.task_card(task.id, ctx.lang, ctx.t("documents.progress.done")))
    elif prompt.action == "ext":
        if file:
            raise InvalidInput("documents.error.text_expected")
        due, reason = _extension(text)
        extension = await handling.ask_extension(ctx.me, prompt.target, due, reason)
        await common.drop_prompt(ctx.me)
        await ctx.reply(ctx.t("documents.extension.asked", day=extension.new_due_on.isoformat()))
    elif prompt.action == "rep":
        await handling.check_open(ctx.me, prompt.target)
        data = dict(prompt.data)
        if file:
            files = list(data.get("files", []))
            if len(files) >= handling.MAX_FILES:
                raise InvalidInput("documents.error.too_many_files", n=handling.MAX_FILES)
            data["files"] = [*files, file]
        if text.strip():
            joined = "\n".join(p for p in (str(data.get("text", "")), text.strip()) if p)
            if len(joined) > handling.MAX_TEXT * 3:
                raise InvalidInput("error.too_long", limit=handling.MAX_TEXT * 3)
            data["text"] = joined
        await common.update_prompt(prompt, data)
        await ctx.reply(ctx.t("documents.report.kept", chars=len(data.get("text", "")),
                              files=len(data.get("files", []))),
                        _report_keyboard(ctx, prompt.target))
    else:
        raise StaleAction("documents.error.no_question")


def _extension(text: str) -> tuple[Any, str]:
    """Read `12月30日 理由…`: the new date first, then the reason."""
    text = parsing.normalise(text)
    parts = text.split(maxsplit=1)
    if not parts:
        raise InvalidInput("documents.error.extension_format")
    try:
        due, _ = parsing.parse_due(parts[0], common.today())
    except InvalidInput as error:
        if error.code == "documents.error.due_format":
            raise InvalidInput("documents.error.extension_format") from None
        raise
    reason = parts[1].strip() if len(parts) > 1 else ""
    if not reason:
        raise InvalidInput("documents.error.extension_reason")
    return due, reason


# ------------------------------------------------------------------ review (the office)


async def on_pass(ctx: Ctx, data: cb.CallbackData) -> None:
    """通过: the report is accepted; the task is done."""
    state = await approvals.card(button_id(data))
    if state is None or state.request.kind != handling.KIND_REVIEW:
        raise StaleAction("documents.error.no_card")
    await approvals.approve(button_id(data), ctx.me)
    await ctx.answer(ctx.t("documents.review.pass_done"))


async def on_report_file(ctx: Ctx, data: cb.CallbackData) -> None:
    state = await approvals.card(button_id(data))
    if state is None or state.request.kind != handling.KIND_REVIEW:
        raise StaleAction("documents.error.no_card")
    task = await handling.get(state.request.subject_id)
    file_id, name, kind = task.report_files[button_choice(data, len(task.report_files))]
    await show(ctx, views.file_rendered(file_id, name, kind, ctx.t(
        "documents.report.file_caption", department=html.escape(task.department))))
    await ctx.answer()



ACTIONS = {
    "task": on_task, "prog": on_progress, "ext": on_extend, "rep": on_report,
    "repok": on_report_ok, "repx": on_report_cancel, "tfile": on_task_file, "pass": on_pass,
    "back": on_return, "rfile": on_report_file,
}  # fmt: skip
