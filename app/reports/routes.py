"""Summary pages, definitions and exports. Managers receive aggregates only:
no case code, name, birth date or note reaches these pages."""

from datetime import UTC, date, datetime

from flask import Response, current_app, redirect, render_template, url_for
from flask_babel import format_date, format_datetime
from flask_babel import gettext as _
from flask_login import current_user

from app.audit.service import record
from app.extensions import db
from app.filters import back_to_list, current_query, filter_form
from app.formtools import choices
from app.i18n import current_language
from app.reports import aggregates, bp, periods
from app.reports.charts import bar_chart, line_chart
from app.reports.definitions import ALL, SECTIONS, TREND
from app.reports.export import csv_export, xlsx_export
from app.reports.forms import SummaryForm
from app.reports.indicators import LEVEL_LABELS, LEVELS, Breakdown, exit_reasons, scoped_municipalities, units
from app.reports.jobs import data_as_of
from app.reports.periods import Period
from app.reports.perturbation import current_ptable
from app.reports.summary import build, exit_reason_cells, trend_cells
from app.security.policy import requires
from app.youth.codes import EXIT_REASONS
from app.youth.services import today


def summary_form(announce: bool = True) -> SummaryForm:
    """The choices from the query string (app.filters: a value not valid is left out).
    The periods offered are the fixed releases of `periods.offered`, grouped by kind."""
    day = today()
    groups = {"quarter": _("Quarters"), "year": _("Years"), "fiscal_year": _("Fiscal years")}
    offered: dict[str, list] = {}
    for period in periods.offered(day):
        offered.setdefault(groups[period.kind], []).append((period.key, str(period.title(day))))
    return filter_form(
        SummaryForm, announce=announce,
        value={group: choices(pairs) for group, pairs in offered.items()},
        indicator=choices((i.key, i.label) for _, _, indicators, _ in SECTIONS for i in indicators if i.kind == "count"))


def summary_request(form: SummaryForm) -> dict:
    """Compute every table of the form's choices with a fixed number of queries."""
    day = today()
    period = periods.parse_period(form.value.data, day)
    form.value.data = period.key  # the selector shows the period shown (the default one too)
    level = form.level.data if form.level.data in LEVELS else "country"
    breakdown = Breakdown(level, (form.parent.data or "").strip() or None)
    k = current_app.config["SUPPRESSION_K"]
    locale = current_language()
    unit_names = units(current_user, breakdown, locale)
    quarters = period.quarters_back(8, until=day)
    values, trends = indicator_values(breakdown, period, quarters, day)
    tables = build(values, unit_names, k)
    reasons = exit_reason_cells(exit_reasons(values), k)
    return {"form": form, "period": period, "period_title": period.title(day), "provisional": period.provisional(day),
            "breakdown": breakdown, "tables": tables, "k": k, "trend": trend_cells(trends, k), "quarters": quarters,
            "reasons": reasons, "units": unit_names, "as_of": data_as_of()}


def indicator_values(breakdown: Breakdown, period: Period, quarters: list[Period], day) -> tuple[dict, dict]:
    """The values per unit and the quarterly trend, read from the stored releases only: the
    refresh job (app/reports/jobs.py) is what computes them; the page never writes a cell."""
    municipalities = scoped_municipalities(current_user, breakdown)
    return (aggregates.read(municipalities, breakdown.level, period),
            aggregates.read_trend(municipalities, quarters))


def chart_context(data: dict) -> dict:
    key = data["form"].indicator.data if data["form"].indicator.data in ALL else "referred"
    section = next(t for t in data["tables"] if any(i.key == key for i in t.indicators))
    index = [i.key for i in section.indicators].index(key)
    bars = bar_chart([(name, cells[index].value, cells[index].text) for _, name, cells in section.rows])
    series = {name: [c.value for c in data["trend"][name]] for name, _ in TREND}
    lines = line_chart([q.label for q in data["quarters"]], series)
    return {"chart_indicator": ALL[key], "bars": bars, "lines": lines, "trend_series": data["trend"]}


def export_sections(data: dict) -> list:
    """The page's other tables for the export: dropouts by exit reason, the quarterly trend."""
    reasons = (_("Dropouts by exit reason"), [_("Exit reason"), _("Dropouts")],
               [(EXIT_REASONS.get(r, r), [c]) for r, c in data["reasons"].items()])
    trend = (_("Quarterly trend"), ["", *(q.label for q in data["quarters"])],
             [(label, data["trend"][name]) for name, label in TREND])
    return [reasons, trend]


def perturbation_note() -> str:
    return _("Every count is changed by a small amount (at most %(m)d) that depends only on the records it "
             "counts, so that no one can be singled out by comparing tables. Totals are changed on their own: "
             "a table need not add up.", m=current_ptable().max_perturbation)


def summary_link(**changes) -> str:
    """The summary URL with the current choices, some of them changed (None removes;
    an older link's period kind and dates are not carried on)."""
    return url_for("reports.summary", **current_query(**{"period": None, "start": None, "end": None, **changes}))


def next_level(level: str) -> str | None:
    position = LEVELS.index(level)
    return LEVELS[position + 1] if position + 1 < len(LEVELS) else None


@bp.route("/")
@requires("reports.view")
def summary():
    data = summary_request(summary_form())
    record("reports.view", detail=f"level={data['breakdown'].level};period={data['period'].stable_name}")
    db.session.commit()
    return render_template("reports/summary.html", **data, **chart_context(data), trend_labels=dict(TREND),
                           next_level=next_level(data["breakdown"].level), exit_labels=EXIT_REASONS,
                           perturbation_note=perturbation_note(),
                           summary_link=summary_link)


@bp.route("/definitions")
@requires("reports.view")
def definitions():
    month = format_date(date(2000, periods.fiscal_start_month(), 1), "MMMM")
    return render_template("reports/definitions.html", sections=SECTIONS, fiscal_month=month,
                           max_perturbation=current_ptable().max_perturbation, k=current_app.config["SUPPRESSION_K"])


@bp.route("/export.<kind>")
@requires("reports.view")
def export(kind: str):
    """The summary as XLSX or CSV. A choice that is not valid stops the export
    before it is audited: back to the summary, which says which."""
    form = summary_form(announce=False)
    if form.left_out:
        return redirect(back_to_list("reports.summary"))
    data = summary_request(form)
    generated = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    scope = ", ".join(s.code for s in current_user.scopes) or "—"
    header = [(_("Period"), str(data["period_title"])),
              (_("Dates"), f"{format_date(data['period'].start)} – {format_date(data['period'].end)}"),
              (_("Status"), _("Provisional: the period is still running and its numbers will change.")
               if data["provisional"] else _("The period has ended.")), (_("Level"), str(LEVEL_LABELS[data["breakdown"].level])),
              (_("Within"), data["breakdown"].parent or scope), (_("Scope"), scope), (_("Generated"), generated),
              (_("Data as of"), format_datetime(data["as_of"], "short") if data["as_of"] else _("not computed yet")),
              (_("Perturbation"), perturbation_note()),
              (_("Small counts"), _("Counts from 1 to %(n)d are shown as <%(k)d.", n=data["k"] - 1, k=data["k"]))]
    record("reports.export", detail=f"format={kind};level={data['breakdown'].level};period={data['period'].stable_name}")
    db.session.commit()
    stamp = today().isoformat()  # the signed-in user's local date
    extra = export_sections(data)
    if kind == "xlsx":
        return Response(xlsx_export(header, data["tables"], extra),
                        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                        headers={"Content-Disposition": f'attachment; filename="senda-summary-{stamp}.xlsx"'})
    return Response(csv_export(header, data["tables"], extra), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="senda-summary-{stamp}.csv"'})


