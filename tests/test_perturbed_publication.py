"""Published summaries are perturbed cells (docs/perturbation.md): the same
records give the same published value through every path, totals are cells
of their own, and the differencing attacks that rebuilt individuals from the
summaries no longer give exact answers."""

import csv
import io
import random
import re
from collections import Counter, defaultdict

import pytest
from sqlalchemy import select

from app.accounts.models import User
from app.extensions import db
from app.reports import aggregates
from app.reports.definitions import ALL
from app.reports.indicators import KEY, Breakdown, compute, scoped_municipalities, trend
from app.reports.periods import Period
from app.reports.perturbation import KEYS, current_ptable
from app.reports.summary import build, count_cell, published, ratio_cell
from tests.conftest import login, post_form
from tests.test_reports import TODAY, dataset  # noqa: F401  (the hand-built data set)

Q1 = Period.quarter(2026, 1)
K = 5


def english(client, username="manager.sv"):
    login(client, username)
    post_form(client, "/language", {"locale": "en"}, form_url="/auth/password")


def section_rows(body: str, section: str) -> dict[str, list[str]]:
    """Row label -> cell texts of one section's table (the totals row as "Total")."""
    html = re.search(rf'id="h-{section}".*?</table>', body, re.S).group(0)
    rows = {}
    for label, cells in re.findall(r'<tr><th scope="row"[^>]*>(.*?)</th>(.*?)</tr>', html, re.S):
        name = re.sub(r"<[^>]+>", "", label).strip()
        rows[name] = [c.replace("&lt;", "<") for c in re.findall(r'<td class="num[^"]*">([^<]*)</td>', cells)]
    return rows


def text_of(count: float, key: float) -> str:
    """What the page prints for a cell (English, under 1,000 or with a comma)."""
    return count_cell(count, key, K).text


def manager() -> User:
    return db.session.scalar(select(User).where(User.username == "manager.sv"))


@pytest.mark.usefixtures("dataset")
def test_the_same_records_give_the_same_published_value_through_every_path(app):
    """Morazán's referred youth and session attendance in 2026-Q1: the department row
    of El Salvador's table, the totals row of Morazán's municipalities, the trend over
    those municipalities, the CSV export, the stored aggregates and the base-table SQL
    all publish the same value; so do El Salvador's row and its departments' total."""
    client = app.test_client()
    english(client)
    country = client.get("/reports/?value=2026-T1&level=country").get_data(as_text=True)
    departments = client.get("/reports/?value=2026-T1&level=department&parent=SV").get_data(as_text=True)
    municipalities = client.get("/reports/?value=2026-T1&level=municipality&parent=SV-MO").get_data(as_text=True)
    export = client.get("/reports/export.csv?value=2026-T1&level=municipality&parent=SV-MO").get_data(as_text=True)
    lines = list(csv.reader(io.StringIO(export)))
    with app.app_context(), app.test_request_context():
        base = compute(manager(), Breakdown("department", "SV"), Q1, TODAY)
        ids = scoped_municipalities(manager(), Breakdown("department", "SV"))
        aggregates.refresh(ids, [Q1], TODAY)
        stored = aggregates.read(ids, "department", Q1)
        series = trend(manager(), Breakdown("municipality", "SV-MO"), Q1.quarters_back(8, until=TODAY), TODAY)
        sv = compute(manager(), Breakdown("country", None), Q1, TODAY)["SV"]
        morazan = base["SV-MO"]
        assert morazan["referred"] == 9 and morazan["attendance"] == 51  # the data set (the demo has none there)
        assert {k: v for k, v in stored["SV-MO"].items() if v} == {k: v for k, v in morazan.items() if v}
        for section, name, column in (("youth", "referred", 0), ("sessions", "attendance", 8)):
            expected = text_of(morazan[name], morazan[name + KEY])
            assert section_rows(departments, section)["Morazán"][column] == expected
            assert section_rows(municipalities, section)["Total"][column] == expected
            totals = [line for line in lines if line and line[0] == "Total"]
            assert totals[["youth", "retention", "risk", "school", "sessions"].index(section)][column + 1] == expected
            trend_row = section_rows(municipalities, "trend")["Referred" if name == "referred" else "Attendance"]
            assert trend_row[-1] == expected == text_of(*series[name][-1])
            country_text = text_of(sv[name], sv[name + KEY])
            assert section_rows(country, section)["El Salvador"][column] == country_text
            assert section_rows(departments, section)["Total"][column] == country_text


def test_a_total_is_a_cell_of_its_own_and_tables_need_not_add_up(app):
    """The totals row is the perturbation of the summed count by the summed key, not the
    sum of the published rows; over many tables some totals differ from that sum."""
    rng = random.Random(12)
    differ = 0
    with app.app_context(), app.test_request_context():
        for _ in range(200):
            units = {f"U{i}": f"Unit {i}" for i in range(4)}
            values: dict = defaultdict(dict)
            for unit in units:
                keys = [rng.randint(1, 255) for _ in range(rng.randint(0, 40))]
                values[unit] = {"referred": len(keys), "referred" + KEY: sum(keys) % KEYS}
            youth = build(values, units, K)[0]
            total_count = sum(v["referred"] for v in values.values())
            total_key = sum(v["referred" + KEY] for v in values.values())
            assert youth.total[0].text == text_of(total_count, total_key)
            assert abs(published(total_count, total_key) - total_count) <= current_ptable().max_perturbation
            parts = [published(v["referred"], v["referred" + KEY]) for v in values.values()]
            differ += published(total_count, total_key) != sum(parts)
    assert differ > 100  # most tables do not add up: no cell is the difference of others


def test_rates_and_means_come_from_perturbed_values_with_a_threshold(app):
    with app.app_context(), app.test_request_context():
        rate, mean = ALL["retention_6"], ALL["scales_baseline"]
        for count, key in ((40, 17), (12, 200), (7, 3)):
            cell = ratio_cell(rate, (count - 2, key), (count, key + 5), K)
            assert cell.value == pytest.approx(min(1, published(count - 2, key) / published(count, key + 5)))
            mean_cell = ratio_cell(mean, (count * 4, key), (count, key), K)
            assert mean_cell.value == round(published(count * 4, key) / published(count, key), 1)
        small = next(key for key in range(KEYS) if 0 < published(3, key) < K)
        assert ratio_cell(rate, (3, small), (3, small), K).text == "<5"  # denominator below k: hidden
        assert ratio_cell(rate, (0, 0), (0, 0), K).text == "—"
        low = next(key for key in range(KEYS) if published(12, key) < 12)
        high = next(key for key in range(KEYS) if published(12, key) > 12)
        assert ratio_cell(rate, (12, high), (12, low), K).value == 1.0  # a part perturbed above its whole: 100 %


# --- the attacks of issue #12, replayed on many generated data sets -----------------


def random_cell(rng: random.Random, n: int) -> tuple[list[int], int]:
    keys = [rng.randint(1, 255) for _ in range(n)]
    return keys, sum(keys) % KEYS


def exactness(trials: list[tuple[int, int]]) -> tuple[float, dict[int, float]]:
    """(share of exact estimates, per estimate value seen in >= 2 % of trials: share exact)."""
    exact = sum(est == true for est, true in trials) / len(trials)
    by_estimate: dict[int, list[bool]] = defaultdict(list)
    for est, true in trials:
        by_estimate[est].append(est == true)
    common = {est: sum(hits) / len(hits) for est, hits in by_estimate.items() if len(hits) >= 0.02 * len(trials)}
    return exact, common


def assert_attack_fails(trials: list[tuple[int, int]]) -> None:
    exact, common = exactness(trials)
    assert exact < 0.5, exact  # the estimate of a one-person cell is wrong in most data sets
    # and no estimate the attacker sees is a sure one: every common value is often wrong
    assert common and all(share < 0.8 for share in common.values()), common


def test_level_differencing_does_not_single_out_a_youth(app):
    """Attack 3: a department's total minus its other municipalities' published cells,
    to learn whether the one youth of a municipality was screened tertiary (0 or 1)."""
    rng = random.Random(3)
    trials = []
    with app.app_context():
        for _ in range(3000):
            target = rng.randint(0, 1)
            cells = [random_cell(rng, target)] + [random_cell(rng, rng.randint(0, 25)) for _ in range(3)]
            total = published(sum(len(keys) for keys, _ in cells), sum(key for _, key in cells))
            estimate = total - sum(published(len(keys), key) for keys, key in cells[1:])
            trials.append((estimate, target))
    assert_attack_fails(trials)


def test_trend_quarters_against_the_year_do_not_give_the_last_quarter(app):
    """Attack 4: a year minus three of its quarters, for a quarter with no youth or one."""
    rng = random.Random(4)
    trials = []
    with app.app_context():
        for _ in range(3000):
            target = rng.randint(0, 1)
            quarters = [random_cell(rng, rng.randint(0, 30)) for _ in range(3)] + [random_cell(rng, target)]
            year = published(sum(len(k) for k, _ in quarters), sum(key for _, key in quarters))
            trials.append((year - sum(published(len(k), key) for k, key in quarters[:3]), target))
    assert_attack_fails(trials)


def test_bounds_inside_a_row_do_not_give_the_parts(app):
    """Attack 2: referred 8, female and male each small: the total minus the other parts."""
    rng = random.Random(2)
    trials = []
    with app.app_context():
        for _ in range(3000):
            female, male = random_cell(rng, rng.randint(1, 7)), random_cell(rng, rng.randint(1, 7))
            total = published(len(female[0]) + len(male[0]), female[1] + male[1])
            trials.append((total - published(len(male[0]), male[1]), len(female[0])))
    assert_attack_fails(trials)


def test_mean_times_count_does_not_give_one_youths_value(app):
    """Attack 5: the mean number of scales at threshold times the count, with and without
    one youth (two releases), to learn that youth's number of scales (0 to 10)."""
    rng = random.Random(5)
    trials = []
    with app.app_context(), app.test_request_context():
        mean = ALL["scales_baseline"]
        for _ in range(2000):
            youth = [(rng.randint(1, 255), rng.randint(0, 10)) for _ in range(rng.randint(6, 9))]
            target = (rng.randint(1, 255), rng.randint(0, 10))

            def release(members):
                count = (len(members), sum(k for k, _ in members))
                total = (sum(s for _, s in members), sum(k * s for k, s in members))
                cell = ratio_cell(mean, total, count, K)
                return cell.value, published(*count)

            before, after = release(youth), release([*youth, target])
            if before[0] is None or after[0] is None:
                continue  # not published: nothing to difference
            trials.append((round(after[0] * after[1] - before[0] * before[1]), target[1]))
    assert len(trials) > 1000
    assert_attack_fails(trials)


def test_repeating_the_same_query_gives_the_same_answer(app):
    """Averaging repeated requests does not remove the noise: a cell's published value
    depends only on its records."""
    rng = random.Random(9)
    with app.app_context():
        for _ in range(200):
            keys, key = random_cell(rng, rng.randint(0, 40))
            assert len(Counter(published(len(keys), key) for _ in range(5))) == 1
