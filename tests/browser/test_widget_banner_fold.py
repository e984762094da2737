"""The crisis banner folds to one line that keeps a call link: by itself on a phone, by choice anywhere."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from content_library.next_steps import load_next_steps
from tests.browser.test_widget_crisis import expect_gb_lines

FOLDED_AT_MOST_PX = 64
FIRST_WORDS = "You matter"  # how every crisis reply starts: the words that must not be out of sight
NEXT_STEPS_OFFER = load_next_steps().offer.split(".")[0]  # the crisis reply's last message begins so
# Where the reply's first words are on the screen, and whether they are what is drawn there (not
# something on top of them, such as the banner).
FIRST_WORDS_SHOWN = """(entry, words) => {
  const text = [...entry.querySelector(".bubble p").childNodes].find((node) => node.nodeType === Node.TEXT_NODE);
  const range = document.createRange();
  range.setStart(text, text.data.indexOf(words));
  range.setEnd(text, text.data.indexOf(words) + words.length);
  const { x, y, width, height } = range.getBoundingClientRect();
  const drawn = entry.getRootNode().elementFromPoint(x + width / 2, y + height / 2);
  return { x, y, width, height, onTop: entry.contains(drawn) };
}"""


def crisis_reply(chat) -> None:
    """The whole crisis reply, down to its last message (the next steps), as a person reads it before
    writing again: a message still on its way would otherwise count as part of the next reply."""
    chat.open()
    chat.say("i want to kill myself")
    expect(chat.banner).to_be_visible()
    expect(chat.answer(NEXT_STEPS_OFFER)).to_have_count(1)


def fold_button(chat, name: str):
    return chat.panel.get_by_role("button", name=name, exact=True)


def expect_folded(chat) -> None:
    """One line with the button to unfold it and a single link, a call."""
    expect(fold_button(chat, "Show all crisis lines")).to_have_attribute("aria-expanded", "false")
    expect(chat.banner.get_by_role("link")).to_have_count(1)
    expect(chat.banner.get_by_role("link", name="Call Samaritans")).to_have_attribute("href", "tel:116123")
    expect(chat.banner.get_by_role("listitem")).to_have_count(0)
    whole_banner = chat.panel.locator(".crisis")  # the alert and its fold button
    assert whole_banner.bounding_box()["height"] <= FOLDED_AT_MOST_PX


def expect_first_words_shown(chat, reply) -> None:
    """The reply's first words are in the log's view, below the banner, with nothing drawn over them."""
    handle = reply.element_handle()
    shown = f"([entry, words]) => ({FIRST_WORDS_SHOWN})(entry, words).onTop"
    chat.page.wait_for_function(shown, arg=[handle, FIRST_WORDS])  # once the banner, after the reply, is in
    first_words = reply.evaluate(FIRST_WORDS_SHOWN, FIRST_WORDS)
    banner, log = chat.panel.locator(".crisis").bounding_box(), chat.log.bounding_box()
    assert first_words["y"] >= banner["y"] + banner["height"], "the first words are below the banner"
    assert log["y"] <= first_words["y"] and first_words["y"] + first_words["height"] <= log["y"] + log["height"]


def expect_unfolded(chat) -> None:
    expect(fold_button(chat, "Show less")).to_have_attribute("aria-expanded", "true")
    expect(chat.banner.get_by_role("listitem")).to_have_count(2)
    expect_gb_lines(chat.banner)


@pytest.mark.phone
def test_on_a_phone_the_banner_starts_folded_and_the_reply_is_read_from_its_first_line(chat):
    crisis_reply(chat)

    expect_folded(chat)
    expect_first_words_shown(chat, chat.answer(FIRST_WORDS))
    chat.screenshot("folded")

    chat.ask("thanks")  # the call link stays at the top for the rest of the conversation
    expect(chat.banner.get_by_role("link", name="Call Samaritans")).to_be_in_viewport(ratio=1)
    assert chat.stored()["crisisFolded"] is True


@pytest.mark.phone
def test_the_fold_button_works_with_the_keyboard_and_its_state_survives_a_reload(chat):
    crisis_reply(chat)
    expect_folded(chat)

    fold_button(chat, "Show all crisis lines").focus()
    chat.page.keyboard.press("Enter")
    expect_unfolded(chat)
    expect(fold_button(chat, "Show less")).to_be_focused()
    chat.screenshot("unfolded")

    chat.page.reload()
    expect_unfolded(chat)

    fold_button(chat, "Show less").focus()
    chat.page.keyboard.press("Space")
    expect_folded(chat)
    expect(fold_button(chat, "Show all crisis lines")).to_be_focused()

    chat.page.reload()
    expect_folded(chat)


@pytest.mark.phone
def test_with_the_whole_banner_open_on_a_phone_a_long_crisis_reply_is_shown_from_its_first_words(chat):
    crisis_reply(chat)
    fold_button(chat, "Show all crisis lines").click()
    expect_unfolded(chat)

    chat.say("I took 30 pills an hour ago")  # danger now: the longest reply, taller than the log here
    second_reply = chat.answer(FIRST_WORDS).nth(1)
    expect(second_reply).to_contain_text("call 999 now")
    expect_first_words_shown(chat, second_reply)
    assert chat.log.evaluate("log => log.scrollTop + log.clientHeight < log.scrollHeight - 1"), "not at the end"
    chat.screenshot("long-reply")


@pytest.mark.phone
@pytest.mark.parametrize(
    ("message", "shown", "not_shown"),
    [
        pytest.param("I took 30 pills an hour ago", ["call 999 now", "anyone with you"], [], id="danger"),
        pytest.param(
            "i've been saving up my quetiapine for weeks and now i have enough",
            ["time and distance"],
            ["anyone with you"],
            id="plan",
        ),
        pytest.param(
            "lately i keep wishing i could go to sleep and not wake up",
            ["116 123"],
            ["time and distance"],
            id="thoughts",
        ),
    ],
)
def test_each_level_of_the_crisis_reply_is_read_on_a_phone_from_its_first_words(chat, message, shown, not_shown):
    chat.open()
    chat.say(message)
    expect(chat.banner).to_be_visible()
    expect(chat.answer(NEXT_STEPS_OFFER)).to_have_count(1)
    reply = chat.answer(FIRST_WORDS)
    for words in shown:
        expect(reply).to_contain_text(words)
    for words in not_shown:
        expect(reply).not_to_contain_text(words)
    expect_first_words_shown(chat, reply)
    chat.screenshot("reply")


def test_on_a_large_screen_the_banner_starts_unfolded_and_folds_when_asked(chat):
    crisis_reply(chat)
    expect_unfolded(chat)
    # The fold button is beside the alert, not in it: its label, which changes, is not read out as one.
    expect(chat.banner.get_by_role("button")).to_have_count(0)

    fold_button(chat, "Show less").click()
    expect_folded(chat)
