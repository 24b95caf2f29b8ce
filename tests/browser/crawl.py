"""A crawler for the browser checks: signs in as a role, follows the links
it can see from the home page, submits each data-entry form empty once to
reach its error state, and runs a check on every page it lands on.

One representative URL per route and set of query parameters is visited
(one case page stands for every case page), so a role's crawl stays small
whatever the demo data holds."""

import re
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urljoin, urlsplit, urlunsplit

from flask import Flask
from playwright.sync_api import Page
from sqlalchemy import select
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect

from app.accounts.models import User
from app.extensions import db
from app.security.policy import can, visible_youth
from app.youth.models import Youth
from tests.conftest import DEMO_PASSWORD

# Pages and links a crawl never opens: files (not pages), and the way out.
SKIP_ENDPOINTS = {"static", "auth.logout", "main.healthz", "main.set_language", "errors.csp_report"}
FILE_SUFFIX = re.compile(r"\.(csv|xlsx|json)$")
# At most this many URLs of one route with different query parameters
# (a report at country, department and municipality level, say).
MAX_PER_ENDPOINT = 3
MAX_PAGES = 80

# Inputs a person types into. A form with at least one is a data-entry form:
# sent with all of them empty, it must come back with its errors shown.
TYPED_INPUTS = (
    "input:not([type]), input[type=text], input[type=email], input[type=password], input[type=date], "
    "input[type=time], input[type=number], input[type=search], input[type=tel], input[type=url], "
    "input[type=file], textarea"
)
POST_FORMS = "main form[method=post], main form[method=POST]"
ERROR_SHOWN = "[role=alert], .flash-error, [aria-invalid=true], .error"

CLEAR_AND_SEND = """(form, typed) => {
    form.noValidate = true;  // the server's validation is what is being looked at
    for (const el of form.querySelectorAll(typed)) {
        el.value = '';
    }
    const button = form.querySelector('button[type=submit], button:not([type]), input[type=submit]');
    if (button) { button.click(); } else { form.requestSubmit(); }
}"""


@dataclass
class Visit:
    """A page the crawl looked at, and how it got there."""

    url: str
    how: str  # "link", or which form was sent empty


@dataclass
class Crawl:
    """One crawl: the same pages opened side by side in one or more tabs of
    one browser context (a phone and a desktop, say), each page handed to
    `check`, which returns what it found wrong."""

    app: Flask
    base_url: str
    check: Callable[[list[Page], Visit], list[str]]
    seen: set[tuple] = field(default_factory=set)
    looked: set[tuple] = field(default_factory=set)
    per_endpoint: dict[str, int] = field(default_factory=dict)
    forms_sent: set[tuple] = field(default_factory=set)
    visits: list[Visit] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def endpoint(self, url: str) -> str | None:
        """The Flask endpoint a same-origin GET of `url` reaches, or None."""
        parts = urlsplit(url)
        if f"{parts.scheme}://{parts.netloc}" != self.base_url:
            return None
        try:
            endpoint, _ = self.app.url_map.bind("localhost").match(parts.path, method="GET")
        except RequestRedirect as redirect:
            return self.endpoint(urljoin(self.base_url, urlsplit(redirect.new_url).path))
        except HTTPException:
            return None
        return endpoint

    def key(self, url: str) -> tuple | None:
        """What makes a URL new to the crawl: its route and its query parameter
        names (the pager's `page` aside: page 2 of a list is the same page)."""
        endpoint = self.endpoint(url)
        if endpoint is None or endpoint in SKIP_ENDPOINTS or FILE_SUFFIX.search(urlsplit(url).path):
            return None
        names = frozenset(name for name, _ in parse_qsl(urlsplit(url).query, keep_blank_values=True)) - {"page"}
        return (endpoint, names)

    def want(self, url: str) -> bool:
        key = self.key(url)
        if key is None or key in self.seen or self.per_endpoint.get(key[0], 0) >= MAX_PER_ENDPOINT:
            return False
        self.seen.add(key)
        self.per_endpoint[key[0]] = self.per_endpoint.get(key[0], 0) + 1
        return True

    @staticmethod
    def links(page: Page) -> list[str]:
        hrefs = page.eval_on_selector_all("a[href]:not([download])", "els => els.map(a => a.href)")
        return [urlunsplit((*urlsplit(href)[:4], "")) for href in hrefs]

    def run(self, pages: list[Page], start: str = "/", known: tuple[str, ...] = ()) -> None:
        """Breadth first from `start` and then the `known` pages, within
        MAX_PAGES pages. The first page finds the links; every page opens
        each URL."""
        queue = [urljoin(self.base_url, url) for url in (start, *known)]
        queue = [url for url in queue if self.want(url)]
        while queue and len(self.visits) < MAX_PAGES:
            url = queue.pop(0)
            response = pages[0].goto(url)
            if response is None or "text/html" not in (response.headers.get("content-type") or ""):
                continue
            key = self.key(pages[0].url)
            if key in self.looked:  # a redirect to a page already looked at
                continue
            self.looked.add(key)
            together(pages[1:], lambda page: page.evaluate("url => { location.href = url; }", url))
            self.look(pages, Visit(pages[0].url, "link"))
            for link in self.links(pages[0]):
                if self.want(link):
                    queue.append(link)
            self.send_forms_empty(pages)
        if queue:
            self.problems.append(f"the crawl stopped at {MAX_PAGES} pages with {len(queue)} not visited: raise MAX_PAGES")

    def look(self, pages: list[Page], visit: Visit) -> None:
        self.visits.append(visit)
        self.problems.extend(f"{visit.url} ({visit.how}): {problem}" for problem in self.check(pages, visit))

    def send_forms_empty(self, pages: list[Page]) -> None:
        """Send each data-entry form of this page empty, once per route and form,
        from every page; each must come back showing an error."""
        here = pages[0].url
        endpoint = self.endpoint(here)
        forms = pages[0].locator(POST_FORMS)
        targets = []
        for index in range(forms.count()):
            form = forms.nth(index)
            if form.locator(TYPED_INPUTS).count() == 0:
                continue  # an action button (change status, withdraw…), not data entry
            action = form.get_attribute("action") or ""
            target = (endpoint, self.endpoint(urljoin(here, action)) if action else endpoint, index)
            if target not in self.forms_sent:
                self.forms_sent.add(target)
                targets.append(index)
        for index in targets:
            stale = [page for page in pages if page.url != here]
            together(stale, lambda page: page.evaluate("url => { location.href = url; }", here))
            together(pages, lambda page: page.locator(POST_FORMS).nth(index).evaluate(CLEAR_AND_SEND, TYPED_INPUTS))
            visit = Visit(pages[0].url, f"form {index + 1} of {here} sent empty")
            if pages[0].locator(ERROR_SHOWN).count() == 0:
                self.problems.append(f"{visit.url} ({visit.how}): the form was accepted empty; no error is shown")
            self.look(pages, visit)


def known_pages(app: Flask, username: str | None) -> tuple[str, ...]:
    """Pages that only some records link to, so that a crawl which opens one
    record of each kind may miss them: enrolling a screened youth."""
    if username is None:
        return ()
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == username))
        if not can(user, "cases.work"):
            return ()
        screened = db.session.scalar(visible_youth(user).where(Youth.status == "screened").limit(1))
        db.session.remove()
        return (f"/cases/{screened.case_code}/enroll",) if screened else ()


def together(pages: list[Page], start: Callable[[Page], object]) -> None:
    """Start a navigation in each page, then wait until all have loaded, so
    that the server and the browser tabs work on them at the same time."""
    with ExitStack() as stack:
        for page in pages:
            stack.enter_context(page.expect_navigation())
        for page in pages:
            start(page)


def sign_in(page: Page, username: str) -> None:
    page.goto("/auth/login")
    page.fill("#username", username)
    page.fill("#password", DEMO_PASSWORD)
    with page.expect_navigation():
        page.locator("main form button[type=submit], main form input[type=submit]").first.click()
    assert "/auth/login" not in page.url, f"{username} could not sign in"


def page_language(page: Page) -> str:
    """The language of <html lang="es-SV">: es (the tag carries the user's country too)."""
    return (page.locator("html").get_attribute("lang") or "").split("-")[0]


def use_language(page: Page, locale: str) -> None:
    """Switch the interface to `locale` with the language button, if needed."""
    if page_language(page) != locale:
        with page.expect_navigation():
            page.locator(f".lang-switch button[value={locale}]").click()
    assert page_language(page) == locale
