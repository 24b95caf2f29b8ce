"""One behaviour for an object outside the user's scope, whatever its kind:
the translated 404 page (the same as for one that does not exist) and a
denied audit event naming the kind and the id asked for."""

import pytest
from sqlalchemy import select

from app.accounts.models import Organization
from app.audit.models import AuditEvent
from app.extensions import db
from app.policing.models import GreatCohort, PolicingSession
from app.programs.models import Program
from app.screening.models import Screening
from app.youth.models import Youth
from tests.conftest import login

MISSING = 2**31 - 1


def sv_case(app) -> str:
    with app.app_context():
        return db.session.scalar(select(Youth.case_code).where(Youth.case_code.like("SV-%")).order_by(Youth.id).limit(1))


def worker_sv_case_and_other_screening(app) -> tuple[str, int]:
    """A case of worker.sv, and a screening of another case."""
    with app.app_context():
        from app.accounts.models import User

        worker = db.session.scalar(select(User.id).where(User.username == "worker.sv"))
        own = db.session.scalar(select(Youth).where(Youth.assigned_worker_id == worker).order_by(Youth.id).limit(1))
        other = db.session.scalar(select(Screening.id).where(Screening.youth_id != own.id).limit(1))
        return own.case_code, other


def first_id(app, query) -> int:
    with app.app_context():
        found = db.session.scalar(query.limit(1))
    assert found is not None
    return found


def kinds(app) -> dict[str, tuple[str, list[tuple[str, str]]]]:
    """kind -> (who asks, [(url, object id in the audit event)]) for an object of
    El Salvador asked for from Honduras (or another organization), and one that does not exist."""
    code = sv_case(app)
    session_id = first_id(app, select(PolicingSession.id).where(PolicingSession.municipality_id.in_(
        select(Youth.municipality_id).where(Youth.case_code == code))))
    cohort_id = first_id(app, select(GreatCohort.id).order_by(GreatCohort.id))
    program_id = first_id(app, select(Program.id).join(Organization, Organization.id == Program.organization_id)
                          .where(Organization.name == "Asociación Caminos Honduras"))
    own_case, other_screening = worker_sv_case_and_other_screening(app)
    return {
        "youth": ("worker.hn", [(f"/cases/{code}", code), ("/cases/SV-ZZZZ-ZZZZ", "SV-ZZZZ-ZZZZ")]),
        "policing_session": ("worker.hn", [(f"/sessions/{session_id}", str(session_id)),
                                           (f"/sessions/{MISSING}", str(MISSING))]),
        "great_cohort": ("worker.hn", [(f"/sessions/cohorts/{cohort_id}", str(cohort_id)),
                                       (f"/sessions/cohorts/{MISSING}", str(MISSING))]),
        "program": ("coord.sv", [(f"/programs/{program_id}", str(program_id)), (f"/programs/{MISSING}", str(MISSING))]),
        "screening": ("worker.sv", [(f"/cases/{own_case}/screenings/{other_screening}", str(other_screening)),
                                    (f"/cases/{own_case}/screenings/{MISSING}", str(MISSING))]),
    }


@pytest.mark.parametrize("kind", ["youth", "policing_session", "great_cohort", "program", "screening"])
def test_an_object_outside_scope_is_an_audited_translated_404(app, client, kind):
    who, asks = kinds(app)[kind]
    login(client, who)
    for url, object_id in asks:
        response = client.get(url)
        assert response.status_code == 404, url
        assert "Esta página no existe o usted no tiene acceso a ella." in response.get_data(as_text=True)
        with app.app_context():
            event = db.session.scalar(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(1))
            assert (event.action, event.outcome, event.object_type, event.object_id, event.detail) == (
                "access.denied", "denied", kind, object_id, "not_in_scope"), url
