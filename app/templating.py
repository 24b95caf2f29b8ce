"""Names every template can use."""

from babel.dates import format_skeleton, get_day_names
from flask import Flask, g
from flask_babel import format_date, format_datetime, format_decimal, format_percent, format_time, get_locale

from app.accounts.roles import ORG_KIND_LABELS, ROLE_DESCRIPTIONS, ROLE_LABELS
from app.cases import lifecycle
from app.cases.status import CaseStatus
from app.casework import models as casework
from app.filters import link_args
from app.i18n import current_language, html_lang
from app.navigation import nav_entries
from app.policing import codes as policing_codes
from app.programs import models as programs
from app.screening.labels import level_reason
from app.security.policy import can, may_read_session_notes
from app.youth import codes


def code_labels() -> dict:
    """Every coded value's translated labels, by kind, for templates."""
    if "senda_labels" in g:
        return g.senda_labels
    lazy = {
        "sex": codes.SEXES, "school": codes.SCHOOL_STATUSES, "work": codes.WORK_STATUSES,
        "referral": codes.REFERRAL_SOURCES, "status": codes.STATUSES, "exit": codes.EXIT_REASONS,
        "purpose": codes.CONSENT_PURPOSES, "giver": codes.CONSENT_GIVERS, "level": programs.LEVELS,
        "program_kind": programs.KINDS, "goal": casework.GOAL_STATUSES, "contact": casework.CONTACT_KINDS,
        "gang": casework.GANG_STATUSES,
    }
    # Translated once per request, not once per table cell.
    g.senda_labels = {kind: {code: str(label) for code, label in values.items()} for kind, values in lazy.items()}
    return g.senda_labels


def scope_label(user) -> str:
    return ", ".join(scope.code for scope in user.scopes)


def format_month(day) -> str:
    """A month heading as the locale writes it: "diciembre de 2026", "December 2026"."""
    return format_skeleton("yMMMM", day, locale=get_locale())


def init_app(app: Flask) -> None:
    # Every number, date and time is formatted by Babel in the user's locale
    # (app.i18n: the language, with the user's country's conventions).
    app.add_template_filter(format_decimal, "format_number")
    app.add_template_filter(format_percent, "format_percent")
    app.add_template_filter(format_date, "format_date")
    app.add_template_filter(format_datetime, "format_datetime")
    app.add_template_filter(format_time, "format_time")
    app.add_template_filter(format_month, "format_month")
    # The filters a link carries on: not the page, nor a name url_for would take for its own.
    app.add_template_filter(link_args, "reject_page")

    @app.context_processor
    def inject():
        return {
            "current_locale": current_language(),  # the language: es, en
            "html_lang": html_lang(),  # BCP 47, with the country: es-SV
            "nav_entries": nav_entries,
            "role_label": lambda role: ROLE_LABELS.get(role, role),
            "org_kind_label": lambda kind: ORG_KIND_LABELS.get(kind, kind),
            "role_description": lambda role: ROLE_DESCRIPTIONS.get(role, ""),
            "scope_label": scope_label,
            "labels": code_labels(),
            "can": can,
            "may_read_session_notes": may_read_session_notes,
            "case_rules": lifecycle,  # may_screen, may_enroll, reassessment_overdue...: the rules, not copies
            "CaseStatus": CaseStatus,
            "level_reason": level_reason,
            "session_kinds": policing_codes.KINDS,
            "session_venues": policing_codes.VENUES,
            "session_curricula": policing_codes.CURRICULA,
            "lesson_totals": policing_codes.LESSONS,
            "count_fields": (*policing_codes.SEX_COUNTS, *policing_codes.AGE_COUNTS),
            "count_labels": policing_codes.COUNT_LABELS,
            "weekday_name": lambda day: get_day_names("abbreviated", locale=get_locale())[day],
        }
