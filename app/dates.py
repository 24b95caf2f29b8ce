"""Date arithmetic shared by features, and the local clock.

The server runs in UTC; people read the clock of their country. Inside a
request "now" and "today" are those of the signed-in user's country (see
`app.i18n.user_country_code`); outside a request, or for a country with no
zone here, those of the configured BABEL_DEFAULT_TIMEZONE (El Salvador's)."""

import calendar
from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import current_app

# The seven countries' zones: none of them observes daylight saving time.
COUNTRY_ZONES = {
    "GT": "America/Guatemala",
    "BZ": "America/Belize",
    "SV": "America/El_Salvador",
    "HN": "America/Tegucigalpa",
    "NI": "America/Managua",
    "CR": "America/Costa_Rica",
    "PA": "America/Panama",  # UTC-5; the others UTC-6
}


def country_zone(country_code: str | None) -> str:
    """A country's zone name; the configured zone for None or an unknown code."""
    return COUNTRY_ZONES.get((country_code or "").upper()) or current_app.config["BABEL_DEFAULT_TIMEZONE"]


def user_zone() -> str:
    """The zone of the signed-in user's country inside a request (the country
    `app.i18n.user_country_code` finds, once per request, for number formats
    too), else the configured one."""
    from app.i18n import user_country_code  # app.i18n formats dates: import here, not at load

    return country_zone(user_country_code())


def local_now(country_code: str | None = None) -> datetime:
    """Now (naive) as people read the clock: in `country_code`'s zone when
    given, else in the signed-in user's country (see `user_zone`)."""
    zone = country_zone(country_code) if country_code else user_zone()
    return datetime.now(ZoneInfo(zone)).replace(tzinfo=None)


def local_today(country_code: str | None = None) -> date:
    """Today where the user is (or in `country_code`): the server's UTC date
    is a day ahead from 18:00 (19:00 in Panama)."""
    return local_now(country_code).date()


def add_months(start: date, months: int) -> date:
    """The same day `months` later, clamped to the month's last day."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))
