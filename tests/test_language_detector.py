"""Unit tests of components/language_detector.py: the language of a message, and the intent that
a message clearly not in English gets."""

from __future__ import annotations

import pytest
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message

from components.language_detector import LanguageDetector, answered_languages


@pytest.fixture(scope="module")
def detector() -> LanguageDetector:
    return LanguageDetector({})


def parsed(detector: LanguageDetector, text: str) -> Message:
    message = Message(data={TEXT: text, "intent": {"name": "tms", "confidence": 0.9}})
    detector.process([message])
    return message


def language_of(message: Message) -> str:
    return next(entity["value"] for entity in message.get("entities") if entity["entity"] == "language")


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("quiero saber si la estimulación magnética funciona", "es"),
        ("je suis fatigué de tout, est-ce que la kétamine peut aider", "fr"),
        ("ich habe eine Frage zur Elektrokrampftherapie", "de"),
        ("não aguento mais esses remédios", "pt"),
        ("voglio sapere di più sulla terapia", "it"),
        ("mam dość tych leków", "pl"),
    ],
)
def test_a_message_in_an_answered_language_gets_its_code_and_the_other_language_intent(detector, text, language):
    message = parsed(detector, text)
    assert language_of(message) == language
    assert message.get("intent")["name"] == "other_language"


@pytest.mark.parametrize("text", ["what is tms", "ok", "si", "merci", "sertraline 50mg and bupropion"])
def test_english_and_short_messages_are_english_and_keep_their_intent(detector, text):
    message = parsed(detector, text)
    assert language_of(message) == "en"
    assert message.get("intent")["name"] == "tms"


def test_a_language_without_words_of_its_own_is_answered_in_english(detector):
    message = parsed(detector, "ik heb een vraag over de behandeling van depressie")
    assert language_of(message) == "en"
    assert message.get("intent")["name"] == "other_language"


WITHOUT_SPACES_OR_IN_HANGUL = [
    "我换了五种药都没有效果",
    "またリスカしちゃった",
    "엄마 간병하랴 내 우울증이랴 너무 힘들어",
]


@pytest.mark.parametrize("text", WITHOUT_SPACES_OR_IN_HANGUL)
def test_scripts_written_without_spaces_are_read_as_words_and_recognised(detector, text):
    message = parsed(detector, text)
    assert message.get("intent")["name"] == "other_language"


def test_the_answered_languages_are_those_of_the_content_file():
    assert set(answered_languages()) == {"es", "fr", "de", "pt", "it", "pl", "zh", "ja"}


@pytest.mark.parametrize("text", ["zorp quux", "blorp fizzle wug", "asdf jkl"])
def test_made_up_words_are_not_taken_for_another_language(detector, text):
    message = parsed(detector, text)
    assert language_of(message) == "en" and message.get("intent")["name"] == "tms"
