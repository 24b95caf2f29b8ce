"""Risk-screening instruments as data: parse and validate a definition, score a screening.

Pure Python (no Flask, no database). An instrument is a versioned YAML document with a
Likert-type answer scale, nine risk scales of items, yes/no flags and an eligibility rule:
tertiary when any tertiary flag is true; otherwise secondary when at least
``secondary_min_scales`` scales meet their threshold (score >= threshold); otherwise primary.
"""

from __future__ import annotations

import calendar
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import yaml

LOCALES = ("es", "en")
SCALE_COUNT = 9
LEVELS = ("primary", "secondary", "tertiary")
_CODE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
_INSTRUMENT_CODE = re.compile(r"^[a-z][a-z0-9_-]{0,39}$")


class InstrumentError(ValueError):
    """A definition that does not validate, or answers that do not fit the instrument."""


@dataclass(frozen=True)
class Item:
    code: str
    text: dict[str, str]
    reverse: bool = False  # counts (max_answer - answer)


@dataclass(frozen=True)
class Scale:
    code: str
    name: dict[str, str]
    threshold: int  # the scale meets threshold when its score >= threshold
    items: tuple[Item, ...]


@dataclass(frozen=True)
class Flag:
    code: str
    text: dict[str, str]


@dataclass(frozen=True)
class Answer:
    value: int
    label: dict[str, str]


@dataclass(frozen=True)
class Instrument:
    code: str
    version: int
    title: dict[str, str]
    answers: tuple[Answer, ...]  # sorted by value: 0, 1, ... max_answer
    scales: tuple[Scale, ...]
    flags: tuple[Flag, ...]
    secondary_min_scales: int
    tertiary_flags: tuple[str, ...]
    reassessment_months: int

    def items(self) -> Iterator[Item]:
        """All items of all scales, in definition order."""
        for scale in self.scales:
            yield from scale.items

    @property
    def max_answer(self) -> int:
        return self.answers[-1].value

    def text(self, obj: Any, locale: str) -> str:
        """The text of an item, scale, flag, answer, the instrument or a {locale: text} dict,
        in `locale`, falling back to Spanish, then English."""
        texts = obj
        if not isinstance(obj, Mapping):
            texts = next((v for a in ("text", "name", "label", "title") if isinstance(v := getattr(obj, a, None), Mapping)), None)
            if texts is None:
                raise TypeError(f"{type(obj).__name__} has no translated text")
        return texts.get(locale) or texts.get("es") or texts.get("en") or ""

    def language(self, locale: str) -> str:
        """The language `text` answers in for `locale`, for the lang attribute
        (every text exists in each of LOCALES; others fall back to Spanish)."""
        return locale if locale in LOCALES else LOCALES[0]


@dataclass(frozen=True)
class Result:
    scale_scores: dict[str, int]
    scales_at_threshold: tuple[str, ...]
    flags: dict[str, bool]
    level: str  # "primary" | "secondary" | "tertiary"
    reason: str  # "tertiary_flag:a" or "tertiary_flag:a+b", "scales_at_threshold:N", "below_secondary:N"


def _mapping(value: Any, where: str, required: tuple[str, ...], optional: tuple[str, ...] = ()) -> dict:
    if not isinstance(value, dict):
        raise InstrumentError(f"{where}: expected a mapping, got {type(value).__name__}")
    for key in required:
        if key not in value:
            raise InstrumentError(f"{where}: missing key '{key}'")
    unknown = sorted(str(k) for k in value if k not in required + optional)
    if unknown:
        raise InstrumentError(f"{where}: unknown key '{unknown[0]}'")
    return value


def _int(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InstrumentError(f"{where}: expected a whole number, got {value!r}")
    return value


def _code(value: Any, where: str, pattern: re.Pattern[str] = _CODE) -> str:
    if not isinstance(value, str) or not pattern.match(value):
        allowed = "'_' or '-'" if pattern is _INSTRUMENT_CODE else "'_'"
        raise InstrumentError(f"{where}: code {value!r} must be up to 40 lower-case letters, digits and {allowed}")
    return value


def _texts(value: Any, where: str) -> dict[str, str]:
    """A {es, en, ...} dict of strings with the Spanish and English texts present and non-empty."""
    if not isinstance(value, dict):
        raise InstrumentError(f"{where}: expected texts {{es: ..., en: ...}}, got {type(value).__name__}")
    for locale in LOCALES:
        if not isinstance(value.get(locale), str) or not value[locale].strip():
            raise InstrumentError(f"{where}: {locale} text is missing or empty")
    if not all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
        raise InstrumentError(f"{where}: texts must be strings")
    return {k: v.strip() for k, v in value.items()}


def _list(value: Any, where: str) -> list:
    if not isinstance(value, list) or not value:
        raise InstrumentError(f"{where}: expected a non-empty list")
    return value


def _parse_answers(raw: Any) -> tuple[Answer, ...]:
    answers = []
    for i, entry in enumerate(_list(raw, "answer_scale")):
        entry = _mapping(entry, f"answer_scale[{i}]", ("value", "es", "en"))
        value = _int(entry["value"], f"answer_scale[{i}]: value")
        answers.append(Answer(value, _texts({k: v for k, v in entry.items() if k != "value"}, f"answer {value}")))
    values = [a.value for a in answers]
    if len(values) < 2 or sorted(values) != list(range(len(values))):
        raise InstrumentError(f"answer_scale: values {values} must be unique consecutive integers starting at 0")
    return tuple(sorted(answers, key=lambda a: a.value))


def _parse_scale(raw: Any, i: int, max_answer: int, seen_items: dict[str, str]) -> Scale:
    """One scale; `seen_items` maps the item codes met so far to their scale, across the instrument."""
    raw = _mapping(raw, f"scales[{i}]", ("code", "name", "threshold", "items"))
    code = _code(raw["code"], f"scales[{i}]")
    where = f"scale {code}"
    items = []
    for j, entry in enumerate(_list(raw["items"], f"{where}: items")):
        entry = _mapping(entry, f"{where}: items[{j}]", ("code", "text"), ("reverse",))
        item_code = _code(entry["code"], f"{where}: items[{j}]")
        if item_code in seen_items:
            other = seen_items[item_code]
            detail = "appears twice" if other == code else f"is already used in scale {other}"
            raise InstrumentError(f"{where}: item {item_code} {detail}")
        seen_items[item_code] = code
        reverse = entry.get("reverse", False)
        if not isinstance(reverse, bool):
            raise InstrumentError(f"{where}: item {item_code}: reverse must be true or false")
        items.append(Item(item_code, _texts(entry["text"], f"{where}: item {item_code}"), reverse))
    threshold, maximum = _int(raw["threshold"], f"{where}: threshold"), max_answer * len(items)
    if not 1 <= threshold <= maximum:
        raise InstrumentError(f"{where}: threshold {threshold} must be between 1 and the maximum possible score {maximum}")
    return Scale(code, _texts(raw["name"], f"{where}: name"), threshold, tuple(items))


def parse(data: Any) -> Instrument:
    """Validate a definition (as loaded from YAML) and build the Instrument.
    Raises InstrumentError naming the first problem found."""
    keys = ("code", "version", "title", "answer_scale", "scales", "flags", "eligibility", "reassessment_months")
    data = _mapping(data, "instrument", keys)
    code = _code(data["code"], "instrument", _INSTRUMENT_CODE)
    if _int(data["version"], "version") < 1:
        raise InstrumentError(f"version: must be a positive whole number, got {data['version']}")
    answers = _parse_answers(data["answer_scale"])

    raw_scales = _list(data["scales"], "scales")
    if len(raw_scales) != SCALE_COUNT:
        raise InstrumentError(f"scales: expected exactly {SCALE_COUNT}, found {len(raw_scales)}")
    seen_items: dict[str, str] = {}
    scales: list[Scale] = []
    for i, raw in enumerate(raw_scales):
        scales.append(_parse_scale(raw, i, answers[-1].value, seen_items))
        if scales[-1].code in {s.code for s in scales[:-1]}:
            raise InstrumentError(f"scales: scale {scales[-1].code} appears twice")

    flags: list[Flag] = []
    for i, raw in enumerate(_list(data["flags"], "flags")):
        raw = _mapping(raw, f"flags[{i}]", ("code", "text"))
        flag_code = _code(raw["code"], f"flags[{i}]")
        if flag_code in {f.code for f in flags} or flag_code in seen_items:
            raise InstrumentError(f"flags: code {flag_code} is used twice")
        flags.append(Flag(flag_code, _texts(raw["text"], f"flag {flag_code}")))

    rule = _mapping(data["eligibility"], "eligibility", ("secondary_min_scales", "tertiary_flags"))
    min_scales = _int(rule["secondary_min_scales"], "eligibility: secondary_min_scales")
    if not 1 <= min_scales <= len(scales):
        raise InstrumentError(f"eligibility: secondary_min_scales {min_scales} must be between 1 and {len(scales)}")
    tertiary = _list(rule["tertiary_flags"], "eligibility: tertiary_flags")
    for flag_code in tertiary:
        if flag_code not in {f.code for f in flags}:
            raise InstrumentError(f"eligibility: tertiary flag {flag_code!r} is not among the flags")
    if len(set(tertiary)) != len(tertiary):
        raise InstrumentError("eligibility: tertiary_flags lists a flag twice")

    if _int(data["reassessment_months"], "reassessment_months") < 1:
        raise InstrumentError(f"reassessment_months: must be a positive whole number, got {data['reassessment_months']}")
    return Instrument(
        code=code, version=data["version"], title=_texts(data["title"], "title"), answers=answers,
        scales=tuple(scales), flags=tuple(flags), secondary_min_scales=min_scales,
        tertiary_flags=tuple(tertiary), reassessment_months=data["reassessment_months"],
    )  # fmt: skip


def load_file(path: str | Path) -> Instrument:
    """Read and parse a YAML instrument definition; YAML errors become InstrumentError."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise InstrumentError(f"{path.name}: not valid YAML: {exc}") from exc
    try:
        return parse(data)
    except InstrumentError as exc:
        raise InstrumentError(f"{path.name}: {exc}") from exc


def score(instrument: Instrument, answers: Mapping[str, int], flags: Mapping[str, bool]) -> Result:
    """Score one screening. Every item needs a valid answer and every flag a bool; otherwise
    InstrumentError names the first offending item (in instrument order) or flag."""
    where = f"{instrument.code} v{instrument.version}"
    item_codes = {item.code for item in instrument.items()}
    unknown = sorted(str(k) for k in answers if k not in item_codes)
    if unknown:
        raise InstrumentError(f"item {unknown[0]}: not an item of {where}")
    valid = {a.value for a in instrument.answers}
    scores: dict[str, int] = {}
    for scale in instrument.scales:
        scores[scale.code] = 0
        for item in scale.items:
            if item.code not in answers:
                raise InstrumentError(f"item {item.code}: not answered")
            value = answers[item.code]
            if isinstance(value, bool) or not isinstance(value, int) or value not in valid:
                raise InstrumentError(f"item {item.code}: invalid answer {value!r} (expected 0 to {instrument.max_answer})")
            scores[scale.code] += instrument.max_answer - value if item.reverse else value

    flag_codes = [f.code for f in instrument.flags]
    unknown = sorted(str(k) for k in flags if k not in flag_codes)
    if unknown:
        raise InstrumentError(f"flag {unknown[0]}: not a flag of {where}")
    for code in flag_codes:
        if not isinstance(flags.get(code), bool):
            raise InstrumentError(f"flag {code}: expected yes or no (true/false), got {flags.get(code)!r}")

    at_threshold = tuple(s.code for s in instrument.scales if scores[s.code] >= s.threshold)
    raised = [code for code in instrument.tertiary_flags if flags[code]]
    if raised:
        level, reason = "tertiary", "tertiary_flag:" + "+".join(raised)
    elif len(at_threshold) >= instrument.secondary_min_scales:
        level, reason = "secondary", f"scales_at_threshold:{len(at_threshold)}"
    else:
        level, reason = "primary", f"below_secondary:{len(at_threshold)}"
    return Result(scores, at_threshold, {code: flags[code] for code in flag_codes}, level, reason)


def due_after(instrument: Instrument, start: date) -> date:
    """When a reassessment is due: `start` plus reassessment_months, the day clamped to the month's end."""
    months = start.month - 1 + instrument.reassessment_months
    year, month = start.year + months // 12, months % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


_PARSED: dict[str, Instrument] = {}


def definition_of(stored: Any) -> Instrument:
    """The parsed instrument of a stored InstrumentVersion (cached by its
    content: versions never change)."""
    key = json.dumps(stored.definition, sort_keys=True)
    if key not in _PARSED:
        _PARSED[key] = parse(stored.definition)
    return _PARSED[key]
