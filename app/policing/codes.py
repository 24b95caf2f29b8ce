"""Coded values of community-policing sessions, with translated labels."""

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext

KINDS = {
    "great_lesson": _l("G.R.E.A.T. lesson"),
    "community_meeting": _l("Community meeting"),
    "school_visit": _l("School visit"),
    "sports_cultural": _l("Sports or cultural activity"),
    "family_visit": _l("Family visit"),
    "security_council": _l("Citizen-security council"),
    "other": _l("Other"),
}
VENUES = {
    "school": _l("School"),
    "community_center": _l("Community center"),
    "sports_field": _l("Sports field"),
    "church": _l("Church"),
    "other": _l("Other"),
}
STATUSES = {"held": _l("Held"), "cancelled": _l("Cancelled")}
# G.R.E.A.T. curricula and their number of lessons.
CURRICULA = {"elementary": _l("Elementary (6 lessons)"), "middle": _l("Middle school (13 lessons)")}
LESSONS = {"elementary": 6, "middle": 13}

SEX_COUNTS = ("female", "male", "sex_not_recorded")
AGE_COUNTS = ("under_12", "age_12_14", "age_15_17", "age_18_24", "age_25_plus")
COUNT_LABELS = {
    "female": lazy_pgettext("count", "Female"),
    "male": lazy_pgettext("count", "Male"),
    "sex_not_recorded": _l("Sex not recorded"),
    "under_12": _l("Under 12"),
    "age_12_14": _l("12–14"),
    "age_15_17": _l("15–17"),
    "age_18_24": _l("18–24"),
    "age_25_plus": _l("25 and over"),
}
