"""Two saves of one record racing past the form's version check: exactly one
goes through; the other is told, and changes nothing."""

from sqlalchemy import select, update
from sqlalchemy.orm.exc import StaleDataError

from app.extensions import db
from app.formtools import claim_version
from app.youth.models import Youth
from tests.conftest import login


def test_a_save_landing_after_the_check_wins_over_the_late_one(app):
    with app.app_context():
        youth = db.session.scalar(select(Youth).where(Youth.case_code == "SV-DEMO-0010"))
        loaded = youth.version
        with db.engine.begin() as other:  # another request saves between this one's load and its write
            other.execute(update(Youth.__table__).where(Youth.__table__.c.id == youth.id)
                          .values(version=loaded + 1, school_status="other_saved_this"))
        assert not claim_version(youth, str(loaded))  # the form version still matches the loaded row
        db.session.rollback()
        db.session.expire_all()
        saved = db.session.get(Youth, youth.id)
        assert (saved.version, saved.school_status) == (loaded + 1, "other_saved_this")


def test_claiming_the_current_version_raises_it_once(app):
    with app.app_context():
        youth = db.session.scalar(select(Youth).where(Youth.case_code == "SV-DEMO-0010"))
        loaded = youth.version
        assert claim_version(youth, str(loaded))
        assert not claim_version(youth, str(loaded))  # the same form cannot claim twice
        db.session.commit()
        db.session.expire_all()
        assert db.session.get(Youth, youth.id).version == loaded + 1


def test_a_race_caught_by_the_database_answers_409_in_the_users_language(app):
    def racing_save():
        raise StaleDataError("UPDATE statement on table 'policing_sessions' expected to update 1 row(s); 0 were matched.")

    app.add_url_rule("/test-race", view_func=racing_save)
    client = app.test_client()
    login(client, "police.sv")
    response = client.get("/test-race")
    body = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Otra persona guardó este registro al mismo tiempo" in body and "policing_sessions" not in body
