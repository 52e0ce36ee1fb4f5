"""/wengao: drafting tasks (assign, list, show, call off), versions sent as DOCX and the
assigner's verdict; and the tasks' buttons."""

from __future__ import annotations

from html import escape

from handlers.callback import ButtonData, encode
from handlers.common import Ctx, buttons
from handlers.publicity.common import (
    HELP_WORDS,
    OFFICE_AND_LEADERS,
    number,
    require,
    rest,
    send_file,
    show,
    split_word,
)
from handlers.views import publicity as views
from models.core import Role
from models.publicity import DraftingTask, DraftVersion, TaskStatus
from services import clock
from services.publicity import drafting
from services.publicity.drafting import Received
from services.publicity.records import MAX_ID

NEW = {"新建", "派", "布置", "交办", "new", "assign"}
CANCEL = {"撤销", "取消", "cancel"}


async def show_draft(ctx: Ctx, task: DraftingTask, *, edit: bool = False) -> None:
    task = await DraftingTask.get(id=task.id).prefetch_related("drafter")
    text, keyboard = views.task_draft_card(task, drafting.missing(task), ctx.lang)
    await show(ctx, text, keyboard, edit=edit)


async def wengao(ctx: Ctx) -> None:
    """Open tasks and their states, or a sub-command."""
    text = rest(ctx)
    word, tail = split_word(text)
    if not text:
        await _list(ctx)
    elif word in HELP_WORDS:
        await ctx.reply(ctx.t("publicity.wengao.usage"))
    elif word in NEW:
        if not ctx.is_private:
            await ctx.say(ctx.t("error.private_only"))
            return
        require(ctx, Role.LEADER, Role.OFFICE)
        await show_draft(ctx, await drafting.new_task(ctx.me, ctx.chat_id, tail))
    elif word in CANCEL and number(tail) is not None:
        task = await drafting.cancel(ctx.me, number(tail) or 0)
        await ctx.reply(ctx.t("publicity.task.cancel_done", id=task.id,
                              title=escape(task.title)))
    elif number(word) is not None and not tail:
        await _show(ctx, number(word) or 0)
    else:
        await ctx.reply(ctx.t("publicity.wengao.usage"))


async def _list(ctx: Ctx) -> None:
    tasks = await drafting.open_tasks(ctx.me)
    text = views.task_list(tasks, ctx.lang, clock.now()) if tasks else ctx.t(
        "publicity.task.none")
    rows = [[(ctx.t("publicity.btn.upload_n", id=task.id), encode("pub", "tup", task.id))]
            for task in tasks if task.drafter_id == ctx.me.id  # type: ignore[attr-defined]
            and task.status != TaskStatus.REVIEW][:5]
    rows += [[(ctx.t("publicity.btn.review_n", id=v.task.id, n=v.number),
               encode("pub", "vshow", v.id))] for v in await drafting.to_review(ctx.me)][:5]
    hint = ctx.t("publicity.wengao.usage_assign" if ctx.me.role in OFFICE_AND_LEADERS
                 else "publicity.wengao.usage_drafter")
    await ctx.reply(text + "\n\n" + hint, buttons(rows) if rows else None)


async def _show(ctx: Ctx, task_id: int) -> None:
    task = await drafting.get(task_id)
    involved = ctx.me.id in (task.drafter_id, task.assigner_id)  # type: ignore[attr-defined]
    if not involved:
        require(ctx, *OFFICE_AND_LEADERS)
    if task.status == TaskStatus.DRAFT:
        await show_draft(ctx, task)
        return
    rendered = await views.task_card(task.id, ctx.lang)
    await ctx.reply(rendered.text)


async def received(ctx: Ctx, got: Received) -> None:
    """Say what became of a file the drafter sent (or ask which task it is for)."""
    if got.version is not None:
        version = await DraftVersion.get(id=got.version.id).prefetch_related("task__assigner")
        await ctx.reply(ctx.t("publicity.task.version_sent", id=version.task.id,
                              n=version.number, title=escape(version.task.title),
                              name=escape(version.task.assigner.name)))
        return
    assert got.file is not None
    # The label is the task's number and title as typed (no markup in a button).
    rows = [[(f"#{task.id} {task.title[:20]}", encode("pub", "tfile", got.file.id, task.id))]
            for task in got.choices[:8]]
    await ctx.reply(ctx.t("publicity.task.which", name=escape(got.file.name)), buttons(rows))


# ---------------------------------------------------------------------------- buttons


async def on_dispatch(ctx: Ctx, data: ButtonData) -> None:
    task = await drafting.dispatch(ctx.me, data.int_id)
    task = await DraftingTask.get(id=task.id).prefetch_related("drafter")
    lines = [ctx.t("publicity.task.dispatched", id=task.id,
                   name=escape(views.person_name(task.drafter))),
             *views.task_lines(task, ctx.lang)]
    await ctx.edit("\n".join(lines))
    await ctx.answer()


async def on_cancel(ctx: Ctx, data: ButtonData) -> None:
    task = await drafting.cancel(ctx.me, data.int_id)
    await ctx.edit(ctx.t("publicity.task.cancel_done", id=task.id, title=escape(task.title)))
    await ctx.answer()


async def on_upload(ctx: Ctx, data: ButtonData) -> None:
    task = await drafting.ask_upload(ctx.me, data.int_id, ctx.chat_id)
    await ctx.reply(ctx.t("publicity.task.send_docx", id=task.id, title=escape(task.title)))
    await ctx.answer()


async def on_attach(ctx: Ctx, data: ButtonData) -> None:
    if not data.extra or number(data.extra[0]) is None:
        await ctx.answer(ctx.t("error.bad_button"), alert=True)
        return
    version = await drafting.attach(ctx.me, number(data.extra[0]) or 0, data.int_id)
    await ctx.edit(ctx.t("publicity.task.attached", id=version.task_id,  # type: ignore[attr-defined]
                         n=version.number))
    await ctx.answer()


async def _decided(ctx: Ctx, key: str, version: DraftVersion) -> None:
    """Take the buttons off the version's card and say what was decided."""
    if ctx.query is not None and ctx.query.message is not None:
        await ctx.query.edit_message_reply_markup(None)
    task = await drafting.get(version.task_id)  # type: ignore[attr-defined]
    await ctx.reply(ctx.t(key, id=task.id, n=version.number, title=escape(task.title)))


async def on_version_return(ctx: Ctx, data: ButtonData) -> None:
    version = await drafting.ask_comment(ctx.me, data.int_id, ctx.chat_id)
    task = await drafting.get(version.task_id)  # type: ignore[attr-defined]
    await ctx.ask(ctx.t("publicity.task.ask_comment", id=task.id, n=version.number,
                          title=escape(task.title)))
    await ctx.answer()


async def on_version_accept(ctx: Ctx, data: ButtonData) -> None:
    version = await drafting.accept(ctx.me, data.int_id)
    await _decided(ctx, "publicity.task.accept_done", version)
    await ctx.answer()


async def on_version_show(ctx: Ctx, data: ButtonData) -> None:
    version = await DraftVersion.get_or_none(id=data.int_id).prefetch_related("task") \
        if 0 < data.int_id <= MAX_ID else None
    if version is None:
        await ctx.answer(ctx.t("error.stale"), alert=True)
        return
    if not drafting.may_decide(ctx.me, version.task) and \
            ctx.me.id != version.task.drafter_id:  # type: ignore[attr-defined]
        require(ctx, *OFFICE_AND_LEADERS)
    rendered = await views.version_rendered(version.id, ctx.lang)
    assert rendered.document is not None
    keyboard = rendered.keyboard if drafting.may_decide(ctx.me, version.task) else None
    await send_file(ctx, rendered.document[0], rendered.document[1], rendered.text, keyboard)
    await ctx.answer()


async def on_show(ctx: Ctx, data: ButtonData) -> None:
    await _show(ctx, data.int_id)
    await ctx.answer()


BUTTONS = {"tgo": on_dispatch, "tcancel": on_cancel, "tup": on_upload, "tfile": on_attach,
           "vret": on_version_return, "vok": on_version_accept, "vshow": on_version_show,
           "tshow": on_show}
