"""Every page each demo role can reach, in Spanish and English, on a 360 px
phone and a 1280 px screen, in a real Chromium: no serious or critical
axe-core violation, no sideways scrolling on the phone, no console error and
no request to another host. Data-entry forms are also sent empty once, and
their error state is checked the same way."""

from urllib.parse import urlsplit

import pytest
from axe_playwright_python.base import AXE_SCRIPT
from playwright.sync_api import Page

from app.demo.cli import ACCOUNTS
from tests.browser.conftest import LOCAL_HOST
from tests.browser.crawl import Crawl, Visit, known_pages, sign_in, use_language

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 900}
LANGUAGES = ("es", "en")
FAILING_IMPACTS = {"serious", "critical"}
# A page that does not exist, for the error page itself; the browser reports
# the 404 of the document in the console, which is expected there only.
MISSING = "/no-such-page"
MISSING_CONSOLE = "the server responded with a status of 404"

# axe-core, from the pinned axe-playwright-python package (see
# requirements-dev.txt), put into every page of a context before the page's
# own content; nothing is fetched at test time.
AXE_START = """() => {
    window.__sendaAxe = axe.run(document, {resultTypes: ['violations']}).then(r => r.violations);
}"""


def axe_problems(violations: list[dict]) -> list[str]:
    return [
        f"axe {v['id']} ({v['impact']}): {v['help']} at {', '.join(' '.join(n['target']) for n in v['nodes'][:5])}"
        for v in violations
        if v["impact"] in FAILING_IMPACTS
    ]


def scroll_problem(page: Page) -> list[str]:
    scroll, client = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    if scroll > client:
        return [f"scrolls sideways at {PHONE['width']} px: scrollWidth {scroll} > clientWidth {client}"]
    return []


class Watch:
    """Console errors, uncaught exceptions and requests to anything but the
    app (another host, or another port of this one), per visit."""

    def __init__(self, app_url: str, *pages: Page):
        self.app = urlsplit(app_url).netloc
        self.events: list[str] = []
        for page in pages:
            page.on("console", self.console)
            page.on("pageerror", lambda error: self.events.append(f"uncaught exception: {error}"))
            page.on("request", self.request)

    def console(self, message) -> None:
        if message.type == "error":
            self.events.append(f"console error: {message.text}")

    def request(self, request) -> None:
        if urlsplit(request.url).netloc != self.app:
            self.events.append(f"request to another host: {request.url}")

    def drain(self, url: str) -> list[str]:
        events, self.events = self.events, []
        if urlsplit(url).path == MISSING:
            events = [e for e in events if MISSING_CONSOLE not in e]
        return events


def check_pages(watch: Watch):
    """axe on the desktop and the phone page at once (two renderers, two cores),
    then the phone's width, then what the pages logged or requested."""

    def check(pages: list[Page], visit: Visit) -> list[str]:
        for page in pages:
            page.evaluate(AXE_START)
        desktop, phone = pages
        problems = scroll_problem(phone)
        for page, size in ((desktop, DESKTOP), (phone, PHONE)):
            problems += [f"{size['width']} px: {p}" for p in axe_problems(page.evaluate("() => window.__sendaAxe"))]
        return problems + watch.drain(visit.url)

    return check


ROLES = [None, *(account[0] for account in ACCOUNTS)]


@pytest.mark.parametrize("username", ROLES, ids=[u or "signed-out" for u in ROLES])
def test_every_page(username, browser, live_app, live_server):
    context = browser.new_context(locale="es-SV", base_url=live_server)
    context.add_init_script(AXE_SCRIPT)
    desktop, phone = context.new_page(), context.new_page()
    desktop.set_viewport_size(DESKTOP)
    phone.set_viewport_size(PHONE)
    watch = Watch(live_server, desktop, phone)
    problems, pages = [], 0
    try:
        if username:
            sign_in(desktop, username)
        else:
            desktop.goto("/auth/login")
        for locale in LANGUAGES:
            use_language(desktop, locale)
            watch.drain(desktop.url)
            crawl = Crawl(live_app, live_server, check_pages(watch))
            crawl.run([desktop, phone], "/" if username else "/auth/login", known_pages(live_app, username))
            if not username:
                for page in (desktop, phone):
                    page.goto(MISSING)
                crawl.look([desktop, phone], Visit(desktop.url, "link"))
            problems += [f"[{locale}] {p}" for p in crawl.problems]
            pages += len(crawl.visits)
            print(f"{username or 'signed out'} [{locale}]: {len(crawl.visits)} pages")
            for v in crawl.visits:
                print("   ", v.how, v.url)
    finally:
        context.close()
    assert pages > 0
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems)


def test_the_checks_find_what_they_look_for(browser):
    """The same checks on a page built to fail them: an image without a text
    alternative and a field without a label (both critical for axe), a box
    wider than a phone, a console error and a request to another host (which
    the browser is told to abort before it leaves)."""
    context = browser.new_context()
    context.add_init_script(AXE_SCRIPT)
    context.route("http://senda.invalid/**", lambda route: route.abort())
    desktop, phone = context.new_page(), context.new_page()
    desktop.set_viewport_size(DESKTOP)
    phone.set_viewport_size(PHONE)
    broken = (
        "data:text/html,<!doctype html><html lang=en><title>Broken</title><main>"
        "<img src='data:image/gif;base64,R0lGODlhAQABAAAAACw='><input type=text>"
        "<div style='width:500px'>wide</div><img src='http://senda.invalid/x.png' alt=''>"
        "<script>console.error('broken on purpose')</script></main></html>"
    )
    try:
        watch = Watch(f"http://{LOCAL_HOST}", desktop, phone)
        for page in (desktop, phone):
            page.goto(broken)
        problems = check_pages(watch)([desktop, phone], Visit(broken, "link"))
    finally:
        context.close()
    found = "\n".join(problems)
    assert "axe image-alt (critical)" in found and "axe label (critical)" in found
    assert f"scrolls sideways at {PHONE['width']} px" in found
    assert "console error: broken on purpose" in found
    assert "request to another host: http://senda.invalid/x.png" in found
