"""A pseudo-locale crawl: the app runs with a catalog, made here from the
message template, that renders every message as ⟦message⟧, and each page
every role can reach (and each form's error state) must show no text
outside those marks. Text that is not the interface's is exempt where the
page says so: elements marked translate="no" (names, codes and other data)
and elements in another language (lang="…", such as the language switch), and
what is typed into a text area.
Month and day names come from the locale's CLDR data, not from the catalog,
and are exempt as well."""

from pathlib import Path

import pytest
from babel import Locale
from babel.dates import get_day_names, get_month_names, get_period_names
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from playwright.sync_api import Page

from app import create_app
from app.demo.cli import ACCOUNTS
from tests.browser.crawl import Crawl, Visit, known_pages, sign_in
from tests.conftest import make_config

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
# A locale Babel knows that Senda does not ship: Esperanto.
PSEUDO = "eo"
OPEN, CLOSE = "⟦", "⟧"

UNMARKED_TEXT = """([open, close]) => {
    const pageLang = document.documentElement.lang;
    // Data: marked translate="no", or what is typed into a text area.
    const exempt = (el) => el.closest('[translate="no"], textarea, script, style, noscript, template')
        || (el.closest('[lang]') && el.closest('[lang]').lang !== pageLang);
    const shown = (el) => {
        const box = el.closest('option') ? el.closest('select') : el;
        return box.checkVisibility({visibilityProperty: true});
    };
    // The visible text in document order, exempt parts replaced by a blank.
    let text = '';
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const el = node.parentElement;
        if (!el || !shown(el)) continue;
        text += exempt(el) ? '  ' : ' ' + node.data;
    }
    const leftover = (s) => {
        let previous;
        const innermost = new RegExp(open + '[^' + open + close + ']*' + close, 'gu');
        do { previous = s; s = s.replace(innermost, ' '); } while (s !== previous);
        return s;
    };
    // Texts that are shown or read out but are not text nodes.
    const attributes = [];
    // A title reads "what · which one · Senda": what the page is must be
    // translated; the rest names the record (a case code) and the product.
    if (document.title) attributes.push(leftover(document.title).split(' · ')[0]);
    const named = 'input[type=submit], input[type=button], [placeholder], [aria-label], [title], img[alt], [data-label]';
    for (const el of document.body.querySelectorAll(named)) {
        if (exempt(el)) continue;
        for (const name of ['value', 'placeholder', 'aria-label', 'title', 'alt', 'data-label']) {
            if (name === 'value' && el.tagName !== 'INPUT') continue;
            if (el.hasAttribute(name) && el.getAttribute(name).trim()) attributes.push(el.getAttribute(name));
        }
    }
    return [leftover(text), ...attributes.map(leftover)]
        .flatMap(s => s.split(/\\s{2,}|\\n/u))
        .map(s => s.trim())
        .filter(s => /\\p{L}/u.test(s));
}"""


def cldr_words(locale: str) -> set[str]:
    """Month, day and day-period names of `locale`, in every width and context."""
    words = set()
    for width in ("wide", "abbreviated", "narrow", "short"):
        for context in ("format", "stand-alone"):
            for names in (get_month_names, get_day_names):
                try:
                    words.update(names(width, context, locale=locale).values())
                except KeyError:
                    pass
            if width != "short":
                words.update(get_period_names(width, context, locale=locale).values())
    return {w.lower() for w in words}


def is_cldr_only(text: str, words: set[str]) -> bool:
    tokens = [t.strip(".,:;()–-") for t in text.lower().split()]
    return all(not any(c.isalpha() for c in t) or t in words for t in tokens)


@pytest.fixture(scope="module")
def pseudo_translations(tmp_path_factory) -> Path:
    """translations/<PSEUDO>/LC_MESSAGES/messages.mo with every message marked."""
    with open(ROOT / "translations" / "messages.pot", "rb") as fh:
        catalog = read_po(fh, locale=PSEUDO)
    catalog.locale = Locale.parse(PSEUDO)
    for message in catalog:
        if not message.id:
            continue
        if isinstance(message.id, tuple):
            singular, plural = message.id
            message.string = tuple(
                f"{OPEN}{singular if n == 0 else plural}{CLOSE}" for n in range(catalog.num_plurals)
            )
        else:
            message.string = f"{OPEN}{message.id}{CLOSE}"
        message.flags.discard("fuzzy")
    directory = tmp_path_factory.mktemp("translations")
    target = directory / PSEUDO / "LC_MESSAGES"
    target.mkdir(parents=True)
    with open(target / "messages.mo", "wb") as fh:
        write_mo(fh, catalog)
    return directory


@pytest.fixture
def live_app(db_url, pseudo_translations):
    """The app with the pseudo-locale as its only language."""
    return create_app(make_config(
        db_url, BABEL_TRANSLATION_DIRECTORIES=str(pseudo_translations), LANGUAGES=(PSEUDO,),
        BABEL_DEFAULT_LOCALE=PSEUDO,
    ))


ROLES = [None, *(account[0] for account in ACCOUNTS)]


@pytest.mark.parametrize("username", ROLES, ids=[u or "signed-out" for u in ROLES])
def test_every_visible_text_is_translated(username, browser, live_app, live_server):
    words = cldr_words(PSEUDO)
    found: dict[str, set[str]] = {}

    def check(pages: list[Page], visit: Visit) -> list[str]:
        (page,) = pages
        assert page.locator("html").get_attribute("lang") == PSEUDO
        for text in page.evaluate(UNMARKED_TEXT, [OPEN, CLOSE]):
            if not is_cldr_only(text, words):
                found.setdefault(text, set()).add(crawl.endpoint(visit.url) or visit.url)
        return []

    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="es-SV", base_url=live_server)
    page = context.new_page()
    crawl = Crawl(live_app, live_server, check)
    try:
        if username:
            sign_in(page, username)
        crawl.run([page], "/" if username else "/auth/login", known_pages(live_app, username))
    finally:
        context.close()
    assert crawl.visits
    assert not crawl.problems, "\n".join(crawl.problems)
    assert not found, f"{len(found)} texts are not translated:\n" + "\n".join(
        f"{text!r} on {', '.join(sorted(where))}" for text, where in sorted(found.items())
    )


def test_the_check_finds_unmarked_text(browser):
    """Unmarked words in text and in a button are found; data marked as such,
    text in another language and the marked messages are not."""
    context = browser.new_context()
    page = context.new_page()
    try:
        page.set_content(
            f'<html lang="{PSEUDO}"><head><title>{OPEN}Home{CLOSE} · Senda</title></head><body>'
            f"<p>{OPEN}Hello, <b>Ana</b>{CLOSE} World</p><p translate=\"no\">Ana López</p>"
            '<button lang="es">Español</button><input type="submit" value="Save"></body></html>'
        )
        found = page.evaluate(UNMARKED_TEXT, [OPEN, CLOSE])
    finally:
        context.close()
    assert found == ["World", "Save"]
