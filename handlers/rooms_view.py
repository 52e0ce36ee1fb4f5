"""How booking cards, bookings and schedules read: times, equipment, keyboards."""

from __future__ import annotations

import html
from datetime import date, datetime, timedelta
from typing import Any

from telegram import InlineKeyboardMarkup

from handlers import callback as cb
from handlers.common import buttons
from handlers.texts import t, t_plain
from models.rooms import Booking, BookingStatus, DraftStep, Room
from services.inputs import to_int
from services.rooms import RULES
from services.rooms.booking import DraftView, Occurrence


def day_text(at: datetime, lang: str) -> str:
    local = at.astimezone(RULES.zone)
    if lang == "en":
        return local.strftime("%a %d %b")
    return f"{local.month}月{local.day}日 {t(f'weekday.{local.weekday()}', lang)}"


def day_words(day: date, lang: str) -> str:
    """A day with its year and weekday, for a button that chooses it (2027年11月30日 周二)."""
    if lang == "en":
        return day.strftime("%a %d %b %Y")
    return f"{day.year}年{day.month}月{day.day}日 {t(f'weekday.{day.weekday()}', lang)}"


def when(start: datetime, end: datetime, lang: str) -> str:
    s, e = start.astimezone(RULES.zone), end.astimezone(RULES.zone)
    return f"{day_text(s, lang)} {s:%H:%M}–{e:%H:%M}"


def equipment_text(codes: list[str] | None, lang: str) -> str:
    joiner = ", " if lang == "en" else "、"
    return joiner.join(t(f"rooms.equipment.{c}", lang) for c in codes or []) or t("rooms.none",
                                                                                  lang)


def length_text(minutes: int, lang: str) -> str:
    if minutes % 60:
        return t("rooms.len.minutes", lang, n=minutes)
    return t("rooms.len.hours", lang, n=minutes // 60)


_DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def repeat_words(rule: str, lang: str) -> str:
    """A recurrence rule (FREQ=WEEKLY;BYDAY=MO) as people say it: 每周一, 每个工作日."""
    parts = dict(p.split("=", 1) for p in rule.upper().split(";") if "=" in p)
    freq, every = parts.get("FREQ", ""), to_int(parts.get("INTERVAL", "1")) or 1
    days = [d[-2:] for d in parts.get("BYDAY", "").split(",") if d[-2:] in _DAYS]
    if days and sorted(days, key=_DAYS.index) == list(_DAYS[:5]):
        return t_plain("rooms.repeat.workdays", lang)
    if freq == "WEEKLY" or (freq == "DAILY" and days):
        names = t_plain("rooms.repeat.joiner", lang).join(
            t_plain(f"rooms.repeat.day.{d}", lang) for d in sorted(days, key=_DAYS.index))
        key = "rooms.repeat.weekly" if every == 1 else "rooms.repeat.weeks"
        return t_plain(key, lang, n=every, days=names)
    if freq in ("DAILY", "MONTHLY", "YEARLY"):
        key = f"rooms.repeat.{freq.lower()}" if every == 1 else f"rooms.repeat.{freq.lower()}_n"
        return t_plain(key, lang, n=every)
    return t_plain("rooms.repeat.other", lang)


def booking_when(booking: Booking, lang: str) -> str:
    return when(booking.start_at, booking.end_at, lang)


def _summary(v: DraftView, lang: str) -> list[str]:
    d = v.draft
    lines = [t("rooms.card.title", lang)]
    if d.target_id is not None and v.room is not None:  # type: ignore[attr-defined]
        lines.append(t("rooms.card.change_of", lang, id=d.target_id, room=v.room.name))  # type: ignore[attr-defined]
    if d.start_at is not None and d.minutes:
        start = d.start_at.astimezone(RULES.zone)
        lines.append(t("rooms.card.time", lang,
                       value=when(start, start + timedelta(minutes=d.minutes), lang)))
    elif d.start_at is not None:
        lines.append(t("rooms.card.time", lang, value=f"{day_text(d.start_at, lang)} "
                       f"{d.start_at.astimezone(RULES.zone):%H:%M}"))
    elif d.day is not None:
        lines.append(t("rooms.card.day", lang, value=day_text(
            datetime(d.day.year, d.day.month, d.day.day, tzinfo=RULES.zone), lang)))
    if v.room is not None:
        lines.append(t("rooms.card.room", lang, value=html.escape(v.room.name)))
    if d.title:
        lines.append(t("rooms.card.subject", lang, value=html.escape(d.title)))
    if d.attendees:
        lines.append(t("rooms.card.people", lang, value=d.attendees))
    if d.equipment:
        lines.append(t("rooms.card.equipment", lang, value=equipment_text(d.equipment, lang)))
    if d.recurrence:
        lines.append(t("rooms.card.repeat", lang, value=repeat_words(d.recurrence, lang)))
    return lines


def card(v: DraftView, lang: str) -> tuple[str, InlineKeyboardMarkup | None]:
    """The booking card of a draft: what is known, the problem if any, the next choices."""
    d = v.draft
    lines = _summary(v, lang)
    if d.question.startswith("rooms."):
        lines.append("\n⚠️ " + t(d.question, lang, **d.question_params))
    rows: list[list[tuple[str, str]]] = []
    enc = cb.encode

    def nav(*extra: tuple[str, str]) -> None:
        rows.append([*extra, (t("rooms.btn.cancel", lang), enc("rooms", "x", d.id))])

    if d.step == DraftStep.ASK:
        from handlers.texts.timeparse import render_question

        lines.append("\n❓ " + render_question(d.question, d.question_params, lang))
        if d.question == "am_or_pm":
            hm = f"{int(d.question_params.get('hour', 0))}:" \
                 f"{int(d.question_params.get('minute', 0)):02d}"
            rows.append([(t("rooms.btn.am", lang, time=hm), enc("rooms", "h", d.id, "am")),
                         (t("rooms.btn.pm", lang, time=hm), enc("rooms", "h", d.id, "pm"))])
        elif d.question == "last_or_next":  # 哪一年？ the two choices as buttons
            rows.append([(t("rooms.btn.on_day", lang, day=day_words(
                date.fromisoformat(str(d.question_params[which])), lang)),
                enc("rooms", "y", d.id, which)) for which in ("last", "next")])
        elif v.next_week is not None:  # 这周五 said on a Sunday: the coming Friday
            rows.append([(t("rooms.btn.on_day", lang, day=day_words(v.next_week, lang)),
                          enc("rooms", "y", d.id, "nw"))])
        nav((t("rooms.btn.back_day", lang), enc("rooms", "bd", d.id)))
    elif d.step == DraftStep.DAY:
        lines.append("\n" + t("rooms.ask.day", lang))
        row: list[tuple[str, str]] = []
        for day, workday in v.days:
            label = day_text(datetime(day.year, day.month, day.day, tzinfo=RULES.zone), lang)
            row.append((("★ " if workday else "") + label,
                        enc("rooms", "d", d.id, day.strftime("%Y%m%d"))))
            if len(row) == 3:
                rows.append(row)
                row = []
        if row:
            rows.append(row)
        nav()
    elif d.step == DraftStep.START:
        lines.append("\n" + t("rooms.ask.start", lang))
        times = [(s.strftime("%H:%M"), enc("rooms", "s", d.id, s.hour * 60 + s.minute))
                 for s in v.starts]
        rows += [times[i:i + 4] for i in range(0, len(times), 4)]
        nav((t("rooms.btn.back_day", lang), enc("rooms", "bd", d.id)))
    elif d.step == DraftStep.LENGTH:
        lines.append("\n" + t("rooms.ask.length", lang))
        lengths = [(length_text(n, lang), enc("rooms", "l", d.id, n)) for n in v.lengths]
        rows += [lengths[i:i + 3] for i in range(0, len(lengths), 3)]
        nav((t("rooms.btn.back_day", lang), enc("rooms", "bd", d.id)))
    elif d.step == DraftStep.NEEDS:
        from services.rooms.booking import HEADCOUNTS
        from services.rooms.catalog import EQUIPMENT

        lines.append("\n" + t("rooms.ask.needs", lang))
        rows.append([(("✓" if d.attendees == n else "") + t("rooms.btn.people", lang, n=n),
                      enc("rooms", "p", d.id, n)) for n in HEADCOUNTS])
        gear = [(("✓" if c in (d.equipment or []) else "") + t(f"rooms.equipment.{c}", lang),
                 enc("rooms", "e", d.id, c)) for c in list(EQUIPMENT)[:4]]
        rows += [gear[:2], gear[2:]]
        rows.append([(t("rooms.btn.find", lang), enc("rooms", "f", d.id))])
        nav()
    elif d.step == DraftStep.ROOM:
        if v.rooms:
            lines.append("\n" + t("rooms.ask.room", lang))
            for room in v.rooms:
                rows.append([(room_label(room, lang), enc("rooms", "r", d.id, room.id))])
        elif v.why_none is not None:  # the real reason: opening hours, an end before the start
            lines.append("\n" + t(v.why_none.code, lang, **v.why_none.params))
        else:
            lines.append("\n" + t("rooms.ask.no_room", lang, biggest=v.biggest))
        if v.slots and v.room is not None:
            lines.append(t("rooms.ask.slots", lang, room=html.escape(v.room.name)))
            for slot in v.slots:
                rows.append([(f"{v.room.name} {when(slot.start, slot.end, lang)}",
                              enc("rooms", "t", d.id, v.room.id,
                                  int(slot.start.timestamp()) // 60))])
        nav((t("rooms.btn.back_day", lang), enc("rooms", "bd", d.id)))
    elif d.step == DraftStep.TITLE:
        lines += _occurrence_lines(v, lang)
        lines.append("\n" + t("rooms.ask.title", lang))
        rows.append([(t("rooms.btn.default_title", lang), enc("rooms", "dt", d.id))])
        nav()
    elif d.step == DraftStep.CONFIRM:
        lines += _occurrence_lines(v, lang)
        if v.room is not None and v.room.needs_approval:
            lines.append(t("rooms.ask.approval", lang, room=html.escape(v.room.name)))
        if v.day_off is not None:
            kind = "weekend" if v.day_off.weekday() >= 5 else "holiday"
            lines.append(t(f"rooms.ask.day_off.{kind}", lang, day=day_words(v.day_off, lang)))
        lines.append("\n" + t("rooms.ask.confirm", lang))
        free = sum(1 for o in v.occurrences if not o.clash)
        label = (t("rooms.btn.confirm_rest", lang, n=free)
                 if any(o.clash for o in v.occurrences) else t("rooms.btn.confirm", lang))
        if v.day_off is not None:
            label = t("rooms.btn.confirm_day_off", lang)
        rows.append([(label, enc("rooms", "ok", d.id))])
        nav((t("rooms.btn.change_room", lang), enc("rooms", "cr", d.id)))
    return "\n".join(lines), buttons(rows) if rows else None


def skipped_words(skipped: list[Occurrence], lang: str, room: Room | None) -> str:
    """Each kind of date a recurring booking skips, with its count (4 次超出…预订期限)."""
    counts: dict[str, int] = {}
    for occurrence in skipped:
        counts[occurrence.skip or "taken"] = counts.get(occurrence.skip or "taken", 0) + 1
    days = room.max_days_ahead if room is not None else 30
    return t_plain("rooms.skip.sep", lang).join(
        t_plain(f"rooms.skip.{kind}", lang, n=n, days=days)
        for kind, n in sorted(counts.items(), key=lambda item: -item[1]))


def _occurrence_lines(v: DraftView, lang: str) -> list[str]:
    if not v.occurrences:
        return []
    skipped = [o for o in v.occurrences if o.skip]
    lines = ["\n" + t("rooms.ask.occurrences", lang, n=len(v.occurrences),
                      ok=len(v.occurrences) - len(skipped))]
    if skipped:
        lines.append(t("rooms.ask.skipping", lang, parts=skipped_words(skipped, lang, v.room)))
    for o in v.occurrences[:20]:
        if o.skip:
            lines.append(t("rooms.occurrence.skipped", lang, when=when(o.start, o.end, lang),
                           why=t_plain(f"rooms.why.{o.skip}", lang)))
        else:
            lines.append(t("rooms.occurrence.free", lang, when=when(o.start, o.end, lang)))
    if len(v.occurrences) > 20:
        lines.append("…")
    return lines


def room_label(room: Room, lang: str) -> str:
    gear = f" · {equipment_text(room.equipment, lang)}" if room.equipment else ""
    return f"{room.name} · {t('rooms.btn.people', lang, n=room.capacity)}{gear}"


def within(lines: list[str], limit: int = 3900) -> str:
    """Join whole lines up to Telegram's size, ending with … when some are left out."""
    kept: list[str] = []
    size = 0
    for line in lines:
        if size + len(line) + 1 > limit:
            kept.append("…")
            break
        kept.append(line)
        size += len(line) + 1
    return "\n".join(kept)


def status_text(booking: Booking, lang: str) -> str:
    if booking.status == BookingStatus.PENDING:
        return t("rooms.status.pending", lang)
    return ""


def done_text(bookings: list[Booking], skipped: list[Occurrence], changed: bool, room: Room,
              lang: str) -> str:
    first = bookings[0]
    params: dict[str, Any] = {"room": html.escape(room.name), "when": booking_when(first, lang),
                              "title": html.escape(first.title), "id": first.id}
    if changed:
        return t("rooms.done_changed", lang, **params)
    if len(bookings) > 1 or skipped:
        if not skipped:
            return t("rooms.done_series_all", lang, n=len(bookings), **params)
        return t("rooms.done_series", lang, n=len(bookings),
                 skipped=skipped_words(skipped, lang, room), **params)
    key = "rooms.done_pending" if first.status == BookingStatus.PENDING else "rooms.done"
    return t(key, lang, **params)
