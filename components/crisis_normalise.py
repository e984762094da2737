"""One normalisation of a message for every layer of the crisis detector.

People who do not want a filter to see what they write, or who type fast, write "k.i.l.l",
"ｋｉｌｌ", "ⓚⓘⓛⓛ", "su1c1de", "diiiie" or "sewerslide". The phrase rules and the classifier
both read the message through `normalise()`, so each of these is undone once, here, in this order:

1. Unicode NFKC (full-width, circled and mathematical letters become plain ones), the enclosed
   letters NFKC leaves alone (🅺, 🄺, regional indicators) mapped by hand, zero-width and soft
   hyphen characters removed, lower case, curly apostrophes straight;
2. letters split by stars, dots, dashes or spaces joined: "k*i*l*l", "k.i.l.l", "s-u-i-c-i-d-e",
   "k i l l" (spaces need four letters, so "u r a" stays text-speak), and a star that stands for a
   letter filled in where that makes a word ("k*ll", "s*icide");
3. leetspeak inside a word that starts with a letter and has two: "k1ll", "$uicide" (a dose such
   as "5mg" or a vitamin such as "b12" is left alone);
4. stretched letters: a run of three or more is cut to two, or to one when only that makes a word
   ("diiiie" -> "die", "killlll" -> "kill", "gooood" -> "good");
5. the slang map in crisis/slang.yml ("kms" -> "kill myself", "unalive" -> "kill").

Every step is a bounded pattern or a lookup, so a long message costs time in proportion to its length.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from pathlib import Path

import yaml

SLANG_FILE = Path(__file__).resolve().parent.parent / "crisis" / "slang.yml"

ENCLOSED_LETTER_BLOCKS = (0x1F130, 0x1F150, 0x1F170, 0x1F1E6)  # squared, negative circled, negative squared, regional
INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u200e\u200f\u2060\ufeff\u00ad"), None)
APOSTROPHES = {ord(mark): "'" for mark in "\u2019\u2018`\u00b4"}
CHARACTER_MAP = {
    **INVISIBLE,
    **APOSTROPHES,
    **{start + offset: chr(ord("a") + offset) for start in ENCLOSED_LETTER_BLOCKS for offset in range(26)},
}
SPLIT_BY_MARKS = re.compile(r"(?<![a-z])[a-z](?:[._\-·•] ?[a-z]){2,40}(?![a-z])")
STARRED = re.compile(r"(?<![a-z*])[a-z]{0,20}(?:\*+[a-z]{1,20}){1,20}(?![a-z*])")
VOWELS = "aeiou"
SPLIT_BY_SPACES = re.compile(r"(?<![a-z])[a-z](?: [a-z]){3,40}(?![a-z])")
LEET = str.maketrans(
    {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s", "!": "i", "|": "l"}
)
LEET_WORD = re.compile(r"(?<![\w@$!|])[a-z@$][a-z0-9@$!|]{1,30}[a-z0-9|](?![\w@$|])")
LEET_CHARACTERS = re.compile(r"[0134579@$!|]")
STRETCHED = re.compile(r"([a-z])\1{2,}")
WORD = re.compile(r"[a-z]+")
WORD_OR_NUMBER = re.compile(r"[^\W_]+")


@functools.lru_cache(maxsize=1)
def english_lemmas() -> dict[str, str]:
    """spaCy's English lookup table, word form -> root (spacy-lookups-data, installed with Rasa's spaCy)."""
    from components.crisis_typos import lemma_table

    return lemma_table()


@functools.lru_cache(maxsize=1)
def english_words() -> frozenset[str]:
    return frozenset(english_lemmas()) | frozenset(english_lemmas().values())


def lemmatise(normalised: str) -> list[str]:
    """The words of a normalised message as their roots: "saving" and "saved" count as "save"."""
    lemmas = english_lemmas()
    return [lemmas.get(word, word) for word in WORD_OR_NUMBER.findall(normalised)]


@functools.lru_cache(maxsize=1)
def slang_pattern() -> tuple[re.Pattern, dict[str, str]]:
    slang = yaml.safe_load(SLANG_FILE.read_text(encoding="utf-8"))["slang"]
    keys = sorted(slang, key=len, reverse=True)  # the longest first: "unalive myself" before "unalive"
    return re.compile(r"(?<![\w'])(?:" + "|".join(map(re.escape, keys)) + r")(?![\w'])"), slang


def _joined(match: re.Match) -> str:
    return re.sub(r"[^a-z]", "", match.group(0))


def _unstarred(match: re.Match) -> str:
    """ "k*i*l*l" and "m*e" with the stars taken out; "k*ll" and "s*icide", where a star stands for a
    letter, with the vowel that makes a word."""
    word = match.group(0)
    joined = word.replace("*", "")
    if joined in english_words() or word.count("*") > 1:
        return joined
    for vowel in VOWELS:
        if word.replace("*", vowel) in english_words():
            return word.replace("*", vowel)
    return joined


def _unleet(match: re.Match) -> str:
    word = match.group(0)
    if not LEET_CHARACTERS.search(word) or sum(character.isalpha() for character in word) < 2:
        return word
    return word.translate(LEET)


def _unstretched(word: str) -> str:
    if not STRETCHED.search(word):
        return word
    two = STRETCHED.sub(r"\1\1", word)
    one = STRETCHED.sub(r"\1", word)
    return one if two not in english_words() and one in english_words() else two


@functools.lru_cache(maxsize=256)  # the classifier and the phrase rules read each message in turn
def normalise(text: str) -> str:
    """The message as every crisis layer reads it (see the module docstring)."""
    text = unicodedata.normalize("NFKC", text).translate(CHARACTER_MAP).lower()
    text = STARRED.sub(_unstarred, text)
    text = SPLIT_BY_MARKS.sub(_joined, text)
    text = SPLIT_BY_SPACES.sub(_joined, text)
    text = LEET_WORD.sub(_unleet, text)
    text = WORD.sub(lambda match: _unstretched(match.group(0)), text)
    pattern, slang = slang_pattern()
    text = pattern.sub(lambda match: slang[match.group(0)], text)
    return " ".join(text.split())
