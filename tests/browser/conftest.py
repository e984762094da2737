"""The website widget in a real browser: Debian's chromium driven by Playwright, against the real stack.

The servers are real: the action server (tests/conftest.py), a Rasa server with the widget's
socket.io channel as credentials.yml configures it (only its allowed origins set to the test pages'),
and the demo page from webchat/serve.py for a clinic in the UK and one in France. Each test gets a
fresh browser context, so a new conversation, and leaves a screenshot in results/screenshots/.
"""

from __future__ import annotations

import re
import shutil
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml
from playwright.sync_api import Browser, Dialog, Page, expect, sync_playwright

from scripts.stack import BIN, PROJECT, Rasa, Server, base_env, free_port, start, start_rasa
from tests.chromium import CHROMIUM, CHROMIUM_ARGS
from tests.replies import said

BUNDLE = PROJECT / "webchat" / "dist" / "widget.js"
SCREENSHOTS = PROJECT / "results" / "screenshots"
SOCKETIO_CHANNEL = "channels.socketio.SocketIOInput"
# A clinic in a country with its own crisis lines (the page every test opens), and one elsewhere,
# which gets the international directory of lines.
PAGE_COUNTRIES = ("GB", "FR")
REPLY_MS = 30_000  # every expect() waits this long: a reply comes in well under a second when idle
DESKTOP = {"viewport": {"width": 1280, "height": 800}}
PHONE = {"viewport": {"width": 360, "height": 640}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}
CSP_VIOLATIONS = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => window.cspViolations.push(event.violatedDirective));
"""

expect.set_options(timeout=REPLY_MS)


def widget_credentials(page_origins: list[str], folder: Path) -> Path:
    """credentials.yml's socket.io section as it is, with the test pages as the allowed origins."""
    section = yaml.safe_load((PROJECT / "credentials.yml").read_text())[SOCKETIO_CHANNEL]
    path = folder / "credentials.yml"
    path.write_text(yaml.safe_dump({SOCKETIO_CHANNEL: {**section, "cors_allowed_origins": page_origins}}))
    return path


@dataclass
class WidgetStack:
    """The demo pages and the Rasa server behind them; the Rasa server can be stopped and started again."""

    pages: dict[str, str]  # the demo page's address for each country
    rasa: Rasa
    action_url: str
    credentials: Path
    folder: Path
    page_servers: list[Server]

    @property
    def page_url(self) -> str:
        return self.pages[PAGE_COUNTRIES[0]]

    @property
    def rasa_port(self) -> int:
        return int(self.rasa.url.rsplit(":", 1)[1])

    @contextmanager
    def rasa_down(self):
        """The Rasa server stopped for the block, then started again on the same port with the same
        conversations, as in a restart in production (and whatever the block did, for the next tests)."""
        self.rasa.stop()
        try:
            yield
        finally:
            self.rasa = start_rasa(
                "webchat-rasa-restarted",
                self.folder,
                self.action_url,
                port=self.rasa_port,
                db=self.rasa.db,
                credentials=self.credentials,
            )


@pytest.fixture(scope="package")
def widget_stack(action_server: Server, tmp_path_factory) -> WidgetStack:
    if not BUNDLE.exists():
        pytest.fail(f"{BUNDLE.relative_to(PROJECT)} is not built: run `make webchat`.")
    folder = tmp_path_factory.mktemp("webchat")
    ports = {country: free_port() for country in PAGE_COUNTRIES}
    pages = {country: f"http://127.0.0.1:{port}/" for country, port in ports.items()}
    credentials = widget_credentials([url.rstrip("/") for url in pages.values()], folder)
    action_url = f"{action_server.url}/webhook"
    rasa = start_rasa("webchat-rasa", folder, action_url, credentials=credentials)
    serve = [str(BIN / "python"), "webchat/serve.py", "--rasa-url", rasa.url]
    page_servers = []
    for country, port in ports.items():
        command = [*serve, "--port", str(port), "--country", country]
        page_servers.append(start(f"webchat-page-{country}", command, pages[country], base_env()))
    stack = WidgetStack(pages, rasa, action_url, credentials, folder, page_servers)
    yield stack
    for server in page_servers:
        server.stop()
    stack.rasa.stop()


@pytest.fixture(scope="package")
def browser() -> Browser:
    if not CHROMIUM.exists():
        pytest.fail("Debian's chromium is missing: run scripts/install_test_tools.sh (make test does).")
    shutil.rmtree(SCREENSHOTS, ignore_errors=True)
    SCREENSHOTS.mkdir(parents=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@dataclass
class Chat:
    """The page with the widget, as a person sees and uses it."""

    page: Page
    name: str
    dialogs: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)

    @property
    def launcher(self):
        return self.page.get_by_role("button", name=re.compile(r"^(Open|Close) chat:"))

    @property
    def panel(self):
        return self.page.get_by_role("dialog")

    @property
    def input(self):
        return self.page.get_by_label("Your message")

    @property
    def log(self):
        return self.page.get_by_role("log")

    @property
    def status(self):
        return self.panel.get_by_role("status")

    @property
    def banner(self):
        return self.panel.get_by_role("alert")

    def entries(self, who: str):
        return self.log.locator(f".entry.{who}")

    def answer(self, containing: str):
        """The assistant's bubble that contains this text."""
        return self.entries("bot").filter(has_text=containing)

    def open(self, online: bool = True) -> None:
        """Opens the panel; online, a new conversation's first thing is the server's introduction,
        which has come when its starting topics have (so a reply awaited next is a reply to what is said)."""
        self.launcher.click()
        expect(self.input).to_be_focused()
        if online:
            expect(self.answer(said("utter_starters"))).to_be_visible()

    def say(self, text: str) -> None:
        self.input.fill(text)
        self.input.press("Enter")

    def csp_violations(self) -> list[str]:
        return self.page.evaluate("window.cspViolations")

    def ask(self, text: str) -> None:
        """Says this and waits for the assistant's reply to begin."""
        replies = self.entries("bot").count()
        self.say(text)
        expect(self.entries("bot")).not_to_have_count(replies)

    def stored(self) -> dict:
        """What the widget keeps in the browser's session storage."""
        return self.page.evaluate("JSON.parse(sessionStorage.getItem('trd-chat'))")

    def screenshot(self, label: str = "") -> None:
        suffix = f"-{label}" if label else ""
        self.page.screenshot(path=SCREENSHOTS / f"{self.name}{suffix}.png")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "phone: open the page on a phone-sized screen, 360 px wide")


@pytest.fixture
def chat(browser: Browser, widget_stack: WidgetStack, request: pytest.FixtureRequest) -> Chat:
    """The demo page in a new browser context (a new visitor); a screenshot of it is kept at the end."""
    context = browser.new_context(**(PHONE if request.node.get_closest_marker("phone") else DESKTOP))
    context.add_init_script(CSP_VIOLATIONS)
    page = context.new_page()
    chat = Chat(page, re.sub(r"[^\w-]+", "-", request.node.name).strip("-"))

    def note_and_dismiss(dialog: Dialog) -> None:
        chat.dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", note_and_dismiss)
    page.on("request", lambda sent: chat.requests.append(sent.url))
    page.on("websocket", lambda websocket: chat.requests.append(websocket.url))
    page.goto(widget_stack.page_url)
    yield chat
    chat.screenshot()
    context.close()
