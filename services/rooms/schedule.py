"""Schedules by day, calendar feeds (RFC 5545) per room and per person, and usage figures."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from icalendar import Calendar, Event

from models.core import Staff
from models.rooms import HOLDING, Booking, BookingStatus, PersonFeed, Room
from services import workdays
from services.errors import InvalidInput, NotFound
from services.rooms.booking import utc
from services.rooms.catalog import RULES, list_rooms

FEED_PAST = timedelta(days=30)
FEED_AHEAD = timedelta(days=365)


@dataclass
class RoomDay:
    room: Room
    bookings: list[Booking]


async def day_schedule(day: date) -> list[RoomDay]:
    """Each active room with its bookings that hold it on this local day."""
    start = datetime.combine(day, time(0), RULES.zone)
    end = start + timedelta(days=1)
    bookings = await Booking.filter(status__in=list(HOLDING), start_at__lt=utc(end),
                                    end_at__gt=utc(start)).order_by("start_at").prefetch_related(
        "organiser")
    return [RoomDay(room, [b for b in bookings if b.room_id == room.id])  # type: ignore[attr-defined]
            for room in await list_rooms()]


#: A feed token as the bot makes them (secrets.token_urlsafe); anything else names no feed
#: and is answered 404 without asking the database.
_FEED_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,48}")


def _new_token() -> str:
    return secrets.token_urlsafe(24)


async def person_feed_token(staff: Staff) -> str:
    """The person's secret feed token, made on first use."""
    feed = await PersonFeed.get_or_none(staff_id=staff.id)
    if feed is None:
        feed, _ = await PersonFeed.get_or_create(
            staff_id=staff.id, defaults={"token": _new_token()})
    return feed.token


async def rotate_person_feed(staff: Staff) -> str:
    """Give the person a new feed token: the old address answers 404 from now on."""
    feed, created = await PersonFeed.get_or_create(staff_id=staff.id,
                                                   defaults={"token": _new_token()})
    if not created:
        feed.token = _new_token()
        await feed.save(update_fields=["token"])
    return feed.token


def _calendar(name: str, bookings: list[Booking], rooms: dict[int, Room]) -> bytes:
    cal = Calendar()
    cal.add("prodid", "-//officebot//rooms//ZH")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", RULES.tz)
    for booking in bookings:
        room = rooms.get(booking.room_id)  # type: ignore[attr-defined]
        event = Event()
        event.add("uid", f"booking-{booking.id}@officebot")
        event.add("dtstamp", booking.updated_at)
        event.add("last-modified", booking.updated_at)
        event.add("dtstart", booking.start_at)
        event.add("dtend", booking.end_at)
        event.add("summary", booking.title)
        event.add("location", room.name if room else "")
        event.add("sequence", booking.sequence)
        event.add("status", {BookingStatus.CONFIRMED: "CONFIRMED",
                             BookingStatus.PENDING: "TENTATIVE"}.get(booking.status, "CANCELLED"))
        cal.add_component(event)
    return bytes(cal.to_ical())


async def room_feed(token: str, now: datetime) -> bytes:
    """The iCalendar of one room's bookings (cancelled ones stay, marked, so clients drop them)."""
    room = await Room.get_or_none(feed_token=token) if _FEED_TOKEN.fullmatch(token) else None
    if room is None:
        raise NotFound("rooms.error.feed_unknown")
    bookings = await Booking.filter(room_id=room.id, start_at__gte=utc(now - FEED_PAST),
                                    start_at__lt=utc(now + FEED_AHEAD)).order_by("start_at")
    return _calendar(room.name, list(bookings), {room.id: room})


async def person_feed(token: str, now: datetime) -> bytes:
    """The iCalendar of one person's bookings, while that person is an active member."""
    feed = (await PersonFeed.get_or_none(token=token).prefetch_related("staff")
            if _FEED_TOKEN.fullmatch(token) else None)
    if feed is None or not feed.staff.active:
        raise NotFound("rooms.error.feed_unknown")
    bookings = await Booking.filter(organiser_id=feed.staff.id, start_at__gte=utc(now - FEED_PAST),
                                    start_at__lt=utc(now + FEED_AHEAD)).order_by("start_at")
    rooms = {r.id: r for r in await list_rooms(include_inactive=True)}
    return _calendar(feed.staff.name, list(bookings), rooms)


@dataclass
class RoomUsage:
    room: Room
    meetings: int
    hours: float
    open_hours: float

    @property
    def utilisation(self) -> float:
        return self.hours / self.open_hours if self.open_hours else 0.0


def period_bounds(period: str, now: datetime) -> tuple[date, date]:
    """The current week, month or year as [first day, day after the last)."""
    today = now.astimezone(RULES.zone).date()
    if period == "week":
        first = today - timedelta(days=today.weekday())
        return first, first + timedelta(days=7)
    if period == "month":
        first = today.replace(day=1)
        nxt = (first + timedelta(days=32)).replace(day=1)
        return first, nxt
    if period == "year":
        return today.replace(month=1, day=1), today.replace(year=today.year + 1, month=1, day=1)
    raise InvalidInput("rooms.error.bad_period", value=period)


async def usage(first: date, after: date) -> list[RoomUsage]:
    """Per room: meetings held, hours booked and the share of its workday opening hours."""
    start = datetime.combine(first, time(0), RULES.zone)
    end = datetime.combine(after, time(0), RULES.zone)
    bookings = await Booking.filter(status=BookingStatus.CONFIRMED, start_at__gte=utc(start),
                                    start_at__lt=utc(end))
    days = [first + timedelta(days=i) for i in range((after - first).days)]
    open_days = sum(1 for d in days if workdays.is_workday(d))
    result = []
    for room in await list_rooms():
        mine = [b for b in bookings if b.room_id == room.id]  # type: ignore[attr-defined]
        hours = sum((b.end_at - b.start_at).total_seconds() for b in mine) / 3600
        open_hours = open_days * (room.closes_minute - room.opens_minute) / 60
        result.append(RoomUsage(room, len(mine), round(hours, 2), open_hours))
    return result


async def meetings_arranged(start: datetime, end: datetime) -> int:
    """How many meetings were arranged (confirmed bookings starting in [start, end))."""
    return await Booking.filter(status=BookingStatus.CONFIRMED, start_at__gte=utc(start),
                                start_at__lt=utc(end)).count()
