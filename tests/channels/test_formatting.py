"""How replies are cut and how buttons are told apart, for every messaging app (channels/formatting.py)."""

from __future__ import annotations

from channels.country import country_of
from channels.formatting import choices, is_link, link_line, split_at_sentences
from tests.replies import TOPICS

CRISIS_BUTTONS = [
    {"title": "Call Samaritans", "payload": "tel:116123"},
    {"title": "Text Shout", "payload": "sms:85258?body=SHOUT"},
    {"title": "Text 988 Suicide & Crisis Lifeline", "payload": "sms:988"},
    {"title": "Find A Helpline", "payload": "https://findahelpline.com"},
    {"title": "Crisis lines", "payload": "/crisis"},
]


def test_a_text_within_the_limit_is_one_message():
    text = TOPICS["ect"].answer_text
    assert split_at_sentences(text, 4096) == [text]


def test_a_long_text_is_cut_between_sentences_into_messages_within_the_limit():
    text = " ".join(topic.detail for topic in TOPICS.values())
    messages = split_at_sentences(text, 1600)
    assert len(messages) > 1
    assert all(len(message) <= 1600 for message in messages)
    assert all(message.endswith((".", "!", "?", ")", '"')) for message in messages[:-1])
    assert " ".join(messages).split() == text.split()  # nothing lost, nothing added


def test_a_paragraph_break_is_a_place_to_cut_too():
    messages = split_at_sentences("First part, no full stop\n\nSecond part that is longer", 30)
    assert messages == ["First part, no full stop", "Second part that is longer"]


def test_a_sentence_longer_than_a_message_is_cut_between_words():
    sentence = "word " * 100 + "end."
    messages = split_at_sentences(sentence, 64)
    assert all(len(message) <= 64 for message in messages)
    assert " ".join(messages).split() == sentence.split()


def test_links_are_told_from_choices_and_written_out():
    assert choices(CRISIS_BUTTONS) == [{"title": "Crisis lines", "payload": "/crisis"}]
    assert [link_line(button) for button in CRISIS_BUTTONS if is_link(button)] == [
        "Call Samaritans: 116123",
        "Text Shout: SHOUT to 85258",  # the keyword the line asks for, as its own words say it
        "Text 988 Suicide & Crisis Lifeline: 988",
        "Find A Helpline: https://findahelpline.com",
    ]


def test_the_country_of_a_phone_number():
    assert country_of("+447700900123") == "gb"
    assert country_of("whatsapp:+353851234567") == "ie"
    assert country_of("+61412345678") == "au"
    assert country_of("+64211234567") == "nz"
    assert country_of("+14155550123") == "us"
    assert country_of("+16135550123") == "ca"  # +1 with a Canadian area code
    assert country_of("+18765551234") == "jm"  # +1 in the Caribbean: the international directory
    assert country_of("+4915112345678") == "de"
    assert country_of("not a number") is None
