"""The caseload query: one scoped SELECT with filters, counted and paged in
two queries whatever the page size."""

import re
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from sqlalchemy import Select, func, or_, select

from app.accounts.models import User
from app.cases import lifecycle
from app.cases.status import IN_PROGRAM, OPEN_STATUSES, STATUSES
from app.geo.models import Municipality
from app.programs.models import Program
from app.security.crypto import blind_index
from app.security.policy import visible_youth
from app.youth.models import Youth

CASE_CODE = re.compile(r"^[A-Z]{2}-[0-9A-Z]{4}-[0-9A-Z]{4}$")


def name_condition(term: str):
    key = blind_index(term)
    return or_(Youth.full_name_bidx == key, Youth.short_name_bidx == key, Youth.given_bidx == key,
               Youth.family_1_bidx == key, Youth.family_2_bidx == key)


def caseload_query(user: User, filters: Mapping[str, Any], today) -> Select:
    """The cases matching plain filter values (the caseload form's `.data`,
    read by app.filters.filter_form: each value is a valid choice or None)."""
    query = visible_youth(user)
    term = (filters.get("q") or "").strip()
    if term:
        code = term.upper()
        query = query.where(Youth.case_code == code if CASE_CODE.match(code) else name_condition(term))
    status = filters.get("status")
    if status in STATUSES:
        query = query.where(Youth.status == status)
    elif status != "all":
        query = query.where(Youth.status.in_(OPEN_STATUSES))
    for name, column in (("program", Youth.current_program_id), ("municipality", Youth.municipality_id),
                         ("worker", Youth.assigned_worker_id)):
        if filters.get(name):
            query = query.where(column == filters[name])
    if filters.get("overdue"):
        query = query.where(Youth.status.in_(IN_PROGRAM), Youth.reassessment_due < today)
    if filters.get("no_contact"):
        query = query.where(Youth.status.in_(IN_PROGRAM),
                            or_(Youth.last_contact_on.is_(None),
                                Youth.last_contact_on < today - timedelta(days=lifecycle.NO_CONTACT_DAYS)))
    return query


ORDER = {
    "status": (Youth.status, Youth.id),
    "reassessment": (Youth.reassessment_due.is_(None), Youth.reassessment_due, Youth.id),
    "contact": (Youth.last_contact_on.is_(None).desc(), Youth.last_contact_on, Youth.id),
    "referred": (Youth.referred_on.desc(), Youth.id.desc()),
}


def page_rows(query: Select, sort: str | None, limit: int, offset: int) -> Select:
    """One page of the caseload in one statement: a narrow inner query picks
    the page's ids (and counts every match with a window function) from the
    indexes; only those rows are then joined and read whole."""
    order = ORDER.get(sort or "referred", ORDER["referred"])
    page = (
        query.with_only_columns(Youth.id, func.count().over().label("total"))
        .order_by(*order).limit(limit).offset(offset).subquery("page")
    )
    return (
        select(Youth, Municipality.name, Program.name, User.username, page.c.total)
        .join(page, page.c.id == Youth.id)
        .join(Municipality, Municipality.id == Youth.municipality_id)
        .join(User, User.id == Youth.assigned_worker_id)
        .outerjoin(Program, Program.id == Youth.current_program_id)
        .order_by(*order)
    )


def count_of(query: Select) -> Select:
    return select(func.count()).select_from(query.subquery())
