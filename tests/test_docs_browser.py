"""Swagger UI and ReDoc work offline: their assets come from the sandbox itself; and a
person can use Swagger UI at once: Authorize, then Try it out → Execute answers 200.

The browser tests open `/docs` and `/redoc` of a live server in headless Chromium (the
Debian package, `/usr/bin/chromium`), driven by Playwright, launched once for the module,
and record every request the pages make. Without Chromium they are skipped, except in CI
(`CI=true`), where they fail.
"""

import json
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import httpx
import pytest

from sandbox.core.database import Database
from sandbox.pytest_plugin import live_server
from sandbox.scenarios.loader import resolve
from sandbox.server.app import create_app, openapi_document
from sandbox.server.docs import ASSETS
from sandbox.testing import InProcessServer
from tests.builders import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

CHROMIUM = Path("/usr/bin/chromium")
# Playwright adds --headless and a fresh --user-data-dir.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PAGES = ("/docs", "/redoc")
DOCUMENT = openapi_document()
OPERATIONS = sorted(
    (method.upper(), path) for path, item in DOCUMENT["paths"].items() for method in item
)
SUMMARIES = {op["summary"] for item in DOCUMENT["paths"].values() for op in item.values()}


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    database = Database(f"sqlite:///{tmp_path_factory.mktemp('docs') / 'sandbox.db'}")
    with InProcessServer(create_app(database, resolve("demo"))) as server:
        yield server.client()
    database.dispose()


@pytest.mark.parametrize("page", PAGES)
def test_page_names_no_other_host(client: httpx.Client, page: str) -> None:
    response = client.get(page)
    assert response.status_code == 200
    assert "text/html" in response.headers["content-type"]
    assert re.findall(r"https?://", response.text) == []
    assert f'"{ASSETS}/' in response.text


@pytest.mark.parametrize("page", PAGES)
def test_page_forbids_loading_from_another_host(client: httpx.Client, page: str) -> None:
    policy = client.get(page).headers["content-security-policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["default-src"] == "'self'"
    assert all("http" not in sources and "*" not in sources for sources in directives.values())


@pytest.mark.parametrize(
    ("asset", "kind"),
    [
        ("swagger-ui-bundle.js", "javascript"),
        ("swagger-ui.css", "text/css"),
        ("redoc.standalone.js", "javascript"),
        ("favicon.png", "image/png"),
    ],
)
def test_assets_are_served_locally(client: httpx.Client, asset: str, kind: str) -> None:
    response = client.get(f"{ASSETS}/{asset}")
    assert response.status_code == 200
    assert kind in response.headers["content-type"]
    assert len(response.content) > 1000


def test_css_loads_nothing_from_another_host(client: httpx.Client) -> None:
    css = client.get(f"{ASSETS}/swagger-ui.css").text
    assert re.findall(r"@import|url\(\s*['\"]?https?:", css) == []


def test_swagger_ui_keeps_the_authorization_entered(client: httpx.Client) -> None:
    # Authorize once: Swagger UI keeps the token and the key in localStorage.
    assert '"persistAuthorization": true' in client.get("/docs").text


def test_redoc_script_has_no_logo_from_a_cdn(client: httpx.Client) -> None:
    assert "cdn.redoc.ly" not in client.get(f"{ASSETS}/redoc.standalone.js").text


@pytest.fixture(scope="module")
def browser_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is missing: apt-get install chromium (.ci/run does)"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    database_url = f"sqlite:///{tmp_path_factory.mktemp('browser') / 'sandbox.db'}"
    with live_server(database_url) as url:
        yield url


@pytest.fixture(scope="module")
def chromium(browser_url: str) -> Iterator["Browser"]:
    """One headless Chromium for the module; each test opens its own context in it, with
    storage of its own."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class Visit:
    """A page opened in a fresh browser context, with every request it made."""

    def __init__(self, chromium: "Browser", url: str, ready: str) -> None:
        self.requests: list[str] = []
        self.errors: list[str] = []
        context = chromium.new_context()
        context.on("request", lambda request: self.requests.append(request.url))
        try:
            page = context.new_page()
            page.on("pageerror", lambda error: self.errors.append(str(error)))
            page.goto(url)
            page.wait_for_selector(ready, timeout=30_000)
            self.operations = page.eval_on_selector_all(
                ".opblock",
                """blocks => blocks.map(b => [
                    b.querySelector('.opblock-summary-method').textContent,
                    b.querySelector('.opblock-summary-path').dataset.path])""",
            )
            self.headings = page.eval_on_selector_all(
                "h2", "titles => titles.map(t => t.textContent.trim())"
            )
        finally:
            context.close()

    def foreign_hosts(self) -> list[str]:
        """Hosts other than the sandbox's (a blob: URL carries its page's origin)."""
        hosts = [urlsplit(url.removeprefix("blob:")) for url in self.requests]
        return [h.netloc for h in hosts if h.scheme != "data" and h.hostname != "127.0.0.1"]


def test_swagger_ui_renders_every_operation_offline(browser_url: str, chromium: "Browser") -> None:
    visit = Visit(chromium, f"{browser_url}/docs", ".opblock-summary-path")
    assert ["POST", "/{opco}/v1/dossiers"] in visit.operations
    assert sorted(map(tuple, visit.operations)) == OPERATIONS
    assert f"{browser_url}/openapi.json" in visit.requests
    assert visit.foreign_hosts() == []
    assert visit.errors == []


def test_redoc_renders_the_operations_offline(browser_url: str, chromium: "Browser") -> None:
    visit = Visit(chromium, f"{browser_url}/redoc", "h2:has-text('Transmettre un contrat')")
    assert "Transmettre un contrat d'apprentissage" in visit.headings
    assert SUMMARIES <= set(visit.headings)
    assert f"{browser_url}/openapi.json" in visit.requests
    assert visit.foreign_hosts() == []
    assert visit.errors == []


TRANSMISSION = "/{opco}/v1/dossiers"


def test_swagger_ui_transmits_a_contract_once_authorized(
    browser_url: str, chromium: "Browser", tmp_path: Path
) -> None:
    """A person's first minute: Authorize once (demo's vendor, its token fetched by the
    browser, and demo's key), then Try it out → Execute on `POST /{opco}/v1/dossiers`, every
    field as the page fills it: 200. The authorization outlives a reload of the page."""
    context = chromium.new_context()
    try:
        page = context.new_page()
        page.goto(f"{browser_url}/docs")
        page.wait_for_selector(".opblock-summary-path", timeout=30_000)
        authorize(page)
        block = page.locator(
            f".opblock-post:has(.opblock-summary-path[data-path='{TRANSMISSION}'])"
        )
        block.locator(".opblock-summary").click()
        block.locator("button.try-out__btn").click()
        block.locator("button.execute").click()
        answer = block.locator(".live-responses-table tr.response")
        answer.wait_for(timeout=30_000)
        answer.screenshot(path=tmp_path / "swagger-ui-execute.png")
        assert answer.locator(".response-col_status").inner_text() == "200"
        body = json.loads(answer.locator(".response-col_description pre").first.inner_text())
        assert body["etat"] == "TRANSMIS"
        page.reload()
        page.wait_for_selector(".opblock-summary-path", timeout=30_000)
        lock = page.locator(".auth-wrapper button.authorize")
        assert "locked" in (lock.get_attribute("class") or "").split()
        stored = json.loads(page.evaluate("localStorage.getItem('authorized')"))
        assert {"OAuth2", "X-API-KEY"} <= set(stored)
    finally:
        context.close()


def authorize(page: "Page") -> None:
    """Swagger UI's Authorize: the OAuth2 client credentials, then the key."""
    page.click(".auth-wrapper button.authorize")
    page.fill("#client_id_clientCredentials", DEMO_CLIENT_ID)
    page.fill("#client_secret_clientCredentials", DEMO_CLIENT_SECRET)
    oauth2 = page.locator(".auth-container:has(h4:has-text('OAuth2'))")
    oauth2.locator("button.authorize").click()
    # The browser fetched the token: the section offers to log out.
    oauth2.locator("button", has_text="Logout").wait_for(timeout=30_000)
    page.fill("#api_key_value", "demo-akto-key")
    key = page.locator(".auth-container:has(h4:has-text('X-API-KEY'))")
    key.locator("button.authorize").click()
    key.locator("button", has_text="Logout").wait_for(timeout=30_000)
    page.click(".modal-ux .close-modal")
