"""Crisis alerts are never silently off: the review app's header says so when CRISIS_ALERT_URL is off."""

from __future__ import annotations

from pathlib import Path

import requests

from scripts.stack import sqlite_tracker
from tests.review.conftest import Stack, start_review

NOTICE = "Crisis alerts are off"


def test_the_header_says_that_crisis_alerts_are_off_when_no_webhook_is_set(stack: Stack, staff):
    # the test stacks run with CRISIS_ALERT_URL=off, as `make run` does by default
    for path in ("/conversations", "/unanswered", "/audit"):
        page = staff.get(f"{stack.review.url}{path}")
        assert page.status_code == 200 and NOTICE in page.text, path


def test_with_a_webhook_set_the_header_has_no_such_notice(sqlite_stack: Stack, tmp_path):
    tracker = sqlite_tracker(Path(sqlite_stack.owner.url.database))
    review = start_review(
        tmp_path, {**tracker, "REVIEW_DB": str(tmp_path / "review.db"), "CRISIS_ALERT_URL": "http://127.0.0.1:9/alerts"}
    )
    try:
        page = review.login().get(f"{review.url}/conversations")
        assert page.status_code == 200 and "Crisis queue" in page.text
        assert NOTICE not in page.text
    finally:
        review.stop()


def test_the_login_page_does_not_show_it_to_someone_not_signed_in(stack: Stack):
    page = requests.get(f"{stack.review.url}/login", timeout=10)
    assert page.status_code == 200 and NOTICE not in page.text
