"""Only signed-in staff see conversations; forms need their token; failed sign-ins are slowed and logged."""

from __future__ import annotations

import requests

from scripts.stack import free_port
from tests.review.conftest import CSRF, PASSWORD, ReviewApp, Stack, csrf_of

PAGES = ["/conversations", "/conversations?crisis=yes", "/unanswered", "/audit", "/export?format=csv"]


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


def test_repeated_failed_sign_ins_are_slowed_down_and_logged(stack: Stack, staff: requests.Session):
    name = "sam.throttled"
    assert stack.review.command("review.staff", "add", name, stdin=PASSWORD + "\n").returncode == 0
    browser = requests.Session()
    for _ in range(3):
        form = browser.get(f"{stack.review.url}/login")
        wrong = {"csrf_token": CSRF.search(form.text).group(1), "username": name, "password": "guess"}
        assert browser.post(f"{stack.review.url}/login", data=wrong).status_code == 401
    form = browser.get(f"{stack.review.url}/login")
    right = {"csrf_token": csrf_of(form), "username": name, "password": PASSWORD}
    answer = browser.post(f"{stack.review.url}/login", data=right)
    assert answer.status_code == 429
    assert "Please wait" in answer.text
    log = staff.get(f"{stack.review.url}/audit", params={"action": "login_failed"}).text
    assert log.count(name) >= 3
    throttled = staff.get(f"{stack.review.url}/audit", params={"action": "login_throttled"}).text
    assert name in throttled


def test_signing_out_ends_the_session(stack: Stack, staff: requests.Session):
    page = staff.get(f"{stack.review.url}/conversations")
    staff.post(f"{stack.review.url}/logout", data={"csrf_token": csrf_of(page)})
    assert staff.get(f"{stack.review.url}/conversations").url.startswith(f"{stack.review.url}/login")


def test_behind_https_the_session_cookie_is_secure_and_host_only(sqlite_stack: Stack):
    behind_https = ReviewApp(f"http://127.0.0.1:{free_port()}", {**sqlite_stack.review.env, "REVIEW_HTTPS": "true"})
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
