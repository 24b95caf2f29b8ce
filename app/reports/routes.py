"""Summary pages, definitions and exports. Managers receive aggregates only:
no case code, name, birth date or note reaches these pages."""

from datetime import UTC, datetime

from flask import Response, current_app, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.audit.service import record
from app.extensions import db
from app.filters import back_to_list, current_query, filter_form
from app.formtools import choices
from app.i18n import current_language
from app.reports import aggregates, bp
from app.reports.charts import bar_chart, line_chart
from app.reports.definitions import ALL, SECTIONS, TREND
from app.reports.export import csv_export, xlsx_export
from app.reports.forms import SummaryForm
from app.reports.indicators import LEVEL_LABELS, LEVELS, Breakdown, compute, exit_reasons, scoped_municipalities, trend, units
from app.reports.periods import Period, parse_period, quarter_label
from app.reports.summary import build
from app.security.policy import requires
from app.youth.codes import EXIT_REASONS
from app.youth.services import today


def summary_form(announce: bool = True) -> SummaryForm:
    """The choices from the query string (app.filters: a value not valid is left out)."""
    day = today()
    return filter_form(
        SummaryForm, announce=announce,
        value=choices([(f"{y}-T{q}", quarter_label(y, q)) for y in range(day.year, day.year - 3, -1)
                       for q in range(4, 0, -1)] + [(str(y), str(y)) for y in range(day.year, day.year - 5, -1)]),
        indicator=choices((i.key, i.label) for _, _, indicators, _ in SECTIONS for i in indicators if i.kind == "count"))


def summary_request(form: SummaryForm) -> dict:
    """Compute every table of the form's choices with a fixed number of queries."""
    day = today()
    period = parse_period(form.period.data, form.value.data, form.start.data, form.end.data, day)
    level = form.level.data if form.level.data in LEVELS else "country"
    breakdown = Breakdown(level, (form.parent.data or "").strip() or None)
    k = current_app.config["SUPPRESSION_K"]
    locale = current_language()
    unit_names = units(current_user, breakdown, locale)
    quarters = period.quarters_back(8)
    values, trends = indicator_values(breakdown, period, quarters, day)
    tables = build(values, unit_names, k)
    reasons = exit_reasons(values)
    return {"form": form, "period": period, "breakdown": breakdown, "tables": tables, "k": k,
            "trend": trends, "quarters": quarters, "reasons": reasons, "units": unit_names}


def indicator_values(breakdown: Breakdown, period: Period, quarters: list[Period], day) -> tuple[dict, dict]:
    """The values per unit and the quarterly trend: from the maintained
    aggregates for quarters and years, from the base tables for custom dates."""
    municipalities = scoped_municipalities(current_user, breakdown)
    if aggregates.stored(period):
        aggregates.refresh(municipalities, [period, *quarters], day)
        return (aggregates.read(municipalities, breakdown.level, period),
                aggregates.read_trend(municipalities, quarters))
    return compute(current_user, breakdown, period, day), trend(current_user, breakdown, quarters, day)


def chart_context(data: dict) -> dict:
    key = data["form"].indicator.data if data["form"].indicator.data in ALL else "referred"
    section = next(t for t in data["tables"] if any(i.key == key for i in t.indicators))
    index = [i.key for i in section.indicators].index(key)
    bars = bar_chart([(name, cells[index].value, cells[index].text) for _, name, cells in section.rows])
    k = data["k"]
    series = {name: [v if v == 0 or v >= k else None for v in data["trend"][name]] for name, _ in TREND}
    lines = line_chart([q.label for q in data["quarters"]], series)
    return {"chart_indicator": ALL[key], "bars": bars, "lines": lines, "trend_series": series}


def summary_link(**changes) -> str:
    """The summary URL with the current choices, some of them changed (None removes)."""
    return url_for("reports.summary", **current_query(**changes))


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
                           summary_link=summary_link)


@bp.route("/definitions")
@requires("reports.view")
def definitions():
    return render_template("reports/definitions.html", sections=SECTIONS)


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
    header = [(_("Period"), data["period"].label), (_("Level"), str(LEVEL_LABELS[data["breakdown"].level])),
              (_("Within"), data["breakdown"].parent or scope), (_("Scope"), scope), (_("Generated"), generated),
              (_("Small counts"), _("Counts from 1 to %(n)d are shown as <%(k)d; * marks cells hidden so they "
                                    "cannot be worked out.", n=data["k"] - 1, k=data["k"]))]
    record("reports.export", detail=f"format={kind};level={data['breakdown'].level};period={data['period'].stable_name}")
    db.session.commit()
    stamp = today().isoformat()  # the signed-in user's local date
    if kind == "xlsx":
        return Response(xlsx_export(header, data["tables"]),
                        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                        headers={"Content-Disposition": f'attachment; filename="senda-summary-{stamp}.xlsx"'})
    return Response(csv_export(header, data["tables"]), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="senda-summary-{stamp}.csv"'})


