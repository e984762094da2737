"""A visitor opens the widget, asks a question, reads the answer with its source, follows a suggestion."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from playwright.sync_api import expect

from content_library.load import load_topics

TOPICS = load_topics()


def test_answers_with_the_source_and_follows_a_suggestion(chat, widget_stack):
    chat.open()
    expect(chat.entries("bot").first).to_contain_text("Hello! I can tell you about treatment-resistant depression")

    chat.say("What is ECT?")
    ect = chat.answer(TOPICS["ect"].short)
    expect(ect.locator(".source")).to_have_text(TOPICS["ect"].source_line)
    chat.screenshot("answer")

    chat.panel.get_by_role("button", name=TOPICS["tms"].label, exact=True).click()
    expect(chat.entries("user").last).to_have_text(f"You: {TOPICS['tms'].label}")
    tms = chat.answer(TOPICS["tms"].short)
    expect(tms.locator(".source")).to_have_text(TOPICS["tms"].source_line)
    expect(chat.input).to_be_focused()

    # The page's country and language went with every message, for the crisis lines.
    # stored under the session id's conversation part (the server signs the id it issues)
    events = widget_stack.rasa.tracker(chat.stored()["sessionId"].split(".")[0])["events"]
    said = [event for event in events if event["event"] == "user"]
    assert [event["text"] for event in said] == ["What is ECT?", "/tms"]
    assert all({"country": "GB", "language": "en"}.items() <= event["metadata"].items() for event in said)


def test_suggestions_already_answered_are_removed(chat):
    chat.open()
    chat.say("What is ECT?")
    expect(chat.answer(TOPICS["ect"].short).get_by_role("button", name=TOPICS["tms"].label)).to_be_visible()
    chat.say("What is TMS?")
    expect(chat.answer(TOPICS["tms"].short)).to_be_visible()
    expect(chat.answer(TOPICS["ect"].short).get_by_role("button")).to_have_count(0)


def test_loads_under_its_content_security_policy_and_talks_only_to_its_servers(chat, widget_stack):
    expect(chat.launcher).to_have_css("position", "fixed")  # its stylesheet applied under style-src 'self'
    chat.open()
    chat.say("What is ECT?")
    expect(chat.answer(TOPICS["ect"].short)).to_be_visible()

    assert chat.csp_violations() == []
    hosts = {urlsplit(url).netloc for url in chat.requests}
    assert hosts == {urlsplit(widget_stack.page_url).netloc, urlsplit(widget_stack.rasa.url).netloc}
    assert any(re.match(r"wss?://", url) for url in chat.requests), "the widget should upgrade to a WebSocket"
