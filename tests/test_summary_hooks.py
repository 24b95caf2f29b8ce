"""The commit hooks are the app's, registered by create_app: a bulk (Core)
statement on a counted table through the session is refused, so the stored
summaries keep equal to the base-table SQL; one that names what it changed
(touch() and the execution option) is kept in step."""

import pytest
from sqlalchemy import event, select, update
from sqlalchemy.orm import Session

from app.audit.service import _before_commit
from app.extensions import db
from app.formtools import claim_version
from app.reports import tracking
from app.reports.tracking import UntrackedWrite
from app.youth.models import Youth
from tests.test_report_aggregates import assert_all_equal
from tests.test_reports import TODAY, dataset, municipality  # noqa: F401  (the hand-built data set)


def test_the_hooks_are_on_the_apps_session_not_on_every_session(app):
    assert event.contains(db.session, "before_commit", _before_commit)
    assert event.contains(db.session, "do_orm_execute", tracking._guard_bulk)
    assert not event.contains(Session, "before_commit", _before_commit)
    assert not event.contains(Session, "after_flush", tracking._collect)


@pytest.mark.usefixtures("dataset")
def test_a_core_update_of_a_counted_table_is_refused_and_the_summaries_stay_equal(app):
    with app.app_context():
        assert_all_equal()  # the stored cells are computed and equal before
        north, south = municipality("SV-MO-001"), municipality("SV-MO-002")
        moved = db.session.scalars(select(Youth.id).where(Youth.municipality_id == north.id)).all()
        with pytest.raises(UntrackedWrite):
            db.session.execute(update(Youth).where(Youth.id.in_(moved)).values(municipality_id=south.id))
        db.session.rollback()
        assert db.session.scalar(select(Youth.municipality_id).where(Youth.id == moved[0])) == north.id
        assert_all_equal()


@pytest.mark.usefixtures("dataset")
def test_a_core_update_that_names_its_municipalities_keeps_the_summaries_equal(app):
    with app.app_context():
        assert_all_equal()
        north, south = municipality("SV-MO-001"), municipality("SV-MO-002")
        tracking.touch(db.session(), [north.id, south.id])
        db.session.execute(update(Youth).where(Youth.municipality_id == north.id).values(municipality_id=south.id)
                           .execution_options(**{tracking.TOUCHED: True}))
        db.session.commit()
        assert db.session.scalar(select(Youth.id).where(Youth.municipality_id == north.id).limit(1)) is None
        assert_all_equal()


def test_the_version_claim_counts_nothing_and_goes_through(app):
    with app.app_context():
        youth = db.session.scalar(select(Youth).limit(1))
        assert claim_version(youth, str(youth.version))
        db.session.rollback()
