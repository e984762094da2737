"""The conversation survives a page reload and a restart of the server; it starts once when the server was down."""

from __future__ import annotations

from playwright.sync_api import expect

from content_library.load import load_topics
from tests.replies import said

TOPICS = load_topics()


def test_reload_shows_the_history_and_goes_on_with_the_same_conversation(chat):
    chat.open()
    chat.say("What is ECT?")
    expect(chat.answer(TOPICS["ect"].short).locator(".source")).to_be_visible()
    session = chat.stored()["sessionId"]

    chat.page.reload()

    expect(chat.panel).to_be_visible()  # it was open, so it opens again
    expect(chat.entries("user")).to_have_text(["You: What is ECT?"])
    expect(chat.answer(TOPICS["ect"].short).locator(".source")).to_have_text(TOPICS["ect"].source_line)
    # "Tell me more" only works if the server still knows which topic this conversation was on.
    chat.say("tell me more")
    expect(chat.answer(TOPICS["ect"].detail)).to_be_visible()
    assert chat.stored()["sessionId"] == session


def test_says_when_offline_then_reconnects_by_itself_after_a_server_restart(chat, widget_stack):
    chat.open()
    chat.say("What is ECT?")
    expect(chat.answer(TOPICS["ect"].short)).to_be_visible()
    expect(chat.status).to_be_hidden()

    with widget_stack.rasa_down():
        expect(chat.status).to_contain_text("You're offline. Reconnecting")
        chat.say("tell me more")  # typed while offline: sent once the connection is back
        chat.screenshot("offline")

    expect(chat.status).to_be_hidden()
    expect(chat.answer(TOPICS["ect"].detail)).to_be_visible()
    chat.say("What is TMS?")
    expect(chat.answer(TOPICS["tms"].short)).to_be_visible()


def test_a_panel_opened_twice_while_offline_is_introduced_once_when_the_server_is_back(chat, widget_stack):
    with widget_stack.rasa_down():
        chat.open(online=False)
        expect(chat.status).to_contain_text("You're offline")
        chat.panel.get_by_label("Close chat").click()
        chat.open(online=False)

    expect(chat.status).to_be_hidden()
    expect(chat.answer(said("utter_starters"))).to_be_visible()
    chat.ask("What is ECT?")
    expect(chat.answer(TOPICS["ect"].short)).to_be_visible()
    # the server answers a conversation's messages in order, so anything asked before is in by now
    expect(chat.answer(said("utter_intro"))).to_have_count(1)
    expect(chat.answer(said("utter_starters"))).to_have_count(1)
