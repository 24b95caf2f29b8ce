"""Locale selection.

The language is the user's preference, then the language switch kept in the
session, then Accept-Language, then Spanish. Numbers, dates and times follow
the conventions of the user's country: the selected locale is the language
with the country as territory (``es_SV``, ``es_CR``, ``en_BZ``), while the
messages still come from the language's catalog (Babel's
``Translations.load`` looks for ``es_SV`` and then ``es``).

El Salvador, Guatemala, Honduras, Nicaragua and Panama write ``1,234.5``,
``12%`` and ``3:05 p. m.``; Costa Rica groups with a space and uses a
decimal comma. A user whose country is not known gets Latin-American Spanish
(``es_419``), never Spain's ``es``.
"""

import logging

from babel import Locale, localedata
from flask import current_app, g, has_request_context, request, session
from flask_babel import get_locale
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

log = logging.getLogger(__name__)

# The formats a language falls back to when the user's country is unknown,
# or when CLDR has no data for the language in that country.
REGIONAL_FALLBACK = {"es": "es_419", "en": "en"}


def user_country_code() -> str | None:
    """The ISO 3166-1 country the signed-in user works in, once per request
    (cached on ``g``): the country of the user's scope when every unit of it
    lies in one country, else the country of the user's organization. None
    when nobody is signed in (or the database cannot say)."""
    if not has_request_context():
        return None
    user_id = current_user.get_id() if current_user and current_user.is_authenticated else None
    cached = g.get("senda_country")
    if cached is None or cached[0] != user_id:  # g may outlive a request (one app context, several requests)
        cached = g.senda_country = (user_id, _lookup_country() if user_id else None)
    return cached[1]


def _lookup_country() -> str | None:
    from app.accounts.models import Organization
    from app.extensions import db
    from app.security.policy import scope_country_codes

    try:
        with db.session.no_autoflush:
            countries = db.session.scalars(scope_country_codes(current_user)).all()
            if len(countries) == 1:
                return countries[0]
            return db.session.scalar(
                select(Organization.country_code).where(Organization.id == current_user.organization_id))
    except SQLAlchemyError:
        # Formatting must never be what breaks a page (error pages included).
        log.warning("country of user %s unknown: the database did not answer", current_user.id, exc_info=True)
        db.session.rollback()
        return None


def formatting_locale(language: str, country: str | None) -> str:
    """The CLDR locale for `language` as written in `country`: ``es_SV``,
    ``es_CR``, ``en_BZ``; ``es_419`` (or the bare language) when the country
    is unknown or CLDR has no such locale."""
    if country:
        candidate = f"{language}_{country.upper()}"
        if localedata.exists(candidate):
            return candidate
    return REGIONAL_FALLBACK.get(language, language)


def select_language() -> str:
    languages = current_app.config["LANGUAGES"]
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    chosen = session.get("locale")
    if chosen in languages:
        return chosen
    return request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]


def select_locale() -> str:
    """Flask-Babel's locale selector: the language, formatted as in the user's country."""
    return formatting_locale(select_language(), user_country_code())


def current_language() -> str:
    """The language of the page (``es``, ``en``): which catalog, which
    instrument texts, which country names. Not the formatting locale."""
    locale = get_locale()
    return locale.language if locale else current_app.config["BABEL_DEFAULT_LOCALE"]


def html_lang(locale: Locale | None = None) -> str:
    """The page's BCP 47 language tag: ``es-SV``, ``es-419``, ``en``."""
    locale = locale or get_locale()
    if locale is None:
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    return f"{locale.language}-{locale.territory}" if locale.territory else locale.language
