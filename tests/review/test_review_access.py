"""Only signed-in staff see conversations; forms need their token; failed sign-ins are slowed and logged."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from types import SimpleNamespace

import pytest
import requests
import sqlalchemy as sa

from review import accounts, audit
from review.clients import Client, client_of
from review.database import REVIEW
from review.settings import Settings
from scripts.stack import free_port
from tests.review.conftest import PASSWORD, STAFF, ReviewApp, Stack, csrf_of

PAGES = ["/conversations", "/conversations?crisis=yes", "/unanswered", "/audit", "/export?format=csv"]
SIGNED_IN, WRONG, THROTTLED = 303, 401, 429


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def behind_proxy(request) -> Iterator[ReviewApp]:
    """A review app on the stack's stores that trusts one proxy's X-Forwarded-For."""
    stack = request.getfixturevalue(f"{request.param}_stack")
    app = ReviewApp(f"http://127.0.0.1:{free_port()}", {**stack.review.env, "REVIEW_TRUSTED_PROXIES": "1"})
    app.start()
    try:
        yield app
    finally:
        app.stop()


@pytest.fixture
def audit_log() -> Iterator[sa.engine.Connection]:
    """The app's tables in memory, for the throttle's rules on their own."""
    engine = sa.create_engine("sqlite://")
    with engine.begin() as connection:
        REVIEW.create_all(connection)
        yield connection
    engine.dispose()


def add_account(app: ReviewApp, name: str) -> None:
    assert app.command("review.staff", "add", name, stdin=PASSWORD + "\n").returncode == 0


def sign_in(url: str, username: str, password: str, forwarded_for: str = "") -> requests.Response:
    """One sign-in from a new browser; forwarded_for: the address a proxy would add to X-Forwarded-For."""
    browser = requests.Session()
    if forwarded_for:
        browser.headers["X-Forwarded-For"] = forwarded_for
    form = browser.get(f"{url}/login")
    data = {"csrf_token": csrf_of(form), "username": username, "password": password}
    return browser.post(f"{url}/login", data=data, allow_redirects=False)


def test_every_page_sends_a_stranger_to_sign_in_and_shows_no_conversation(stack: Stack):
    for page in [*PAGES, f"/conversation?id={stack.seeded['fallback']}"]:
        answer = requests.get(f"{stack.review.url}{page}", allow_redirects=False)
        assert answer.status_code == 303, page
        assert answer.headers["Location"].startswith("/login?next="), page
        assert "blorp" not in answer.text
    refused = requests.post(
        f"{stack.review.url}/conversation/note", data={"id": stack.seeded["fallback"], "text": "hello"}
    )
    assert refused.status_code == 401


def test_a_wrong_password_is_refused_and_opens_no_session(stack: Stack):
    browser = requests.Session()
    form = browser.get(f"{stack.review.url}/login")
    answer = browser.post(
        f"{stack.review.url}/login",
        data={"csrf_token": csrf_of(form), "username": "pat.reviewer", "password": "not the password"},
    )
    assert answer.status_code == 401
    assert "do not match" in answer.text
    assert browser.get(f"{stack.review.url}/conversations").url.startswith(f"{stack.review.url}/login")


def test_the_session_cookie_is_http_only_and_same_site(stack: Stack):
    browser = requests.Session()
    form = browser.get(f"{stack.review.url}/login")
    answer = browser.post(
        f"{stack.review.url}/login",
        data={"csrf_token": csrf_of(form), "username": "pat.reviewer", "password": PASSWORD},
        allow_redirects=False,
    )
    cookie = next(value for value in answer.raw.headers.getlist("Set-Cookie") if value.startswith("review_session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_sign_in_needs_the_form_s_token(stack: Stack):
    browser = requests.Session()
    browser.get(f"{stack.review.url}/login")
    answer = browser.post(f"{stack.review.url}/login", data={"username": "pat.reviewer", "password": PASSWORD})
    assert answer.status_code == 403
    assert browser.get(f"{stack.review.url}/conversations").url.startswith(f"{stack.review.url}/login")


def test_a_failed_sign_in_keeps_the_username_escaped_and_asks_only_for_the_password(stack: Stack):
    browser = requests.Session()
    form = browser.get(f"{stack.review.url}/login")
    typed = 'kim.<b>typo</b>"'
    wrong = {"csrf_token": csrf_of(form), "username": typed, "password": "not the password"}
    answer = browser.post(f"{stack.review.url}/login", data=wrong)
    assert answer.status_code == 401 and "do not match" in answer.text
    assert 'value="kim.&lt;b&gt;typo&lt;/b&gt;&#34;"' in answer.text and "<b>typo</b>" not in answer.text
    assert 'type="password" autocomplete="current-password" required autofocus' in answer.text


def test_a_form_without_its_csrf_token_changes_nothing(stack: Stack, staff: requests.Session):
    conversation = stack.seeded["ect"]
    for token in (None, "forged-token"):
        data = {"id": conversation, "text": "a note that must not be saved", "reviewed": "yes"}
        if token:
            data["csrf_token"] = token
        for form in ("note", "reviewed", "tag"):
            answer = staff.post(f"{stack.review.url}/conversation/{form}", data={**data, "tag": "forged"})
            assert answer.status_code == 403, form
            assert "expired" in answer.text
    page = staff.get(f"{stack.review.url}/conversation", params={"id": conversation}).text
    assert "must not be saved" not in page and "forged" not in page and "Not reviewed yet" in page


def test_repeated_failed_sign_ins_on_an_account_from_one_address_are_slowed_down_and_logged(
    stack: Stack, staff: requests.Session
):
    name = "sam.throttled"
    add_account(stack.review, name)
    for _ in range(accounts.FREE_FAILURES_PER_ACCOUNT_AND_CLIENT):
        assert sign_in(stack.review.url, name, "guess").status_code == WRONG
    answer = sign_in(stack.review.url, name, PASSWORD)
    assert answer.status_code == THROTTLED
    assert "Please wait" in answer.text
    log = staff.get(f"{stack.review.url}/audit", params={"action": "login_failed"}).text
    assert log.count(name) >= accounts.FREE_FAILURES_PER_ACCOUNT_AND_CLIENT
    throttled = staff.get(f"{stack.review.url}/audit", params={"action": "login_throttled"}).text
    assert name in throttled


def test_without_trusted_proxies_a_forged_forwarded_address_does_not_escape_the_throttle(
    stack: Stack, staff: requests.Session
):
    name = "lee.forged"
    add_account(stack.review, name)
    forged = [f"198.51.100.{number}" for number in range(10, 10 + accounts.FREE_FAILURES_PER_ACCOUNT_AND_CLIENT)]
    for address in forged:
        assert sign_in(stack.review.url, name, "guess", forwarded_for=address).status_code == WRONG
    assert sign_in(stack.review.url, name, PASSWORD, forwarded_for="203.0.113.10").status_code == THROTTLED
    log = staff.get(f"{stack.review.url}/audit", params={"action": "login_failed"}).text
    assert "127.0.0.1" in log and not any(address in log for address in forged)


def test_a_stranger_s_failures_do_not_hold_the_account_for_its_owner_elsewhere(behind_proxy: ReviewApp):
    name, stranger, owner = "kim.targeted", "198.51.100.20", "203.0.113.20"
    add_account(behind_proxy, name)
    for _ in range(accounts.FREE_FAILURES_PER_ACCOUNT_AND_CLIENT):
        assert sign_in(behind_proxy.url, name, "guess", forwarded_for=stranger).status_code == WRONG
    assert sign_in(behind_proxy.url, name, PASSWORD, forwarded_for=stranger).status_code == THROTTLED
    assert sign_in(behind_proxy.url, name, PASSWORD, forwarded_for=owner).status_code == SIGNED_IN


def test_with_trusted_proxies_the_throttle_follows_the_forwarded_address(behind_proxy: ReviewApp):
    # every request reaches the app from the same socket address; only the forwarded ones differ
    guesser, colleague = "198.51.100.30", "203.0.113.30"
    for number in range(accounts.FREE_FAILURES_PER_CLIENT):
        assert sign_in(behind_proxy.url, f"nobody.{number}", "guess", forwarded_for=guesser).status_code == WRONG
    # held for every account now, even one it never tried; the colleague behind the same proxy is not
    assert sign_in(behind_proxy.url, STAFF, PASSWORD, forwarded_for=guesser).status_code == THROTTLED
    answer = sign_in(behind_proxy.url, STAFF, PASSWORD, forwarded_for=colleague)
    assert answer.status_code == SIGNED_IN
    session = {"review_session": answer.cookies["review_session"]}
    log = requests.get(f"{behind_proxy.url}/audit", params={"action": "login_failed"}, cookies=session).text
    assert guesser in log  # the audit log names the client, not the proxy


def test_tries_sent_together_are_each_counted(behind_proxy: ReviewApp):
    name, address = "alex.burst", "198.51.100.40"
    add_account(behind_proxy, name)
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(lambda _: sign_in(behind_proxy.url, name, "guess", address).status_code, range(8)))
    assert answers.count(WRONG) == accounts.FREE_FAILURES_PER_ACCOUNT_AND_CLIENT
    assert answers.count(THROTTLED) == 8 - accounts.FREE_FAILURES_PER_ACCOUNT_AND_CLIENT


def test_a_guess_spread_over_many_addresses_waits_but_the_owner_s_usual_address_does_not(
    audit_log: sa.engine.Connection,
):
    name, usual = "ray.owner", Client("192.0.2.1", own_address=True)
    audit.record(audit_log, accounts.SIGNED_IN, username=name, client=usual.address)
    for number in range(accounts.FREE_FAILURES_PER_ACCOUNT):
        audit.record(audit_log, accounts.FAILED, username=name, client=f"10.1.{number // 200}.{number % 200}")
    assert accounts.seconds_to_wait(audit_log, name, Client("198.51.100.50", own_address=True)) > 0
    assert accounts.seconds_to_wait(audit_log, name, usual) == 0


def test_failures_from_a_proxy_s_address_do_not_hold_everyone_behind_it(audit_log: sa.engine.Connection):
    for number in range(accounts.FREE_FAILURES_PER_CLIENT):
        audit.record(audit_log, accounts.FAILED, username=f"someone.{number}", client="10.0.0.2")
    assert accounts.seconds_to_wait(audit_log, "jo.new", Client("10.0.0.2", own_address=True)) > 0
    assert accounts.seconds_to_wait(audit_log, "jo.new", Client("10.0.0.2", own_address=False)) == 0


@pytest.mark.parametrize(
    "settings, forwarded, expected",
    [
        (Settings(), "", Client("10.0.0.2", own_address=True)),
        (Settings(https=True), "", Client("10.0.0.2", own_address=False)),
        (Settings(trusted_proxies=1), "198.51.100.60", Client("198.51.100.60", own_address=True)),
        (Settings(trusted_proxies=1), "", Client("10.0.0.2", own_address=False)),
    ],
    ids=["no proxy", "untrusted proxy", "trusted proxy", "trusted proxy, no header"],
)
def test_the_client_is_the_peer_unless_a_trusted_proxy_names_it(settings, forwarded, expected):
    # Sanic's reading of the header: remote_addr is empty unless PROXIES_COUNT is set and the entry is there
    request = SimpleNamespace(ip="10.0.0.2", remote_addr=forwarded)
    assert client_of(request, settings) == expected


def test_signing_out_ends_the_session(stack: Stack, staff: requests.Session):
    page = staff.get(f"{stack.review.url}/conversations")
    staff.post(f"{stack.review.url}/logout", data={"csrf_token": csrf_of(page)})
    assert staff.get(f"{stack.review.url}/conversations").url.startswith(f"{stack.review.url}/login")


def test_behind_https_the_session_cookie_is_secure_and_host_only(sqlite_stack: Stack):
    behind_https = ReviewApp(
        f"http://127.0.0.1:{free_port()}",
        {**sqlite_stack.review.env, "REVIEW_HTTPS": "true", "REVIEW_TRUSTED_PROXIES": "1"},
    )
    behind_https.start()
    try:
        form = requests.get(f"{behind_https.url}/login")
        assert "Secure" in form.headers["Set-Cookie"]
        # the proxy speaks HTTPS to the browser; here, on plain HTTP, the Secure cookie is sent by hand
        answer = requests.post(
            f"{behind_https.url}/login",
            data={"csrf_token": csrf_of(form), "username": "pat.reviewer", "password": PASSWORD},
            headers={"Cookie": f"review_login={csrf_of(form)}", "X-Forwarded-For": "203.0.113.9"},
            allow_redirects=False,
        )
        assert answer.status_code == 303
        cookie = answer.headers["Set-Cookie"]
        assert cookie.startswith("__Host-review_session=") and "Secure" in cookie and "HttpOnly" in cookie
        assert "Domain" not in cookie and "Path=/;" in cookie
        assert answer.headers["Strict-Transport-Security"].startswith("max-age=")
        session = cookie.split(";", 1)[0]
        log = requests.get(f"{behind_https.url}/audit", params={"action": "login"}, headers={"Cookie": session})
        assert "203.0.113.9" in log.text  # the client's address, as the proxy in front passed it on
    finally:
        behind_https.stop()
