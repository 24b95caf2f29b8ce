"""Bilingual at every commit: the Spanish catalog is complete, and the
locale is chosen in the documented order."""

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from tests.conftest import login, post_form

ROOT = Path(__file__).resolve().parent.parent
PLACEHOLDER = re.compile(r"%\((\w+)\)[sdif]")


def catalog(locale: str):
    with open(ROOT / "translations" / locale / "LC_MESSAGES" / "messages.po", "rb") as fh:
        return read_po(fh, locale=locale)


def strings_of(message) -> list[str]:
    return list(message.string) if isinstance(message.string, tuple) else [message.string]


def ids_of(message) -> list[str]:
    return list(message.id) if isinstance(message.id, tuple) else [message.id]


@pytest.mark.parametrize("locale", ["es", "en"])
def test_catalog_has_no_missing_or_fuzzy_entry(locale):
    problems = []
    for message in catalog(locale):
        if not message.id:
            continue
        if message.fuzzy:
            problems.append(f"fuzzy: {message.id!r}")
        if not all(strings_of(message)):
            problems.append(f"untranslated: {message.id!r}")
    assert problems == []


@pytest.mark.parametrize("locale", ["es", "en"])
def test_placeholders_match_the_english_message_id(locale):
    problems = []
    for message in catalog(locale):
        if not message.id:
            continue
        expected = set().union(*(PLACEHOLDER.findall(i) for i in ids_of(message)))
        for string in strings_of(message):
            if set(PLACEHOLDER.findall(string)) != expected:
                problems.append(f"{message.id!r} -> {string!r}")
    assert problems == []


def test_catalog_covers_every_extracted_message():
    """The .pot extracted from the code has no message the Spanish catalog lacks."""
    with open(ROOT / "translations" / "messages.pot", "rb") as fh:
        template = read_po(fh)
    spanish = catalog("es")
    missing = [m.id for m in template if m.id and spanish.get(m.id, context=m.context) is None]
    assert missing == []


# English words that play several grammatical roles: as a case status ("Inscrito(a)"), a school
# status ("Abandonó los estudios"), one person's sex ("Mujer") or a column counting people
# ("Inscritos", "Mujeres"). Spanish needs a different word for each role, so these ids may only
# be used with pgettext (lazy_pgettext at import time); see docs/glossary.md.
CONTEXT_ONLY = ("Referred", "Screened", "Enrolled", "Completed", "Dropped out", "Female", "Male")


def by_context(messages) -> dict[str, dict[str | None, object]]:
    found: dict[str, dict[str | None, object]] = {}
    for message in messages:
        if message.id:
            found.setdefault(ids_of(message)[0], {})[message.context] = message
    return found


@pytest.mark.parametrize("source", ["messages.pot", "es"])
def test_words_with_several_roles_are_only_used_with_a_context(source):
    """The code (the extracted template) and the catalog have no context-less entry for these
    ids, and each role they play has its own entry."""
    if source == "messages.pot":
        with open(ROOT / "translations" / "messages.pot", "rb") as fh:
            messages = by_context(read_po(fh))
    else:
        messages = by_context(catalog(source))
    problems = [f"{word!r} used without a context" for word in CONTEXT_ONLY if None in messages.get(word, {})]
    problems += [f"{word!r} has fewer than two contexts" for word in CONTEXT_ONLY
                 if len(messages.get(word, {})) < 2]
    assert problems == []


def test_each_context_of_a_word_has_its_own_spanish():
    """Where a word is used in several contexts, the Spanish differs between them (else one
    context would do)."""
    same = []
    for word, contexts in by_context(catalog("es")).items():
        if len(contexts) < 2:
            continue
        strings = [strings_of(m)[0] for m in contexts.values()]
        if len(set(strings)) < len(strings):
            same.append(f"{word!r}: {dict(zip(contexts, strings, strict=True))}")
    assert same == []


def test_no_word_is_used_both_with_and_without_a_context():
    """A context-less entry beside contextual ones means a use site forgot its context."""
    with open(ROOT / "translations" / "messages.pot", "rb") as fh:
        messages = by_context(read_po(fh))
    mixed = [word for word, contexts in messages.items() if None in contexts and len(contexts) > 1]
    assert mixed == []


def page_lang(response) -> str:
    return re.search(r'<html lang="(\w+)(-\w+)?">', response.get_data(as_text=True)).group(1)


def test_default_locale_is_spanish(client):
    assert page_lang(client.get("/auth/login")) == "es"
    assert "Iniciar sesión" in client.get("/auth/login").get_data(as_text=True)


def test_accept_language_is_followed(client):
    response = client.get("/auth/login", headers={"Accept-Language": "en-US,en;q=0.9"})
    assert page_lang(response) == "en"
    assert "Sign in to Senda" in response.get_data(as_text=True)


def test_language_switch_beats_accept_language(client):
    post_form(client, "/language", {"locale": "es"}, form_url="/auth/login")
    response = client.get("/auth/login", headers={"Accept-Language": "en"})
    assert page_lang(response) == "es"


def test_user_preference_beats_switch_and_is_stored(client, app):
    login(client, "worker.sv")  # demo preference: es
    post_form(client, "/language", {"locale": "en"}, form_url="/auth/password")
    assert page_lang(client.get("/auth/password")) == "en"
    from app.accounts.models import User
    from app.extensions import db

    with app.app_context():
        assert db.session.query(User).filter_by(username="worker.sv").one().locale == "en"


def test_wtforms_messages_are_translated(client):
    response = post_form(client, "/auth/login", {"username": "", "password": ""})
    body = response.get_data(as_text=True)
    assert "Ingrese su usuario" in body or "Ingrese su nombre de usuario" in body


def test_numbers_use_babel_formatting(app):
    from flask_babel import force_locale, format_decimal

    with app.test_request_context():
        with force_locale("es"):
            spanish = format_decimal(1234567)
        with force_locale("en"):
            english = format_decimal(1234567)
    assert english == "1,234,567"
    assert spanish != english
