"""Text that looks like HTML or script shows literally and runs nothing, also when shown again."""

from __future__ import annotations

from playwright.sync_api import expect

ATTACKS = [
    '<img src=x onerror="alert(1)">',
    "<script>alert(2)</script>",
    '<a href="javascript:alert(3)">click me</a>',
    "<svg onload=\"document.title='owned'\"></svg>",
]
# What a person's message may become: a bubble, a paragraph, and the "You:" for screen readers.
MADE_ELEMENTS = "host => host.shadowRoot.querySelectorAll('.entry.user *:not(div, p, span)').length"


def expect_literal_and_inert(chat, title: str) -> None:
    expect(chat.entries("user")).to_have_text([f"You: {attack}" for attack in ATTACKS])
    assert chat.page.locator("#trd-chat").evaluate(MADE_ELEMENTS) == 0
    assert chat.page.evaluate("document.querySelectorAll('img, svg, script').length") == 1  # the widget's tag
    assert chat.dialogs == []
    assert chat.page.title() == title


def test_html_and_script_in_messages_show_as_text_and_run_nothing(chat):
    title = chat.page.title()
    chat.open()
    for attack in ATTACKS:
        chat.ask(attack)
    expect_literal_and_inert(chat, title)
    chat.entries("user").first.scroll_into_view_if_needed()
    chat.screenshot("sent")

    chat.page.reload()  # the history is drawn again from storage
    expect_literal_and_inert(chat, title)
    chat.entries("user").first.scroll_into_view_if_needed()
