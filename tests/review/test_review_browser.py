"""A staff member in a real browser: sign in, open the crisis queue, read one conversation, mark it reviewed;
a crisis awaiting review opens at its first crisis message not yet reviewed; the list on a phone.

Headless Chromium from Debian (/usr/bin/chromium), driven by Playwright; screenshots go to
results/screenshots/ for a person to look at.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect, sync_playwright

from scripts.stack import PROJECT
from tests.chromium import CHROMIUM, CHROMIUM_ARGS
from tests.review.conftest import PASSWORD, STAFF, Stack, mark_reviewed, new_sender

SCREENSHOTS = PROJECT / "results" / "screenshots"
needs_chromium = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="Debian's chromium is not installed (apt-get install chromium)"
)


@contextlib.contextmanager
def signed_in_page(stack: Stack, width: int = 1280, height: int = 900) -> Iterator[Page]:
    """A browser window of that size, signed in as STAFF on the list page."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(headless=True, executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": width, "height": height})
            page.goto(f"{stack.review.url}/conversations")
            page.get_by_label("Username").fill(STAFF)
            page.get_by_label("Password").fill(PASSWORD)
            page.get_by_role("button", name="Sign in").click()
            expect(page.get_by_role("heading", name="Conversations")).to_be_visible()
            yield page
        finally:
            browser.close()


@needs_chromium
def test_staff_open_the_crisis_queue_read_a_conversation_and_mark_it_reviewed(sqlite_stack: Stack):
    stack = sqlite_stack
    sender, first_message = new_sender("browser"), "hello, I'm writing from the library computer"
    for message in (first_message, "what is ect", "/crisis"):
        stack.rasa.say(sender, message, metadata={"country": "GB"})

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(headless=True, executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto(f"{stack.review.url}/conversations")
            expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
            page.get_by_label("Username").fill(STAFF)
            page.get_by_label("Password").fill(PASSWORD)
            page.get_by_role("button", name="Sign in").click()
            expect(page.get_by_role("heading", name="Conversations")).to_be_visible()

            page.get_by_role("link", name="Crisis queue").click()
            expect(page.get_by_label("Crisis", exact=True)).to_be_checked()
            row = page.locator("tr.pinned", has_text=sender)
            expect(row).to_be_visible()
            expect(row.locator(".mark.waiting")).to_have_text("Awaiting review")
            page.screenshot(path=SCREENSHOTS / "review-crisis-queue.png", full_page=True)

            row.get_by_role("link", name=first_message).click()
            expect(page.get_by_role("heading", name=f"Conversation {sender}")).to_be_visible()
            expect(page.locator(".message.person .text").first).to_have_text(first_message)
            expect(page.locator(".message.assistant.crisis").first).to_be_visible()
            page.get_by_role("button", name="Mark reviewed").click()
            expect(page.locator(".mark.reviewed")).to_have_text(f"Reviewed by {STAFF}")
            expect(page.get_by_role("button", name="Mark as not reviewed")).to_be_visible()
            page.screenshot(path=SCREENSHOTS / "review-conversation-reviewed.png", full_page=True)

            page.get_by_role("link", name="Crisis queue").click()
            expect(page.locator("tr", has_text=sender)).to_have_count(0)
        finally:
            browser.close()


@needs_chromium
def test_a_crisis_awaiting_review_opens_at_its_first_crisis_message_not_yet_reviewed(sqlite_stack: Stack):
    stack = sqlite_stack
    sender, later_crisis = new_sender("jump"), "i want to kill myself"
    for message in ("/crisis", "/ect", "/tms"):
        stack.rasa.say(sender, message, metadata={"country": "GB"})
    mark_reviewed(stack.review.login(), stack.review.url, sender)
    for message in ("/ketamine", "/lithium", later_crisis, "/crisis"):  # a crisis after the review, then more
        stack.rasa.say(sender, message, metadata={"country": "GB"})

    with signed_in_page(stack) as page:
        page.get_by_role("link", name="Crisis queue").click()
        page.locator("tr.pinned", has_text=sender).get_by_role("link", name=later_crisis).click()
        expect(page.get_by_role("heading", name=f"Conversation {sender}")).to_be_visible()
        assert page.url.endswith("#first-unreviewed-crisis")
        landed = page.locator("#first-unreviewed-crisis")
        expect(landed).to_have_class("message person crisis")
        expect(landed.locator(".text")).to_have_text(later_crisis)
        expect(landed).to_be_in_viewport()
        assert page.evaluate("window.scrollY") > 0
        expect(page.locator(".message.person", has_text="/crisis").first).not_to_be_in_viewport()
        page.screenshot(path=SCREENSHOTS / "review-first-unreviewed-crisis.png")

        page.evaluate("window.scrollTo(0, 0)")
        page.get_by_role("link", name="Go to the first crisis message not yet reviewed").click()
        expect(landed).to_be_in_viewport()


@needs_chromium
def test_the_list_fits_a_phone_without_scrolling_sideways(sqlite_stack: Stack):
    stack = sqlite_stack
    sender = new_sender("phone")
    stack.rasa.say(sender, "supercalifragilistic" * 6)  # a long word must wrap, not widen the page
    stack.rasa.say(sender, "/crisis")

    with signed_in_page(stack, width=360, height=740) as page:
        for listed in ("/conversations", "/conversations?crisis=yes&reviewed=no"):
            page.goto(f"{stack.review.url}{listed}")
            expect(page.locator("tr", has_text=sender)).to_be_visible()
            width = page.evaluate("[document.scrollingElement.scrollWidth, window.innerWidth]")
            assert width[0] <= width[1], f"{listed}: the page is {width[0]} px wide in a {width[1]} px window"
        expect(page.locator("table.conversations thead")).to_be_hidden()  # one card per conversation instead
        page.screenshot(path=SCREENSHOTS / "review-list-phone.png", full_page=True)
