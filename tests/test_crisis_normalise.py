"""The crisis normaliser on its own: each way of hiding or stretching a word is undone, and ordinary
text, doses and vitamin names are left as they were."""

from __future__ import annotations

import time

import pytest

from components.crisis_normalise import lemmatise, normalise


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ("ｋｉｌｌ ｍｙｓｅｌｆ", "kill myself"),  # full-width
        ("ⓚⓘⓛⓛ myself", "kill myself"),  # circled
        ("🅺🅸🅻🅻 myself", "kill myself"),  # negative squared, which NFKC leaves alone
        ("𝐤𝐢𝐥𝐥 myself", "kill myself"),  # mathematical bold
        ("k\u200bi\u200dll myself", "kill myself"),  # zero-width characters
        ("I want to k.i.l.l myself", "i want to kill myself"),
        ("s-u-i-c-i-d-e", "suicide"),
        ("k*i*l*l m*e", "kill me"),
        ("k i l l myself", "kill myself"),
        ("k1ll mys3lf", "kill myself"),
        ("$uicidal", "suicidal"),
        ("i want to diiiie", "i want to die"),
        ("killlll myself", "kill myself"),
        ("kms", "kill myself"),
        ("thinking of unaliving myself", "thinking of killing myself"),
        ("sewer slide tonight", "suicide tonight"),
        ("ctb", "kill myself"),
        ("I’m done", "i'm done"),
    ],
)
def test_hidden_and_stretched_words_are_read_plainly(typed, read):
    assert normalise(typed) == read


@pytest.mark.parametrize(
    "text",
    [
        "took 5mg and b12 at 9",
        "u r a star",  # text-speak of three letters is not a hidden word
        "e.g. an ssri",
        "good morning",
        "i love you!!!",
        "20 mg for 6-8 weeks",
    ],
)
def test_ordinary_text_stays_as_it_was(text):
    assert normalise(text) == text.lower()


def test_stretched_letters_keep_a_real_double_letter():
    assert normalise("gooood morning") == "good morning"


def test_a_long_run_without_spaces_is_normalised_in_time_proportional_to_its_length():
    started = time.perf_counter()
    normalise("a." * 2_000 + "k i " * 1_000)
    assert time.perf_counter() - started < 1.0


def test_words_are_counted_by_their_roots():
    assert lemmatise(normalise("saving the pills")) == ["save", "the", "pill"]


@pytest.mark.parametrize(("typed", "read"), [("k*ll myself", "kill myself"), ("s*icide", "suicide")])
def test_a_star_standing_for_a_letter_is_filled_in(typed, read):
    assert normalise(typed) == read
