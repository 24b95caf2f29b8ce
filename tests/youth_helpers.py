"""Helpers for the youth case tests."""

import re
from datetime import date, timedelta

from sqlalchemy import event, select

from app.extensions import db
from app.screening.services import active_instrument, definition_of
from app.youth.models import Youth
from tests.conftest import csrf_token, local_date


def municipality_id(app, code: str) -> int:
    from app.geo.models import Municipality

    with app.app_context():
        return db.session.scalar(select(Municipality.id).where(Municipality.code == code))


def user_id(app, username: str) -> int:
    from app.accounts.models import User

    with app.app_context():
        return db.session.scalar(select(User.id).where(User.username == username))


def registration(app, **overrides) -> dict:
    born = local_date(app) - timedelta(days=15 * 365)
    return {
        "given_names": "José Miguel", "family_name_1": "Ramírez", "family_name_2": "Portillo",
        "birth_date": born.isoformat(), "sex": "M", "municipality_id": municipality_id(app, "SV-SS-001"),
        "community": "Colonia Escalón", "school_status": "enrolled", "work_status": "not_working",
        "guardian_name": "Rosa Portillo", "guardian_contact": "7000-1234", "referral_source": "school",
        "assigned_worker_id": user_id(app, "worker.sv"), **overrides,
    }


def post(client, url: str, data: dict, form_url: str | None = None, **kwargs):
    token = csrf_token(client, form_url or url)
    return client.post(url, data={**data, "csrf_token": token}, **kwargs)


def register(client, app, **overrides):
    """Register a youth; returns the new case code (follows a duplicate warning)."""
    response = post(client, "/cases/new", registration(app, **overrides))
    if response.status_code == 200 and "not_duplicate" in response.get_data(as_text=True):
        response = post(client, "/cases/new", {**registration(app, **overrides), "not_duplicate": "y"})
    assert response.status_code == 302, response.get_data(as_text=True)[-3000:]
    return response.headers["Location"].rsplit("/", 1)[-1]


def youth(app, code: str) -> Youth:
    with app.app_context():
        found = db.session.scalar(select(Youth).where(Youth.case_code == code))
        if found is not None:
            _ = (found.given_names, found.family_name_1, found.family_name_2, found.birth_date,
                 found.guardian_name, found.guardian_contact, found.community)
            db.session.expunge(found)
        return found


def screening_answers(app, level: str = "primary") -> dict:
    """Answers for the active instrument: all lowest (primary), all highest
    (secondary), or lowest with gang involvement (tertiary)."""
    with app.app_context():
        instrument = definition_of(active_instrument())
    value = instrument.max_answer if level == "secondary" else 0
    data = {f"item_{item.code}": str(instrument.max_answer - value if item.reverse else value)
            for item in instrument.items()}
    data.update({f"flag_{flag.code}": "no" for flag in instrument.flags})
    if level == "tertiary":
        data["flag_gang_involvement"] = "yes"
    return data


def give_consent(client, code: str, purpose: str = "services", on: date | None = None):
    return post(client, f"/cases/{code}/consents", {
        "purpose": purpose, "given_by": "both", "given_on": (on or local_date(client.application)).isoformat(), "expires_on": ""},
        form_url=f"/cases/{code}")


class QueryCounter:
    def __init__(self, engine):
        self.engine, self.count = engine, 0

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self._count)
        return self

    def __exit__(self, *exc):
        event.remove(self.engine, "before_cursor_execute", self._count)

    def _count(self, *args, **kwargs):
        self.count += 1


CASE_LINK = re.compile(r'href="/cases/([A-Z]{2}-[0-9A-Z]{4}-[0-9A-Z]{4})"')
