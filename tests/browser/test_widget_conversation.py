"""A visitor opens the widget, asks a question, reads the answer with its source, follows a suggestion."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from playwright.sync_api import expect

from content_library.load import load_topics
from tests.replies import said

TOPICS = load_topics()


def test_the_panel_opens_with_the_introduction_and_starting_topics_and_greets_once(chat):
    chat.open()
    # before anyone types: what the assistant is and is not, where to get help now, topics to start from
    expect(chat.entries("bot")).to_have_count(2)
    expect(chat.entries("bot").first).to_have_text(f"Assistant: {said('utter_intro')}")
    expect(chat.entries("user")).to_have_count(0)
    for topic in ("what_is_trd", "treatment_options", "outlook"):
        expect(chat.panel.get_by_role("button", name=TOPICS[topic].label, exact=True)).to_be_visible()
    chat.screenshot("opened")

    chat.ask("hello")
    expect(chat.entries("bot").last).to_contain_text(said("utter_greet"))
    expect(chat.answer("Hi, I'm an information assistant")).to_have_count(1)
    expect(chat.entries("bot")).to_have_count(3)

    chat.page.reload()  # a reload keeps the conversation and asks for no second introduction
    expect(chat.entries("bot")).to_have_count(3)
    chat.ask("What is ECT?")
    expect(chat.answer(TOPICS["ect"].short)).to_be_visible()
    expect(chat.answer("Hi, I'm an information assistant")).to_have_count(1)


def test_answers_with_the_source_and_follows_a_suggestion(chat, widget_stack):
    chat.open()

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
    sent = [event for event in events if event["event"] == "user"]
    assert [event["text"] for event in sent] == ["/start", "What is ECT?", "/tms"]  # /start: the panel opened
    assert all({"country": "GB", "language": "en"}.items() <= event["metadata"].items() for event in sent)


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
