"""Date arithmetic shared by features."""

import calendar
from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import current_app


def local_now() -> datetime:
    """Now in the program's time zone (naive), as people there read the clock."""
    return datetime.now(ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])).replace(tzinfo=None)


def local_today() -> date:
    """Today in the program's time zone: the server runs in UTC, six hours ahead."""
    return local_now().date()


def add_months(start: date, months: int) -> date:
    """The same day `months` later, clamped to the month's last day."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))
