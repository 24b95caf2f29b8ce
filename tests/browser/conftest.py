"""Fixtures for the browser tests: the app served on a real socket, and
Debian's Chromium driven through Playwright on a small phone screen."""

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from app import create_app
from tests.conftest import make_config, serve

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 360, "height": 740}
LOCAL_HOST = "127.0.0.1"


@pytest.fixture
def live_app(db_url):
    """The app that `live_server` serves, on a fresh copy of the demo database.
    A test module may override this fixture to serve another configuration."""
    return create_app(make_config(db_url))


@pytest.fixture
def live_server(live_app) -> Iterator[str]:
    """`live_app`, served on a free port."""
    with serve(live_app, LOCAL_HOST) as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} not found: the browser tests need Debian's Chromium. "
            "Install it with `apt-get install -y chromium` (do not run `playwright install`).",
            pytrace=False,
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    """A fresh phone-sized, Spanish (El Salvador) browser context. Fails the
    test on any console error or any request leaving 127.0.0.1."""
    context = browser.new_context(viewport=PHONE, locale="es-SV", base_url=live_server)
    page = context.new_page()
    console_errors: list[str] = []
    outside_requests: list[str] = []

    def on_console(message):
        if message.type == "error":
            console_errors.append(f"{message.text} ({message.location.get('url', '')})")

    def on_request(request):
        if urlsplit(request.url).hostname != LOCAL_HOST:
            outside_requests.append(request.url)

    page.on("console", on_console)
    page.on("request", on_request)
    page.on("pageerror", lambda error: console_errors.append(f"uncaught: {error}"))
    yield page
    context.close()
    assert (console_errors, outside_requests) == ([], []), (
        f"console errors: {console_errors}; requests outside {LOCAL_HOST}: {outside_requests}"
    )
