"""On a phone 360 px wide the panel fills the screen and nothing overflows sideways."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from content_library.load import load_topics

TOPICS = load_topics()
WIDTH, HEIGHT = 360, 640


@pytest.mark.phone
def test_fits_a_360px_screen_without_sideways_scrolling(chat):
    chat.open()
    expect(chat.entries("bot").first).to_be_in_viewport()  # the introduction, first thing on the screen
    chat.screenshot("opened")
    chat.say("What is ECT?")
    expect(chat.answer(TOPICS["ect"].short).locator(".source")).to_be_visible()
    chat.ask("x" * 150)  # one long word must wrap inside its bubble, not widen the page

    assert chat.page.evaluate("document.documentElement.scrollWidth") <= WIDTH
    assert chat.log.evaluate("log => log.scrollWidth <= log.clientWidth")
    panel = chat.panel.bounding_box()
    assert panel["x"] >= 0 and panel["y"] >= 0
    assert panel["x"] + panel["width"] <= WIDTH and panel["y"] + panel["height"] <= HEIGHT
    for control in (chat.input, chat.panel.get_by_role("button", name="Send"), chat.panel.get_by_label("Close chat")):
        expect(control).to_be_in_viewport(ratio=1)
