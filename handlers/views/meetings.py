"""Meeting notices as messages: the composer, the organiser's reply list, the invitee's card,
changes, reminders, materials and minutes; the reply list and sign-in sheet as XLSX and the
table name cards (席卡) as DOCX."""

from __future__ import annotations

import io
from collections.abc import Awaitable, Callable
from datetime import datetime
from html import escape
from typing import Any

from telegram import InlineKeyboardMarkup

from handlers import callback as cb
from handlers.common import buttons
from handlers.texts import t
from handlers.views import Rendered, view
from handlers.workbook import Sheet, xlsx
from models.core import Staff
from models.meetings import Invitation, InviteList, MeetingFile, MeetingNotice, NoticeStatus, Reply
from models.rooms import Booking
from services import clock
from services.meetings import RULES, notices
from services.meetings.replies import checkin_opens

F = "mt"
NAMES_SHOWN = 40


def when(start: datetime, end: datetime, lang: str) -> str:
    s, e = start.astimezone(RULES.tz), end.astimezone(RULES.tz)
    day = s.strftime("%a %d %b") if lang == "en" else \
        f"{s.month}月{s.day}日 {t(f'weekday.{s.weekday()}', lang)}"
    return f"{day} {s:%H:%M}–{e:%H:%M}"


def stamp(at: datetime | None) -> str:
    return at.astimezone(RULES.tz).strftime("%m-%d %H:%M") if at else ""


def head(booking: Booking, lang: str) -> list[str]:
    return [t("meetings.card.subject", lang, value=escape(booking.title)),
            t("meetings.card.time", lang, value=when(booking.start_at, booking.end_at, lang)),
            t("meetings.card.room", lang, value=escape(booking.room.name))]


def names(people: list[str], lang: str) -> str:
    joiner = ", " if lang == "en" else "、"
    shown = joiner.join(escape(p) for p in people[:NAMES_SHOWN])
    if len(people) > NAMES_SHOWN:
        shown += t("meetings.card.more", lang, n=len(people))
    return shown or "—"


def reply_text(invitation: Invitation, lang: str) -> str:
    if invitation.reply == Reply.LEAVE:
        return t("meetings.reply.leave_with", lang, reason=escape(invitation.reason))
    if invitation.reply == Reply.DELEGATED:
        return t("meetings.reply.delegated_to", lang,
                 name=escape(invitation.delegate.name if invitation.delegate else ""))
    return t(f"meetings.reply.{invitation.reply.value}", lang)


def details(notice: MeetingNotice, files: list[MeetingFile], lang: str) -> list[str]:
    lines = []
    if notice.agenda:
        lines.append(t("meetings.card.agenda", lang, value=escape(notice.agenda)))
    if files:
        lines.append(t("meetings.card.files", lang,
                       value=names([f.file_name for f in files], lang)))
    if notice.preparation:
        lines.append(t("meetings.card.preparation", lang, value=escape(notice.preparation)))
    return lines


# ---------------------------------------------------------------------------- the organiser


def composer(notice: MeetingNotice, booking: Booking, invited: list[Invitation],
             files: list[MeetingFile], lang: str, problem: str = ""
             ) -> tuple[str, InlineKeyboardMarkup]:
    """The draft notice: what it says so far, and buttons for each part."""
    lines = [t("meetings.composer.title", lang, id=notice.id), *head(booking, lang),
             t("meetings.card.invitees", lang, n=len(invited),
               value=names([i.staff.name for i in invited], lang)),
             t("meetings.card.agenda", lang, value=escape(notice.agenda) or "—"),
             t("meetings.card.files", lang, value=names([f.file_name for f in files], lang)),
             t("meetings.card.preparation", lang, value=escape(notice.preparation) or "—")]
    if problem:
        lines.append("\n⚠️ " + problem)
    lines.append("\n" + t("meetings.composer.hint", lang))
    nid = notice.id
    rows = [[(t("meetings.btn.invitees", lang), cb.encode(F, "inv", nid)),
             (t("meetings.btn.agenda", lang), cb.encode(F, "ag", nid))],
            [(t("meetings.btn.materials", lang), cb.encode(F, "mat", nid)),
             (t("meetings.btn.preparation", lang), cb.encode(F, "pr", nid))],
            [(t("meetings.btn.send", lang, n=len(invited)), cb.encode(F, "send", nid))]]
    return "\n".join(lines), buttons(rows)


def picker(notice: MeetingNotice, booking: Booking, invited: list[Invitation],
           departments: list[str], lists: list[InviteList], lang: str, note: str = ""
           ) -> tuple[str, InlineKeyboardMarkup]:
    """Choosing the invitees: departments and lists as buttons, names typed."""
    lines = [t("meetings.picker.title", lang), *head(booking, lang),
             t("meetings.card.invitees", lang, n=len(invited),
               value=names([i.staff.name for i in invited], lang))]
    if note:
        lines.append("\n" + note)
    lines.append("\n" + t("meetings.picker.hint", lang))
    nid = notice.id
    depts = [(f"+ {d}", cb.encode(F, "dept", nid, i)) for i, d in enumerate(departments[:12])]
    groups = [(f"+ {g.name}", cb.encode(F, "list", nid, g.id)) for g in lists[:8]]
    rows = [depts[i:i + 2] for i in range(0, len(depts), 2)]
    rows += [groups[i:i + 2] for i in range(0, len(groups), 2)]
    last = [(t("meetings.btn.done", lang), cb.encode(F, "back", nid))]
    if notice.status == NoticeStatus.DRAFT:
        last.insert(0, (t("meetings.btn.clear", lang), cb.encode(F, "clr", nid)))
    rows.append(last)
    return "\n".join(lines), buttons(rows)


def status_card(notice: MeetingNotice, booking: Booking, invited: list[Invitation],
                lang: str) -> tuple[str, InlineKeyboardMarkup | None]:
    """The organiser's list of who replied what, kept up to date as replies come."""
    by: dict[Reply, list[Invitation]] = {r: [] for r in Reply}
    for invitation in invited:
        by[invitation.reply].append(invitation)
    came = sum(1 for i in invited if i.checked_in_at is not None)
    lines = [t("meetings.status.title", lang, id=notice.id,
               status=t(f"meetings.notice.{notice.status.value}", lang)), *head(booking, lang),
             t("meetings.status.counts", lang, attend=len(by[Reply.ATTEND]),
               leave=len(by[Reply.LEAVE]), delegated=len(by[Reply.DELEGATED]),
               pending=len(by[Reply.PENDING]), came=came)]
    if by[Reply.ATTEND]:
        lines.append(t("meetings.status.attend", lang, value=names(
            [i.staff.name + ("✔" if i.checked_in_at else "") for i in by[Reply.ATTEND]], lang)))
    for invitation in by[Reply.LEAVE]:
        lines.append(t("meetings.status.leave", lang, name=escape(invitation.staff.name),
                       reason=escape(invitation.reason)))
    for invitation in by[Reply.DELEGATED]:
        lines.append(t("meetings.status.delegated", lang, name=escape(invitation.staff.name),
                       to=escape(invitation.delegate.name if invitation.delegate else "")))
    if by[Reply.PENDING]:
        lines.append(t("meetings.status.pending", lang,
                       value=names([i.staff.name for i in by[Reply.PENDING]], lang)))
    if notice.nudged_at:
        lines.append(t("meetings.status.nudged", lang, at=stamp(notice.nudged_at)))
    if notice.minutes_at:
        lines.append(t("meetings.status.minutes", lang, name=escape(notice.minutes_name)))
    if notice.status != NoticeStatus.SENT:
        return "\n".join(lines), None
    nid = notice.id
    rows = [[(t("meetings.btn.replies_xlsx", lang), cb.encode(F, "xr", nid)),
             (t("meetings.btn.signin_xlsx", lang), cb.encode(F, "xs", nid))],
            [(t("meetings.btn.cards_docx", lang), cb.encode(F, "xc", nid)),
             (t("meetings.btn.checkin_panel", lang), cb.encode(F, "ck", nid))],
            [(t("meetings.btn.more", lang), cb.encode(F, "inv", nid)),
             (t("meetings.btn.minutes", lang), cb.encode(F, "min", nid))]]
    return "\n".join(lines), buttons(rows)


def checkin_panel(notice: MeetingNotice, booking: Booking, invited: list[Invitation],
                  lang: str) -> tuple[str, InlineKeyboardMarkup]:
    """The organiser records who came: one button per invitee, ✔ once checked in."""
    present = [i for i in invited if i.reply != Reply.DELEGATED]
    came = sum(1 for i in present if i.checked_in_at)
    lines = [t("meetings.checkin.title", lang, came=came, n=len(present)), *head(booking, lang),
             t("meetings.checkin.hint", lang)]
    choices = [(("✔ " if i.checked_in_at else "") + i.staff.name,
                cb.encode(F, "mk", notice.id, i.id)) for i in present[:60]]
    rows = [choices[i:i + 3] for i in range(0, len(choices), 3)]
    rows.append([(t("meetings.btn.done", lang), cb.encode(F, "ckx", notice.id))])
    return "\n".join(lines), buttons(rows)


# ---------------------------------------------------------------------------- the invitee


def reply_keyboard(invitation: Invitation, booking: Booking, lang: str,
                   *, checkin: bool = True) -> InlineKeyboardMarkup | None:
    iid = invitation.id
    if invitation.reply == Reply.DELEGATED:
        return None
    mark = {r: ("✓ " if invitation.reply == r else "") for r in Reply}
    rows = [[(mark[Reply.ATTEND] + t("meetings.btn.attend", lang), cb.encode(F, "at", iid)),
             (mark[Reply.LEAVE] + t("meetings.btn.leave", lang), cb.encode(F, "lv", iid))],
            [(t("meetings.btn.delegate", lang), cb.encode(F, "dg", iid))]]
    if checkin and clock.now() >= checkin_opens(booking) and invitation.checked_in_at is None:
        rows.insert(0, [(t("meetings.btn.checkin", lang), cb.encode(F, "ci", iid))])
    return buttons(rows)


async def _invitation(payload: dict[str, Any]) -> Invitation | None:
    return await Invitation.get_or_none(id=int(payload["invitation_id"])).prefetch_related(
        "staff", "delegate", "delegated_from__staff", "notice__booking__room",
        "notice__organiser")


def invitation_card(invitation: Invitation, files: list[MeetingFile], lang: str
                    ) -> tuple[str, InlineKeyboardMarkup | None]:
    """The invitee's card: the meeting, the notice, their reply and the reply buttons."""
    notice, booking = invitation.notice, invitation.notice.booking
    lines = [t("meetings.invite.title", lang, organiser=escape(notice.organiser.name)),
             *head(booking, lang), *details(notice, files, lang)]
    if invitation.delegated_from is not None:
        lines.append(t("meetings.invite.delegated_by", lang,
                       name=escape(invitation.delegated_from.staff.name)))
    if notice.status == NoticeStatus.CANCELLED:
        lines.append("\n" + t("meetings.invite.cancelled", lang))
        return "\n".join(lines), None
    lines.append("\n" + t("meetings.invite.your_reply", lang,
                          value=reply_text(invitation, lang)))
    if invitation.checked_in_at:
        lines.append(t("meetings.invite.checked_in", lang, at=stamp(invitation.checked_in_at)))
    if notices.is_over(booking, clock.now()):
        return "\n".join(lines), None
    if invitation.reply == Reply.PENDING:
        lines.append(t("meetings.invite.ask", lang))
    return "\n".join(lines), reply_keyboard(invitation, booking, lang)


InvitationView = Callable[[Invitation, Booking, dict[str, Any], str], Awaitable[Rendered]]


def invitation_view(kind: str) -> Callable[[InvitationView], InvitationView]:
    """Register a view of an event about one invitation, loaded fresh (gone: say so)."""

    def wrap(func: InvitationView) -> InvitationView:
        @view(kind)
        async def render(payload: dict[str, Any], lang: str) -> Rendered:
            invitation = await _invitation(payload)
            if invitation is None:
                return Rendered(t("meetings.error.no_invitation", lang))
            return await func(invitation, invitation.notice.booking, payload, lang)

        return func

    return wrap


@invitation_view("meetings.invite")
async def invite(invitation: Invitation, booking: Booking, payload: dict[str, Any],
                 lang: str) -> Rendered:
    text, keyboard = invitation_card(invitation, await notices.files(invitation.notice.id), lang)
    return Rendered(text, keyboard)


@view("meetings.status")
async def status(payload: dict[str, Any], lang: str) -> Rendered:
    notice = await notices.get(int(payload["notice_id"]))
    text, keyboard = status_card(notice, notice.booking, await notices.invitations(notice.id),
                                 lang)
    return Rendered(text, keyboard)


@view("meetings.material")
async def material(payload: dict[str, Any], lang: str) -> Rendered:
    found = await MeetingFile.get_or_none(id=int(payload["file_id"])).prefetch_related(
        "notice__booking")
    if found is None:
        return Rendered(t("meetings.error.no_notice", lang, id="?"))
    return Rendered(t("meetings.material.caption", lang,
                      title=escape(found.notice.booking.title)),
                    document=(found.file_name, found.file_id))


@invitation_view("meetings.changed")
async def changed(invitation: Invitation, booking: Booking, payload: dict[str, Any],
                 lang: str) -> Rendered:
    old_start = datetime.fromisoformat(str(payload["old_start"]))
    old_end = datetime.fromisoformat(str(payload["old_end"]))
    text = t("meetings.changed", lang, title=escape(booking.title),
             old=when(old_start, old_end, lang), old_room=escape(str(payload.get("old_room"))),
             new=when(booking.start_at, booking.end_at, lang),
             room=escape(booking.room.name))
    return Rendered(text, reply_keyboard(invitation, booking, lang, checkin=False)
                    if invitation.reply == Reply.PENDING else None)


@invitation_view("meetings.cancelled")
async def cancelled(invitation: Invitation, booking: Booking, payload: dict[str, Any],
                   lang: str) -> Rendered:
    return Rendered(t("meetings.cancelled", lang, title=escape(booking.title),
                      when=when(booking.start_at, booking.end_at, lang),
                      room=escape(booking.room.name)))


@invitation_view("meetings.nudge")
async def nudge(invitation: Invitation, booking: Booking, payload: dict[str, Any],
               lang: str) -> Rendered:
    text = t("meetings.nudge", lang, title=escape(booking.title),
             when=when(booking.start_at, booking.end_at, lang), room=escape(booking.room.name),
             organiser=escape(invitation.notice.organiser.name))
    if invitation.reply != Reply.PENDING or invitation.notice.status != NoticeStatus.SENT:
        return Rendered(text)
    return Rendered(text, reply_keyboard(invitation, booking, lang, checkin=False))


@invitation_view("meetings.soon")
async def soon(invitation: Invitation, booking: Booking, payload: dict[str, Any],
              lang: str) -> Rendered:
    text = t("meetings.soon", lang, title=escape(booking.title),
             when=when(booking.start_at, booking.end_at, lang), room=escape(booking.room.name),
             preparation=escape(invitation.notice.preparation) or "—")
    if invitation.checked_in_at or invitation.notice.status != NoticeStatus.SENT:
        return Rendered(text)
    return Rendered(text, buttons([[(t("meetings.btn.checkin", lang),
                                     cb.encode(F, "ci", invitation.id))]]))


@view("meetings.minutes")
async def minutes(payload: dict[str, Any], lang: str) -> Rendered:
    notice = await notices.get(int(payload["notice_id"]))
    return Rendered(t("meetings.minutes.caption", lang, title=escape(notice.booking.title),
                      when=when(notice.booking.start_at, notice.booking.end_at, lang)),
                    document=(notice.minutes_name, notice.minutes_file_id))


# ---------------------------------------------------------------------------- exports


def _expected(invited: list[Invitation]) -> list[Invitation]:
    return [i for i in invited if i.reply != Reply.DELEGATED]


def replies_xlsx(notice: MeetingNotice, booking: Booking, invited: list[Invitation],
                 lang: str) -> bytes:
    """The reply list (回执): everyone invited, their reply, reason, delegate, check-in."""
    rows = []
    for n, i in enumerate(invited, start=1):
        passed = i.delegate.name if i.reply == Reply.DELEGATED and i.delegate else ""
        rows.append([n, i.staff.name, i.staff.department,
                     t(f"meetings.reply.{i.reply.value}", lang), i.reason, passed,
                     stamp(i.replied_at), stamp(i.checked_in_at)])
    title = t("meetings.xlsx.replies_title", lang, title=booking.title,
              when=when(booking.start_at, booking.end_at, lang), room=booking.room.name)
    columns = ("no", "name", "department", "reply", "reason", "delegate", "replied", "came")
    return xlsx(Sheet(t("meetings.xlsx.replies", lang), title,
                      [t(f"meetings.col.{c}", lang) for c in columns], rows,
                      [6, 10, 16, 10, 24, 10, 13, 13]))


def signin_xlsx(notice: MeetingNotice, booking: Booking, invited: list[Invitation],
                lang: str) -> bytes:
    """The sign-in sheet (签到表) to print: everyone expected, with a column to sign."""
    rows = [[n, i.staff.name, i.staff.department, t(f"meetings.reply.{i.reply.value}", lang),
             stamp(i.checked_in_at), ""]
            for n, i in enumerate(_expected(invited), start=1)]
    title = t("meetings.xlsx.signin_title", lang, title=booking.title,
              when=when(booking.start_at, booking.end_at, lang), room=booking.room.name)
    columns = ("no", "name", "department", "reply", "came", "signature")
    return xlsx(Sheet(t("meetings.xlsx.signin", lang), title,
                      [t(f"meetings.col.{c}", lang) for c in columns], rows,
                      [6, 12, 18, 10, 14, 24]))


def name_cards_docx(booking: Booking, people: list[Staff], lang: str) -> bytes:
    """Table name cards (席卡): a landscape page per person, the name twice to fold in half."""
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(29.7), Cm(21.0)
    for margin in ("top_margin", "bottom_margin", "left_margin", "right_margin"):
        setattr(section, margin, Cm(1.5))
    style = document.styles["Normal"]
    style.font.name = "SimHei"
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "黑体")
    document.core_properties.title = t("meetings.cards.title", lang, title=booking.title)
    for index, person in enumerate(people):
        for half in range(2):
            name = document.add_paragraph()
            name.alignment = WD_ALIGN_PARAGRAPH.CENTER
            name.paragraph_format.space_before = Pt(60 if half == 0 else 150)
            run = name.add_run(person.name)
            run.bold, run.font.size = True, Pt(96)
            if person.department:
                dept = document.add_paragraph()
                dept.alignment = WD_ALIGN_PARAGRAPH.CENTER
                dept.add_run(person.department).font.size = Pt(28)
        if index < len(people) - 1:
            document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def card_people(notice: MeetingNotice, invited: list[Invitation]) -> list[Staff]:
    """Who gets a name card: the organiser, then everyone expected who has not taken leave."""
    people = [notice.organiser]
    people += [i.staff for i in invited if i.reply in (Reply.ATTEND, Reply.PENDING)]
    return people
