"""The published indicators: key, label and a one-line definition that a
donor report can cite. Counts are published perturbed (app/reports/summary.py);
rates and means are computed from perturbed values."""

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext


@dataclass(frozen=True)
class Indicator:
    key: str
    label: object
    definition: object
    kind: str = "count"  # count | rate | mean
    numerator: str | None = None  # rates: count keys; means: the sum key
    denominator: str | None = None


Ind = Indicator
# Labels that count people take the "count" context: in Spanish they are plural
# ("Inscritos", "Mujeres"), unlike the same English word as a case status.
YOUTH = [
    Ind("referred", lazy_pgettext("count", "Referred"), _l("Youth whose referral date falls in the period.")),
    Ind("referred_f", lazy_pgettext("count", "Female"), _l("Referred youth recorded as female.")),
    Ind("referred_m", lazy_pgettext("count", "Male"), _l("Referred youth recorded as male.")),
    Ind("referred_x", _l("Sex not recorded"), _l("Referred youth whose sex was not recorded.")),
    Ind("age_u12", _l("Under 12"), _l("Referred youth under 12 in the year of referral.")),
    Ind("age_12_14", _l("12–14"), _l("Referred youth aged 12 to 14 in the year of referral.")),
    Ind("age_15_17", _l("15–17"), _l("Referred youth aged 15 to 17 in the year of referral.")),
    Ind("age_18_24", _l("18–24"), _l("Referred youth aged 18 to 24 in the year of referral.")),
    Ind("age_25", _l("25 and over"), _l("Referred youth aged 25 or more in the year of referral.")),
    Ind("screened", lazy_pgettext("count", "Screened"), _l("Youth whose first risk screening falls in the period.")),
    Ind("level_primary", _l("Primary level"), _l("Screened youth found eligible for primary prevention.")),
    Ind("level_secondary", _l("Secondary level"), _l("Screened youth with 4 or more risk scales at threshold.")),
    Ind("level_tertiary", _l("Tertiary level"), _l("Screened youth already involved in a gang or with justice contact.")),
    Ind("enrolled", lazy_pgettext("count", "Enrolled"), _l("Youth who started a program in the period.")),
    Ind("active", _l("Active at period end"), _l("Youth in a program on the last day of the period.")),
]
RETENTION = [
    Ind("cohort_6", _l("Reached 6 months"), _l("Enrollments whose 6-month mark falls in the period.")),
    Ind("retained_6", _l("Retained at 6 months"), _l("Of those, enrollments not dropped before the 6-month mark.")),
    Ind("retention_6", _l("Retention at 6 months"), _l("Retained at 6 months ÷ reached 6 months."), "rate",
      "retained_6", "cohort_6"),
    Ind("cohort_12", _l("Reached 12 months"), _l("Enrollments whose 12-month mark falls in the period.")),
    Ind("retained_12", _l("Retained at 12 months"), _l("Of those, enrollments not dropped before the 12-month mark.")),
    Ind("retention_12", _l("Retention at 12 months"), _l("Retained at 12 months ÷ reached 12 months."), "rate",
      "retained_12", "cohort_12"),
    Ind("exits", _l("Left a program"), _l("Enrollments that ended in the period, for any reason.")),
    Ind("completed", lazy_pgettext("count", "Completed"), _l("Enrollments that ended in the period with the program completed.")),
    Ind("completion", _l("Completion rate"), _l("Completed ÷ left a program."), "rate", "completed", "exits"),
    Ind("dropped", lazy_pgettext("count", "Dropped out"),
        _l("Enrollments that ended in the period because the youth dropped out.")),
]
RISK = [
    Ind("reassessed", _l("Reassessments"), _l("Reassessment screenings done in the period.")),
    Ind("on_time", _l("Done on time"), _l("Reassessments done within 7 months of the previous screening.")),
    Ind("on_time_rate", _l("On time"), _l("Done on time ÷ reassessments."), "rate", "on_time", "reassessed"),
    Ind("risk_youth", _l("Youth reassessed"), _l("Youth with a reassessment in the period.")),
    Ind("scales_baseline", _l("Scales at threshold, baseline"),
      _l("Mean number of risk scales at threshold at the first screening of the youth reassessed."), "mean",
      "scales_baseline_sum", "risk_youth"),
    Ind("scales_latest", _l("Scales at threshold, latest"),
      _l("Mean number of risk scales at threshold at the latest screening of the youth reassessed."), "mean",
      "scales_latest_sum", "risk_youth"),
    Ind("secondary_baseline", _l("Secondary at baseline"), _l("Youth reassessed whose first screening was secondary level.")),
    Ind("no_longer_eligible", _l("No longer secondary"), _l("Of those, youth whose latest screening is below secondary level.")),
    Ind("no_longer_rate", _l("Share no longer secondary"), _l("No longer secondary ÷ secondary at baseline."), "rate",
      "no_longer_eligible", "secondary_baseline"),
]
SCHOOL = [
    Ind("followed", _l("Youth followed up"), _l("Youth with a follow-up in the period.")),
    Ind("school_intake", _l("In school at intake"), _l("Youth followed up who were in school when referred.")),
    Ind("school_latest", _l("In school at latest follow-up"), _l("Youth in school at their latest follow-up in the period.")),
    Ind("working_age", _l("Of working age"), _l("Youth followed up aged 15 or more.")),
    Ind("working_intake", _l("Working at intake"), _l("Youth of working age who were working when referred.")),
    Ind("working_latest", _l("Working at latest follow-up"), _l("Youth of working age working at their latest follow-up.")),
    Ind("justice", _l("New justice contact"),
        _l("Youth with a new contact with the justice system in a follow-up of the period.")),
    Ind("justice_rate", _l("Share with new justice contact"), _l("New justice contact ÷ youth followed up."), "rate",
      "justice", "followed"),
]
SESSIONS = [
    Ind("sessions", _l("Sessions held"), _l("Community-policing sessions held (not cancelled) in the period.")),
    Ind("s_great_lesson", _l("G.R.E.A.T. lessons"), _l("G.R.E.A.T. lessons held.")),
    Ind("s_community_meeting", _l("Community meetings"), _l("Community meetings held.")),
    Ind("s_school_visit", _l("School visits"), _l("School visits held.")),
    Ind("s_sports_cultural", _l("Sports or cultural"), _l("Sports or cultural activities held.")),
    Ind("s_family_visit", _l("Family visits"), _l("Family visits held.")),
    Ind("s_security_council", _l("Security councils"), _l("Citizen-security councils held.")),
    Ind("s_other", _l("Other sessions"), _l("Other sessions held.")),
    Ind("attendance", _l("Attendance"), _l("Head-count of all sessions held (people may be counted more than once).")),
    Ind("attendance_f", _l("Female attendance"), _l("Head-count of women and girls.")),
    Ind("attendance_m", _l("Male attendance"), _l("Head-count of men and boys.")),
    Ind("attendance_x", _l("Sex not recorded"), _l("Head-count whose sex was not recorded.")),
    Ind("youth_at_sessions", _l("Enrolled youth at sessions"),
        _l("Youth whom their case worker linked to a session held in the period, counted in their own "
           "municipality; only youth who consent to statistics.")),
    Ind("cohorts_completed", _l("G.R.E.A.T. classes completed"), _l("Classes whose graduation date falls in the period.")),
    Ind("graduates", _l("G.R.E.A.T. graduates"), _l("Head-count at the last lesson of the classes completed.")),
]
SECTIONS = [
    ("youth", _l("Youth: referral, screening, enrollment"), YOUTH,
     [("referred", ["referred_f", "referred_m", "referred_x"]),
      ("referred", ["age_u12", "age_12_14", "age_15_17", "age_18_24", "age_25"]),
      ("screened", ["level_primary", "level_secondary", "level_tertiary"])]),
    ("retention", _l("Retention and completion"), RETENTION, []),
    ("risk", _l("Reassessment and risk change"), RISK, []),
    ("school", _l("School, work and justice contact"), SCHOOL, []),
    ("sessions", _l("Community policing"), SESSIONS,
     [("sessions", ["s_great_lesson", "s_community_meeting", "s_school_visit", "s_sports_cultural",
                    "s_family_visit", "s_security_council", "s_other"]),
      ("attendance", ["attendance_f", "attendance_m", "attendance_x"])]),
]
ALL = {i.key: i for _, _, indicators, _ in SECTIONS for i in indicators}
TREND = [("referred", lazy_pgettext("count", "Referred")), ("enrolled", lazy_pgettext("count", "Enrolled")),
         ("sessions", _l("Sessions held")), ("attendance", _l("Attendance"))]
