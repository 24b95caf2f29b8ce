"""The risk-screening instrument: the shipped definition, validation, scoring, due dates."""

import copy
from datetime import date
from pathlib import Path

import pytest
import yaml

from app.screening.instrument import Instrument, InstrumentError, due_after, load_file, parse, score

SHIPPED = Path(__file__).resolve().parent.parent / "app" / "data" / "instruments" / "senda-yset-demo-1.yaml"
SCALE_CODES = [
    "antisocial_tendencies", "weak_parental_supervision", "critical_life_events", "impulsive_risk_taking",
    "guilt_neutralization", "negative_peer_influence", "peer_delinquency", "family_gang_influence",
    "self_reported_delinquency",
]
NO_FLAGS = {"gang_involvement": False, "justice_contact": False}


def tx(word: str) -> dict[str, str]:
    return {"es": f"{word} (es)", "en": f"{word} (en)"}


def make_definition() -> dict:
    """A small valid definition: answers 0..3, nine scales s1..s9 of three items each
    (s1_1, s1_2, s1_3; max score 9), threshold 5, item s1_3 reverse-scored."""
    scales = []
    for n in range(1, 10):
        items = [{"code": f"s{n}_{i}", "text": tx(f"item s{n}_{i}")} for i in (1, 2, 3)]
        scales.append({"code": f"s{n}", "name": tx(f"scale {n}"), "threshold": 5, "items": items})
    scales[0]["items"][2]["reverse"] = True
    return {
        "code": "test-instrument",
        "version": 1,
        "title": tx("title"),
        "answer_scale": [{"value": v, **tx(f"answer {v}")} for v in range(4)],
        "scales": scales,
        "flags": [{"code": "gang_involvement", "text": tx("gang")}, {"code": "justice_contact", "text": tx("court")}],
        "eligibility": {"secondary_min_scales": 4, "tertiary_flags": ["gang_involvement", "justice_contact"]},
        "reassessment_months": 6,
    }


@pytest.fixture
def inst() -> Instrument:
    return parse(make_definition())


def zero_answers(instrument: Instrument) -> dict[str, int]:
    """Every item answered 0; the reverse item s1_3 then counts 3 - 0 = 3."""
    return {item.code: 0 for item in instrument.items()}


def with_scale(answers: dict[str, int], scale: int, values: tuple[int, int, int]) -> dict[str, int]:
    answers = dict(answers)
    for i, value in enumerate(values, start=1):
        answers[f"s{scale}_{i}"] = value
    return answers


# --- the shipped instrument -------------------------------------------------------------------


def test_shipped_instrument_parses():
    inst = load_file(SHIPPED)
    assert (inst.code, inst.version) == ("senda-yset-demo", 1)
    assert [s.code for s in inst.scales] == SCALE_CODES
    assert all(3 <= len(s.items) <= 6 for s in inst.scales)
    assert [f.code for f in inst.flags] == ["gang_involvement", "justice_contact"]
    assert inst.tertiary_flags == ("gang_involvement", "justice_contact")
    assert (inst.secondary_min_scales, inst.reassessment_months) == (4, 6)
    assert [a.value for a in inst.answers] == list(range(inst.max_answer + 1))
    assert any(item.reverse for item in inst.items())


def test_shipped_instrument_has_spanish_and_english_everywhere():
    inst = load_file(SHIPPED)
    labelled = [inst, *inst.answers, *inst.scales, *inst.items(), *inst.flags]
    for obj in labelled:
        for locale in ("es", "en"):
            assert inst.text(obj, locale).strip(), (obj, locale)
        assert inst.text(obj, "es") != inst.text(obj, "en"), obj
    assert inst.text(inst.scales[0], "en") == "Antisocial tendencies"
    assert inst.text(inst.scales[0], "fr") == "Tendencias antisociales"  # falls back to Spanish


def test_shipped_instrument_scores_by_hand():
    inst = load_file(SHIPPED)
    answers = {item.code: 0 for item in inst.items()}
    # weak_parental_supervision: wps1, wps2, wps5 are reverse-scored: 3+3+0+0+3 = 9 = its threshold.
    answers.update({"wps3": 0, "wps4": 0})
    # self_reported_delinquency: 2 + 1 + 2 + 0 + 0 + 0 = 5 = its threshold.
    answers.update({"srd1": 2, "srd2": 1, "srd3": 2})
    # antisocial_tendencies: 3 + 3 + 0 + 0 + (3 - 3) = 6, below 9 (at5 reverse-scored).
    answers.update({"at1": 3, "at2": 3, "at5": 3})
    result = score(inst, answers, NO_FLAGS)
    assert result.scale_scores["weak_parental_supervision"] == 9
    assert result.scale_scores["self_reported_delinquency"] == 5
    assert result.scale_scores["antisocial_tendencies"] == 6
    assert result.scales_at_threshold == ("weak_parental_supervision", "self_reported_delinquency")
    assert (result.level, result.reason) == ("primary", "below_secondary:2")


# --- scoring -----------------------------------------------------------------------------------


def test_reverse_item_and_sums(inst):
    answers = with_scale(zero_answers(inst), 1, (2, 1, 3))  # 2 + 1 + (3 - 3) = 3
    answers = with_scale(answers, 2, (3, 2, 1))  # 3 + 2 + 1 = 6
    result = score(inst, answers, NO_FLAGS)
    assert result.scale_scores == {"s1": 3, "s2": 6, **{f"s{n}": 0 for n in range(3, 10)}}
    assert result.scales_at_threshold == ("s2",)
    assert result.flags == NO_FLAGS


def test_all_zero_answers_still_count_the_reverse_item(inst):
    result = score(inst, zero_answers(inst), NO_FLAGS)
    assert result.scale_scores["s1"] == 3  # s1_3 reverse: 3 - 0
    assert (result.level, result.reason) == ("primary", "below_secondary:0")


def test_threshold_boundary(inst):
    at = score(inst, with_scale(zero_answers(inst), 2, (2, 2, 1)), NO_FLAGS)  # 5 == threshold
    below = score(inst, with_scale(zero_answers(inst), 2, (2, 1, 1)), NO_FLAGS)  # 4 < 5
    assert at.scale_scores["s2"] == 5 and at.scales_at_threshold == ("s2",)
    assert below.scale_scores["s2"] == 4 and below.scales_at_threshold == ()


def test_three_scales_at_threshold_is_primary(inst):
    answers = with_scale(zero_answers(inst), 1, (3, 2, 3))  # 3 + 2 + (3 - 3) = 5: at threshold
    answers = with_scale(answers, 2, (3, 3, 3))  # 9
    answers = with_scale(answers, 3, (2, 2, 1))  # 5
    answers = with_scale(answers, 4, (2, 1, 1))  # 4: one below
    result = score(inst, answers, NO_FLAGS)
    assert [result.scale_scores[s] for s in ("s1", "s2", "s3", "s4")] == [5, 9, 5, 4]
    assert result.scales_at_threshold == ("s1", "s2", "s3")
    assert (result.level, result.reason) == ("primary", "below_secondary:3")


def test_four_scales_at_threshold_is_secondary(inst):
    answers = with_scale(zero_answers(inst), 1, (3, 2, 0))  # 3 + 2 + (3 - 0) = 8
    answers = with_scale(answers, 2, (3, 3, 3))  # 9
    answers = with_scale(answers, 3, (2, 2, 1))  # 5
    answers = with_scale(answers, 9, (1, 2, 2))  # 5
    result = score(inst, answers, NO_FLAGS)
    assert [result.scale_scores[s] for s in ("s1", "s2", "s3", "s9")] == [8, 9, 5, 5]
    assert result.scales_at_threshold == ("s1", "s2", "s3", "s9")
    assert (result.level, result.reason) == ("secondary", "scales_at_threshold:4")


def test_gang_involvement_is_tertiary_even_with_no_scale_at_threshold(inst):
    result = score(inst, with_scale(zero_answers(inst), 1, (0, 0, 3)), {**NO_FLAGS, "gang_involvement": True})
    assert result.scales_at_threshold == ()
    assert (result.level, result.reason) == ("tertiary", "tertiary_flag:gang_involvement")


def test_justice_contact_is_tertiary(inst):
    answers = zero_answers(inst)
    for n in range(1, 10):
        answers = with_scale(answers, n, (3, 3, 3))
    result = score(inst, answers, {**NO_FLAGS, "justice_contact": True})
    assert result.scale_scores["s1"] == 6  # 3 + 3 + (3 - 3)
    assert len(result.scales_at_threshold) == 9  # the flag wins over "secondary"
    assert (result.level, result.reason) == ("tertiary", "tertiary_flag:justice_contact")


def test_both_flags_are_listed(inst):
    result = score(inst, zero_answers(inst), {"gang_involvement": True, "justice_contact": True})
    assert (result.level, result.reason) == ("tertiary", "tertiary_flag:gang_involvement+justice_contact")


def test_missing_answer_names_the_item(inst):
    answers = zero_answers(inst)
    del answers["s4_2"]
    with pytest.raises(InstrumentError, match="item s4_2: not answered"):
        score(inst, answers, NO_FLAGS)


@pytest.mark.parametrize("value", [4, -1, "2", 1.0, True, None])
def test_invalid_answer_names_the_item(inst, value):
    with pytest.raises(InstrumentError, match="item s3_1: invalid answer"):
        score(inst, {**zero_answers(inst), "s3_1": value}, NO_FLAGS)


def test_unknown_item_is_refused(inst):
    with pytest.raises(InstrumentError, match="item s10_1: not an item of test-instrument v1"):
        score(inst, {**zero_answers(inst), "s10_1": 0}, NO_FLAGS)


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        ({"gang_involvement": False}, "flag justice_contact: expected yes or no"),
        ({**NO_FLAGS, "gang_involvement": 1}, "flag gang_involvement: expected yes or no"),
        ({**NO_FLAGS, "pregnant": False}, "flag pregnant: not a flag"),
    ],
)
def test_flags_must_all_be_given_as_bool(inst, flags, message):
    with pytest.raises(InstrumentError, match=message):
        score(inst, zero_answers(inst), flags)


# --- malformed definitions --------------------------------------------------------------------


def broken(change) -> dict:
    data = copy.deepcopy(make_definition())
    change(data)
    return data


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["scales"].pop(), "scales: expected exactly 9, found 8"),
        (lambda d: d["scales"][1]["items"][2].update(code="s2_1"), "scale s2: item s2_1 appears twice"),
        (lambda d: d["scales"][1]["items"][0].update(code="s1_1"), "scale s2: item s1_1 is already used in scale s1"),
        (lambda d: d["scales"][4].update(code="s1"), "scale s1 appears twice"),
        (lambda d: d["scales"][2]["items"][1]["text"].pop("en"), "scale s3: item s3_2: en text is missing or empty"),
        (lambda d: d["scales"][2]["name"].update(es="  "), "scale s3: name: es text is missing or empty"),
        (lambda d: d["title"].pop("en"), "title: en text is missing or empty"),
        (lambda d: d["answer_scale"][1].pop("en"), "answer_scale\\[1\\]: missing key 'en'"),
        (lambda d: d["flags"][0]["text"].update(en=""), "flag gang_involvement: en text is missing or empty"),
        (
            lambda d: d["scales"][5].update(threshold=10),
            "scale s6: threshold 10 must be between 1 and the maximum possible score 9",
        ),
        (lambda d: d["scales"][5].update(threshold=0), "scale s6: threshold 0 must be between 1"),
        (lambda d: d["scales"][5].update(threshold="5"), "scale s6: threshold: expected a whole number"),
        (
            lambda d: d["eligibility"]["tertiary_flags"].append("school_dropout"),
            "eligibility: tertiary flag 'school_dropout' is not among the flags",
        ),
        (lambda d: d["eligibility"].update(secondary_min_scales=10), "secondary_min_scales 10 must be between 1 and 9"),
        (
            lambda d: d["answer_scale"][2].update(value=5),
            "answer_scale: values \\[0, 1, 5, 3\\] must be unique consecutive integers starting at 0",
        ),
        (lambda d: d["answer_scale"][0].update(value=1), "must be unique consecutive integers starting at 0"),
        (lambda d: d.update(version=0), "version: must be a positive whole number"),
        (lambda d: d.update(version="1"), "version: expected a whole number"),
        (lambda d: d.pop("reassessment_months"), "instrument: missing key 'reassessment_months'"),
        (lambda d: d.update(scale=[]), "instrument: unknown key 'scale'"),
        (lambda d: d["scales"][0]["items"][0].update(reverse="yes"), "item s1_1: reverse must be true or false"),
        (lambda d: d["scales"][0]["items"][0].update(code="S 1"), "code 'S 1' must be"),
        (lambda d: d["scales"][3].update(items=[]), "scale s4: items: expected a non-empty list"),
    ],
)
def test_malformed_definition(change, message):
    with pytest.raises(InstrumentError, match=message):
        parse(broken(change))


def test_definition_must_be_a_mapping():
    with pytest.raises(InstrumentError, match="instrument: expected a mapping, got list"):
        parse([])


def test_broken_yaml(tmp_path):
    path = tmp_path / "broken-1.yaml"
    path.write_text("code: x\nscales: [\n  - {code: a\n", encoding="utf-8")
    with pytest.raises(InstrumentError, match="broken-1.yaml: not valid YAML"):
        load_file(path)


def test_load_file_names_the_file_on_invalid_content(tmp_path):
    path = tmp_path / "short-1.yaml"
    data = make_definition()
    data["scales"] = data["scales"][:8]
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(InstrumentError, match="short-1.yaml: scales: expected exactly 9, found 8"):
        load_file(path)


def test_load_file_round_trip(tmp_path):
    path = tmp_path / "ok-1.yaml"
    path.write_text(yaml.safe_dump(make_definition(), allow_unicode=True), encoding="utf-8")
    assert load_file(path) == parse(make_definition())


# --- reassessment due date ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "due"),
    [
        (date(2026, 8, 31), date(2027, 2, 28)),
        (date(2027, 8, 31), date(2028, 2, 29)),
        (date(2026, 1, 15), date(2026, 7, 15)),
        (date(2026, 7, 1), date(2027, 1, 1)),
        (date(2026, 12, 31), date(2027, 6, 30)),
    ],
)
def test_due_after_clamps_to_month_end(inst, start, due):
    assert due_after(inst, start) == due


def test_due_after_uses_the_configured_interval():
    data = make_definition()
    data["reassessment_months"] = 12
    assert due_after(parse(data), date(2028, 2, 29)) == date(2029, 2, 28)
