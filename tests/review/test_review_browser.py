"""A staff member in a real browser: sign in, open the crisis queue, read one conversation, mark it reviewed.

Headless Chromium from Debian (/usr/bin/chromium), driven by Playwright; screenshots go to
results/screenshots/ for a person to look at.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect, sync_playwright

from scripts.stack import PROJECT
from tests.chromium import CHROMIUM, CHROMIUM_ARGS
from tests.review.conftest import PASSWORD, STAFF, Stack, new_sender

SCREENSHOTS = PROJECT / "results" / "screenshots"


@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed (apt-get install chromium)")
def test_staff_open_the_crisis_queue_read_a_conversation_and_mark_it_reviewed(sqlite_stack: Stack):
    stack = sqlite_stack
    sender, first_message = new_sender("browser"), "hello, I'm writing from the library computer"
    for message in (first_message, "what is ect", "/crisis"):
        stack.rasa.say(sender, message, metadata={"country": "GB"})
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

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
