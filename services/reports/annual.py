"""The annual summary's figures: each one a query on the records, with the records it found.

The summary (handlers/views/reports.py) words these in the office's order: 办文、办会、办事；
接待；宣传信息；后勤保障；舆情. A figure the records cannot give (the park magazine's issues,
the city's ranking of information pieces) has no value and is left for the office to fill in.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from services.reports import Period
from services.reports.figures import YearInNumbers

#: (paragraph, figure keys in the paragraph's order): the office's order of its year.
PARAGRAPHS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("work", ("received", "on_time", "issued", "drafts", "bulletins", "meetings", "seals",
              "approvals")),
    ("reception", ("receptions", "guests", "meals")),
    ("publicity", ("reports", "front_pages", "magazine", "info_used", "city_rank")),
    ("logistics", ("supplies", "purchases", "repairs", "repairs_done")),
    ("opinion", ("opinion_items", "negative", "handled", "false_alarms", "zero_days")),
)
#: Figures only the office knows (no record of them in the bot): always a marked blank.
UNKNOWN = ("magazine", "city_rank")
#: Figures taken from a report section's metric: key -> (section, metric).
FROM_SECTIONS = {
    "on_time": ("documents", "on_time"), "seals": ("seals", "stamps"),
    "approvals": ("approvals", "submitted"), "guests": ("receptions", "guests"),
    "supplies": ("supplies", "requests_handled"), "purchases": ("supplies", "purchases"),
    "repairs": ("repairs", "reported"), "repairs_done": ("repairs", "completed"),
    "opinion_items": ("opinion", "items_monitored"),
    "zero_days": ("opinion", "zero_report_days"),
}


@dataclass(frozen=True)
class Figure:
    """One figure of the summary: its value (None = for the office to fill in), the query
    that produced it and the records it counted."""

    key: str
    value: float | None
    query: str
    records: list[str] = field(default_factory=list)
    #: True when `records` lists every record counted (the figure is their number).
    listed: bool = False


Records = Callable[[Period], Awaitable[tuple[str, list[str]]]]
_RECORDS: dict[str, Records] = {}


def counted(key: str) -> Callable[[Records], Records]:
    """Register the query that lists the records a figure counts."""

    def wrap(func: Records) -> Records:
        _RECORDS[key] = func
        return func

    return wrap


def _span(period: Period) -> str:
    return f"[{period.start.isoformat()}, {period.end.isoformat()})"


def _days(period: Period) -> str:
    return f"[{period.first.isoformat()}, {period.after.isoformat()})"


@counted("received")
async def _received(period: Period) -> tuple[str, list[str]]:
    from models.documents import IncomingDocument
    from services.documents.common import incoming_no

    found = await IncomingDocument.filter(registered_at__gte=period.start,
                                          registered_at__lt=period.end).order_by("year", "seq")
    return (f"IncomingDocument: registered_at in {_span(period)}",
            [f"{incoming_no(d.year, d.seq)} {d.title}" for d in found])


@counted("issued")
async def _issued(period: Period) -> tuple[str, list[str]]:
    from models.documents import OutgoingDocument, OutgoingStatus
    from services.documents.common import outgoing_no

    found = await OutgoingDocument.filter(issued_at__gte=period.start, issued_at__lt=period.end,
                                          status=OutgoingStatus.ISSUED).order_by("number")
    return (f"OutgoingDocument: status=issued, issued_at in {_span(period)}",
            [f"{outgoing_no(d.prefix, d.year, d.number)} {d.title}" for d in found])


#: The drafted materials' kinds as the office says them in the sources sheet (the records are
#: listed in Chinese, as the registers' numbers are); the same words as the text catalogue's
#: publicity.dkind.* (a unit test keeps them equal).
DRAFT_KINDS = {"speech": "讲话", "report": "报告", "request": "请示", "research": "调研报告",
               "minutes": "纪要", "plan": "方案", "other": "其他文稿"}


@counted("drafts")
async def _drafts(period: Period) -> tuple[str, list[str]]:
    from models.publicity import DraftingTask, TaskStatus

    found = await DraftingTask.filter(status=TaskStatus.ACCEPTED, done_at__gte=period.start,
                                      done_at__lt=period.end).order_by("done_at", "id")
    return (f"DraftingTask: status=accepted, done_at in {_span(period)}",
            [f"#{t.id} {DRAFT_KINDS.get(t.kind.value, t.kind.value)} {t.title}"
             for t in found])


@counted("bulletins")
async def _bulletins(period: Period) -> tuple[str, list[str]]:
    from models.publicity import Bulletin, BulletinStatus

    found = await Bulletin.filter(status=BulletinStatus.ISSUED, issued_at__gte=period.start,
                                  issued_at__lt=period.end).order_by("year", "number")
    return (f"Bulletin: status=issued, issued_at in {_span(period)}",
            [f"参阅{b.year}年第{b.number}期" for b in found])


@counted("meetings")
async def _meetings(period: Period) -> tuple[str, list[str]]:
    from models.rooms import Booking, BookingStatus
    from services.rooms.booking import utc

    found = await Booking.filter(status=BookingStatus.CONFIRMED, start_at__gte=utc(period.start),
                                 start_at__lt=utc(period.end)).order_by("start_at", "id")
    return (f"Booking: status=confirmed, start_at in {_span(period)}",
            [f"#{b.id} {b.start_at.astimezone(period.tz):%Y-%m-%d %H:%M} {b.title}"
             for b in found])


@counted("receptions")
async def _receptions(period: Period) -> tuple[str, list[str]]:
    from models.receptions import Reception, ReceptionStatus

    found = await Reception.filter(status=ReceptionStatus.COMPLETED, start__gte=period.start,
                                   start__lt=period.end).order_by("start")
    return (f"Reception: status=completed, start in {_span(period)}",
            [f"#{r.id} {r.unit}" for r in found])


@counted("meals")
async def _meals(period: Period) -> tuple[str, list[str]]:
    from models.receptions import OfficialMeal, ReceptionMeal

    found = await ReceptionMeal.filter(held_at__gte=period.start, held_at__lt=period.end
                                       ).order_by("held_at", "id")
    quick = await OfficialMeal.filter(held_at__gte=period.start, held_at__lt=period.end
                                      ).order_by("held_at", "id")
    return (f"ReceptionMeal + OfficialMeal: held_at in {_span(period)}",
            [f"#{m.id} 接待#{m.reception_id}" for m in found]  # type: ignore[attr-defined]
            + [f"公务用餐#{m.id} {m.held_at.astimezone(period.tz):%Y-%m-%d} {m.unit}"
               for m in quick])


async def _negative_items(period: Period, *statuses: str) -> list[str]:
    """The negative items collected in the period whose event (case) is in one of the statuses.
    The opinion sentence counts items throughout (监测…条，其中负面…条，已处置…条): two reports
    of one incident are one event but two items, each handled when its event is."""
    from models.opinion import OpinionItem

    found = await OpinionItem.filter(
        fetched_at__gte=period.start, fetched_at__lt=period.end, relevant=True, neg=True,
        cluster__case__status__in=list(statuses)).order_by("fetched_at", "id")
    return [f"#{i.id} {i.title}" for i in found]


_EVENT_QUERY = ("OpinionItem: relevant, negative, fetched_at in {span}, its event's case "
                "status in ({statuses})")


@counted("negative")
async def _negative(period: Period) -> tuple[str, list[str]]:
    statuses = ("pending", "handling", "handled")
    return (_EVENT_QUERY.format(span=_span(period), statuses=", ".join(statuses)),
            await _negative_items(period, *statuses))


@counted("handled")
async def _handled(period: Period) -> tuple[str, list[str]]:
    return (_EVENT_QUERY.format(span=_span(period), statuses="handled"),
            await _negative_items(period, "handled"))


@counted("false_alarms")
async def _false_alarms(period: Period) -> tuple[str, list[str]]:
    return (_EVENT_QUERY.format(span=_span(period), statuses="false_alarm"),
            await _negative_items(period, "false_alarm"))


@counted("reports")
async def _reports(period: Period) -> tuple[str, list[str]]:
    from models.publicity import MediaReport

    found = await MediaReport.filter(published_on__gte=period.first,
                                     published_on__lt=period.after).order_by("published_on", "id")
    return (f"MediaReport: published_on in {_days(period)} (every report carried by a medium; "
            "the publicity ledger counts a story once at its highest level for scoring)",
            [f"#{r.id} {r.published_on.isoformat()} {r.headline}" for r in found])


@counted("front_pages")
async def _front(period: Period) -> tuple[str, list[str]]:
    from models.publicity import MediaReport

    found = await MediaReport.filter(published_on__gte=period.first,
                                     published_on__lt=period.after, front_page=True
                                     ).order_by("published_on", "id")
    return (f"MediaReport: front_page, published_on in {_days(period)}",
            [f"#{r.id} {r.published_on.isoformat()} {r.headline}" for r in found])


@counted("info_used")
async def _info(period: Period) -> tuple[str, list[str]]:
    from models.publicity import InfoPiece, InfoStatus

    found = await InfoPiece.filter(status=InfoStatus.USED, decided_at__gte=period.start,
                                   decided_at__lt=period.end).order_by("decided_at", "id")
    return (f"InfoPiece: status=used, decided_at in {_span(period)}",
            [f"#{p.id} {p.title}" for p in found])


async def annual_figures(data: YearInNumbers, period: Period) -> dict[str, Figure]:
    """Every figure of the summary, each with its query and its records."""
    result: dict[str, Figure] = {}
    for _, keys in PARAGRAPHS:
        for key in keys:
            if key in UNKNOWN:
                result[key] = Figure(key, None, "")
            elif key in _RECORDS:
                query, records = await _RECORDS[key](period)
                result[key] = Figure(key, float(len(records)), query, records, listed=True)
            else:
                section, metric = FROM_SECTIONS[key]
                value = data.totals.get(section, {}).get(metric)
                result[key] = Figure(key, value, f"report section {section}.{metric} "
                                     f"(services/reports/{section}.py) over {_span(period)}")
    return result


def year_period(year: int, tz: object) -> Period:
    return Period.of("year", date(year, 1, 1), tz)  # type: ignore[arg-type]


__all__ = ["PARAGRAPHS", "Figure", "annual_figures", "datetime", "year_period"]
