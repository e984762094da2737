"""Contact details are redacted from what people send; our own replies and ordinary numbers are not."""

from __future__ import annotations

import time

import pytest

from stores.redaction import redact_event, redact_text


@pytest.mark.parametrize(
    ("text", "redacted"),
    [
        ("call me on 07700 900123", "call me on [phone]"),
        ("my mobile is +44 20 7946 0958.", "my mobile is [phone]."),
        ("(555) 123-4567 any time", "[phone] any time"),
        ("555.123.4567", "[phone]"),
        ("06.12.34.56.78", "[phone]"),
        ("07700900123", "[phone]"),
        ("mail jo.bloggs+trd@example.co.uk please", "mail [email] please"),
        ("I live at 12 Baker Street, London", "I live at [address], London"),
        ("find me at 221b baker st.", "find me at [address]"),
        ("dm me @jo_bloggs", "dm me [handle]"),
        ("on 2021-03-04 07700 900123", "on 2021-03-04 [phone]"),
    ],
)
def test_contact_details_become_placeholders(text, redacted):
    assert redact_text(text) == redacted


@pytest.mark.parametrize(
    "text",
    [
        "I called 988 and then 116 123",
        "20mg for 6-8 weeks since 2021-03-04 10:30",
        "the 15.01.2023 appointment",
        "a 2 hour drive to the clinic",
        "300 mg twice a day, 3 times a week",
        "email me @ work",
    ],
)
def test_ordinary_numbers_and_words_are_kept(text):
    assert redact_text(text) == text


def test_a_person_s_message_is_redacted_throughout_but_a_reply_keeps_its_numbers():
    said = "text me on 07700 900123"
    user = {
        "event": "user",
        "text": said,
        "parse_data": {"text": said, "entities": [{"value": "07700 900123"}], "metadata": {"email": "jo@example.org"}},
        "metadata": {"email": "jo@example.org", "country": "gb"},
    }
    stored = redact_event(user)
    assert "900123" not in str(stored) and "jo@example.org" not in str(stored)
    assert stored["text"] == "text me on [phone]" and stored["metadata"]["country"] == "gb"

    reply = {"event": "bot", "text": "Call 0800 689 5652 now", "data": {"buttons": [{"payload": "tel:08006895652"}]}}
    assert redact_event({**reply, "metadata": {"utter_action": "utter_crisis"}})["text"] == reply["text"]
    assert redact_event({**reply, "metadata": {}})["data"] == reply["data"]


def test_slot_values_are_redacted():
    slot = {"event": "slot", "name": "session_started_metadata", "value": {"email": "jo@example.org"}}
    assert redact_event(slot)["value"] == {"email": "[email]"}


HOSTILE_RUNS = {
    "letters": "a" * 50_000,
    "letters and dots": "a." * 25_000,
    "digits": "1" * 50_000,
    "digits and spaces": "1 " * 25_000,
    "at signs": "a@" * 25_000,
    "a long url": "https://example.com/" + "a/" * 25_000,
    "a number then a long word": "1 " + "a" * 50_000,
}


@pytest.mark.parametrize("kind", HOSTILE_RUNS)
def test_a_long_run_without_spaces_is_redacted_in_time_proportional_to_its_length(kind):
    # The save runs on the server's one event loop: a pattern that backtracks on such a run held every
    # conversation for seconds (20,000 letters took 3 s, 50,000 about 20 s). Bounded patterns take
    # milliseconds; a second is the bound of a reply that still feels immediate.
    started = time.perf_counter()
    redact_text(HOSTILE_RUNS[kind])
    assert time.perf_counter() - started < 1.0


def test_an_address_after_a_long_run_is_still_found():
    assert redact_text("x" * 10_000 + " jo@example.org") == "x" * 10_000 + " [email]"
