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
        # several phone numbers in a row are each a number, however they are separated
        ("07700 900123 07700 900456", "[phone] [phone]"),
        ("call 555-123-4567 or 555-987-6543", "call [phone] or [phone]"),
        ("+44 20 7946 0958, +44 7700 900123", "[phone], [phone]"),
        ("555-123-4567 555-987-6543", "[phone] [phone]"),
        ("(555) 123-4567 (555) 987-6543", "[phone] [phone]"),
        ("06 12 34 56 78 06 98 76 54 32", "[phone] [phone]"),
        ("07700 900123 07700 900456 07700 900789", "[phone] [phone] [phone]"),
        ("1 2 3 4 5 6 7 8 9", "[phone]"),
        # card numbers
        ("4111 1111 1111 1111", "[card]"),
        ("4111-1111-1111-1111", "[card]"),
        ("card 4111111111111111 exp 04/27", "card [card] exp 04/27"),
        ("amex 3782 822463 10005", "amex [card]"),
        ("4111 1111 1111 1111 07700 900123", "[card] [phone]"),
        # postcodes and ZIP codes
        ("SW1A 1AA", "[postcode]"),
        ("I'm in m1 1ae now", "I'm in [postcode] now"),
        ("EC1V 9HX", "[postcode]"),
        ("London SW1A1AA", "London [postcode]"),
        ("12 Baker Street, London NW1 6XE", "[address], London [postcode]"),
        ("Beverly Hills, CA 90210", "Beverly Hills, CA [postcode]"),
        ("New York, NY 10001-1234", "New York, NY [postcode]"),
        ("Tulsa, OK 74103", "Tulsa, OK [postcode]"),
        ("north carolina 27601", "north carolina [postcode]"),
        ("zip 90210", "zip [postcode]"),
        ("zip code: 10001-1234", "zip code: [postcode]"),
        # e-mail addresses written out
        ("john at gmail dot com", "[email]"),
        ("jo.bloggs (at) example (dot) org", "[email]"),
        ("write to jo [at] example [dot] co [dot] uk", "write to [email]"),
        ("john@gmail dot com", "[email]"),
        ("jo @ example.org", "[email]"),
        ("jo (at) example.org", "[email]"),
        ("JO AT MAIL DOT EXAMPLE DOT FAMILY", "[email]"),
        # links to a person
        ("facebook.com/jo.bloggs", "[profile]"),
        ("see https://www.facebook.com/jo.bloggs.", "see [profile]."),
        ("instagram.com/someone", "[profile]"),
        ("twitter.com/x", "[profile]"),
        ("x.com/x", "[profile]"),
        ("linkedin.com/in/x", "[profile]"),
        ("tiktok.com/@x", "[profile]"),
        ("wa.me/447700900123", "[profile]"),
        ("t.me/name", "[profile]"),
        ("https://medium.com/@jo.bloggs", "[profile]"),
        ("https://www.reddit.com/user/jo", "[profile]"),
        # dates of birth
        ("dob 12/03/1985", "dob [date of birth]"),
        ("DOB: 12.03.1985", "DOB: [date of birth]"),
        ("dob 12 03 1985", "dob [date of birth]"),
        ("born on 12 March 1985", "born on [date of birth]"),
        ("born on the 12th of March, 1985", "born on the [date of birth]"),
        ("date of birth: 1985-03-12", "date of birth: [date of birth]"),
        ("my birthday is March 12", "my birthday is [date of birth]"),
        # names given as the person's own
        ("my name is Jo Bloggs", "my name is [name]"),
        ("my name is jo and I feel low", "my name is [name] and I feel low"),
        ("my name's Siobhán O'Brien", "my name's [name]"),
        ("I'm called Sam", "I'm called [name]"),
        ("this is Priya", "this is [name]"),
        ("Hi, this is Priya Shah.", "Hi, this is [name]."),
        ("hello, I'm Sam!", "hello, I'm [name]!"),
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
        # numbers that are no phone or card number
        "a reference 12345678901234567890",
        "20000 steps a day",
        "50000 mg",
        "OK 20000 steps",
        "I took 10000 IU of vitamin D in 2023",
        # doses and ordinals that are not postcodes
        "SSRI 20mg",
        "vitamin b12 2mg",
        "b12 1st thing in the morning",
        "B6 2nd dose",
        # "at" and "dot" in sentences
        "I'm at home, dot my i's",
        "look at this dot on my skin",
        "have a look at nhs.uk",
        "look at www.nhs.uk",
        # information links
        "https://www.nhs.uk/mental-health/",
        "https://www.reddit.com/r/depression/",
        "netflix.com/browse",
        "find me on facebook",
        # dates that are not dates of birth
        "born in 1985",
        "next appointment on 12 March 2024",
        "my appointment is 12/03/2025",
        # names and words that are not given as the person's name
        "this is hard",
        "I'm called lazy at work",
        "I'm American",
        "This is Spravato day 3",
        "Hi, I'm British and tired",
        "Sam said the TMS helped",
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
    "digits and dashes": "1-" * 25_000,
    "phone numbers in a row": "07700 900123 " * 4_000,
    "groups of four digits": "4111 " * 10_000,
    "at and dot as words": "jo at example dot " * 3_000,
    "at and dot in brackets": "jo (at) example (dot) " * 2_500,
    "a long social link": "https://x.com/" + "a" * 50_000,
    "social links without spaces": "x.com/" * 8_000,
    "a long path of people": "https://example.com/" + "@a/" * 15_000,
    "www without end": "www." * 12_000,
    "outward codes": "A1 " * 15_000,
    "postcodes": "SW1A 1AA " * 5_000,
    "state codes": "CA " * 15_000,
    "zip words": "zip code " * 5_000,
    "date of birth words": "born on the " * 4_000,
    "a date of birth then slashes": "dob " + "1/" * 25_000,
    "introductions": "Hi, this is " * 4_000,
    "a long name": "my name is " + "A" * 50_000,
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
