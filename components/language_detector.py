"""Which language a message is in, so that a crisis in any language gets help in that language.

The assistant answers questions in English. In the languages of content/languages.yml it also gives
the crisis reply, the check-in and a note that it answers in English, in the person's own words. This
component tells which: lingua (lingua-language-detector, whose language models ship inside the
package, so nothing is downloaded) reads each message among English, those languages and a few other
widely written ones (so that Dutch is not taken for German).

What it sets
  * the entity `language` on every message: the code of a language of content/languages.yml when the
    message is clearly written in it, else `en` (English, unclear, or a language we have no words for,
    which then gets the English replies). The slot `language` follows it, and the crisis reply, the
    check-in and the English-only note are chosen by it.
  * the intent `other_language`, over whatever DIET guessed from foreign words, when the message is
    clearly not English. CrisisDetector comes after this component and has the last word: a crisis
    in Spanish is a crisis, not a language note.

"Clearly" is at least MIN_WORDS words (each Chinese character or Japanese kana counts as one: those
scripts put no spaces between words) and lingua's confidence at least MIN_CONFIDENCE for a language we
answer, MIN_CONFIDENCE_OTHER for one we do not: short messages ("ok", "si", "merci") and English with
drug names are too often taken for another language, and made-up words ("zorp quux") for Dutch.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml
from lingua import IsoCode639_1, Language, LanguageDetectorBuilder
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_NAME_KEY, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

ENTITY = "language"
ENGLISH = "en"
OTHER_LANGUAGE_INTENT = "other_language"
LANGUAGES_FILE = Path(__file__).resolve().parent.parent / "content" / "languages.yml"
# Read as well as English and ours, so that a message in one of them is not taken for one of ours.
ALSO_RECOGNISED = ["nl", "sv", "da", "nb", "ro", "tr", "ru", "uk", "ar", "ko", "el", "hi"]
MIN_WORDS = 2
MIN_CONFIDENCE = 0.6
MIN_CONFIDENCE_OTHER = 0.8
# A character of a script written without spaces (Han, hiragana, katakana), or a run of other letters.
UNSPACED = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
WORDS = re.compile(f"[{UNSPACED}]|[^\\W{UNSPACED}]+")


def answered_languages() -> list[str]:
    """The codes of content/languages.yml: the languages with a crisis reply of their own."""
    return list(yaml.safe_load(LANGUAGES_FILE.read_text(encoding="utf-8"))["languages"])


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False)
class LanguageDetector(GraphComponent, EntityExtractorMixin):
    def __init__(self, config: dict[str, Any]) -> None:
        self._answered = set(answered_languages())
        codes = [ENGLISH, *sorted(self._answered), *ALSO_RECOGNISED]
        languages = [Language.from_iso_code_639_1(getattr(IsoCode639_1, code.upper())) for code in codes]
        self._detector = LanguageDetectorBuilder.from_languages(*languages).with_preloaded_language_models().build()

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> LanguageDetector:
        return cls(config)

    def detected(self, text: str) -> str:
        """The ISO code of the language the text is clearly written in, or `en`."""
        if len(WORDS.findall(text)) < MIN_WORDS:
            return ENGLISH
        best = self._detector.compute_language_confidence_values(text)[0]
        code = best.language.iso_code_639_1.name.lower()
        if best.value < (MIN_CONFIDENCE if code in self._answered else MIN_CONFIDENCE_OTHER):
            return ENGLISH
        return code

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            language = self.detected(message.get(TEXT) or "")
            answered = language if language in self._answered else ENGLISH
            entities = self.add_extractor_name([{"entity": ENTITY, "value": answered}])
            message.set(ENTITIES, message.get(ENTITIES, []) + entities, add_to_output=True)
            if language != ENGLISH:
                intent = {INTENT_NAME_KEY: OTHER_LANGUAGE_INTENT, "confidence": 1.0}
                ranking = [
                    entry
                    for entry in message.get(INTENT_RANKING_KEY) or []
                    if entry.get(INTENT_NAME_KEY) != OTHER_LANGUAGE_INTENT
                ]
                message.set(INTENT, intent, add_to_output=True)
                message.set(INTENT_RANKING_KEY, [dict(intent), *ranking], add_to_output=True)
        return messages
