"""Crisis and warning-sign phrases in other languages (crisis/phrases/other_languages.yml).

The English phrase rules read word roots with spaCy's English lemmatizer; for the other languages of
content/languages.yml the phrases are plain words matched as whole words, without accents, after the
crisis normaliser, and turned off by one of the language's negations in the two words before. Chinese
and Japanese phrases, in scripts written without spaces, match inside the text, and a negation of
those scripts turns one off when it comes just before it. They
give the decision a precise "crisis" or "distress", as the English rules do; the classifier covers
what they do not say.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from typing import Any

import yaml

from components.language_detector import UNSPACED

PHRASES_FILE = Path(__file__).resolve().parent.parent / "crisis" / "phrases" / "other_languages.yml"
NOT_DECOMPOSED = str.maketrans({"ł": "l", "ß": "ss", "ø": "o", "đ": "d"})
NEGATION_REACH = 2  # words
UNSPACED_CHARACTER = re.compile(f"[{UNSPACED}]")


def without_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.translate(NOT_DECOMPOSED))
    return "".join(character for character in decomposed if not unicodedata.combining(character))


def phrase_pattern(phrase: str) -> str:
    """A phrase as a whole word, except at an end in a script without spaces, where words have no edge."""
    before = "" if UNSPACED_CHARACTER.match(phrase[0]) else r"(?<!\w)"
    after = "" if UNSPACED_CHARACTER.match(phrase[-1]) else r"(?!\w)"
    return before + re.escape(phrase) + after


def negated(before: str, negations: set[str]) -> bool:
    """One of the negations in the two words before, or, in a script without spaces, just before."""
    words = before.replace("'", "' ").split()[-NEGATION_REACH:]
    return bool(negations & set(words)) or any(
        UNSPACED_CHARACTER.match(negation) and before.endswith(negation) for negation in negations
    )


def read_phrases(path: Path = PHRASES_FILE) -> dict[str, Any]:
    languages = yaml.safe_load(path.read_text(encoding="utf-8"))["languages"]
    for code, words in languages.items():
        for section in ("negations", "crisis", "distress"):
            if not all(isinstance(word, str) for word in words.get(section, [])):
                raise ValueError(f"{path.name}, {code}: every {section} entry must be a text (quote no, yes, on, off)")
    return languages


class OtherLanguagePhrases:
    """Compiled once (at model load); `intent()` per normalised message."""

    def __init__(self, languages: dict[str, Any]) -> None:
        self.data = languages
        self._sections = []  # (label, pattern, negations), crisis before distress
        for label in ("crisis", "distress"):
            for words in languages.values():
                phrases = sorted(map(without_accents, words[label]), key=len, reverse=True)
                pattern = re.compile("|".join(map(phrase_pattern, phrases)))
                self._sections.append((label, pattern, set(words["negations"])))

    def intent(self, normalised: str) -> tuple[str | None, str | None]:
        """crisis, distress or None, and the phrase that decided it."""
        text = without_accents(normalised)
        for label, pattern, negations in self._sections:
            for found in pattern.finditer(text):
                if not negated(text[: found.start()], negations) or found.group(0).split()[0] in negations:
                    return label, found.group(0)
        return None, None
