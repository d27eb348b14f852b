"""Periods of whole days that reports and KPIs are asked for: presets, `from`/`to` dates, their limits."""

import calendar
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils import timezone

MAX_PERIOD_DAYS = 731


@dataclass(frozen=True)
class Period:
    """Whole days from `start` to `end`, both included, in the server's time zone."""

    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def bounds(self) -> tuple[datetime, datetime]:
        zone = timezone.get_current_timezone()
        return (
            datetime.combine(self.start, time.min, tzinfo=zone),
            datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=zone),
        )


def this_month(today: date | None = None) -> Period:
    today = today or timezone.localdate()
    last_day = calendar.monthrange(today.year, today.month)[1]
    return Period(today.replace(day=1), today.replace(day=last_day))


def last_month(today: date | None = None) -> Period:
    today = today or timezone.localdate()
    return this_month(today.replace(day=1) - timedelta(days=1))


def last_90_days(today: date | None = None) -> Period:
    today = today or timezone.localdate()
    return Period(today - timedelta(days=89), today)


PRESETS = {
    "this_month": ("This month", this_month),
    "last_month": ("Last month", last_month),
    "last_90_days": ("Last 90 days", last_90_days),
}


class BadPeriod(ValueError):
    pass


def parse_period(params) -> tuple[Period, str]:
    """The period a report asks for: a preset, or `from`/`to` dates; (period, preset name or "")."""
    preset = params.get("preset", "")
    start, end = params.get("from", "").strip(), params.get("to", "").strip()
    if preset in PRESETS and not (start or end):
        return PRESETS[preset][1](), preset
    if not (start or end):
        return this_month(), "this_month"
    try:
        start_date = date.fromisoformat(start) if start else None
        end_date = date.fromisoformat(end) if end else None
    except ValueError:
        raise BadPeriod("Give dates as YYYY-MM-DD.")
    end_date = end_date or timezone.localdate()
    start_date = start_date or end_date.replace(day=1)
    if start_date > end_date:
        raise BadPeriod("The period starts after it ends.")
    if (end_date - start_date).days + 1 > MAX_PERIOD_DAYS:
        raise BadPeriod("Choose a period of two years or less.")
    period = Period(start_date, end_date)
    matching = [name for name, (_, make) in PRESETS.items() if make() == period]
    return period, (matching[0] if matching else "")


def period_between(start: date | None, end: date | None) -> Period:
    """A period of whole days; default this month so far. ValueError says what is wrong."""
    today = timezone.localdate()
    end = end or today
    start = start or end.replace(day=1)
    if start > end:
        raise ValueError("The period starts after it ends.")
    if (end - start).days + 1 > MAX_PERIOD_DAYS:
        raise ValueError("Choose a period of two years or less.")
    return Period(start, end)
