"""The crisis detector's phrases, compiled into spaCy matchers, and run on a message.

Staff write plain phrases in crisis/phrases/crisis_*.yml (the header of
crisis_patterns.yml explains the sections). This module turns them into spaCy
matchers that run on a normalised copy of each message:

* lower case, curly apostrophes made straight, leetspeak inside words undone
  ("su1c1dal" -> "suicidal"), words in `filler_words` dropped ("i just really want
  to die" -> "i want to die"), `spellings` applied ("kms" -> "kill myself", "wanna" ->
  "want to"), and misspellings of the phrase words undone ("suicde", "myslef"): the
  misspellings are generated at training time, one edit away from a phrase word, and
  kept only when they are not English words themselves;
* every word is compared by its root (lemma, from spaCy's lookup lemmatizer), so one
  phrase "kill myself" covers "killing myself" and "killed myself"; the few lists that
  need the exact form (a tense: "killed himself" is a death, not a threat) match on the
  words as typed;
* a message starts with a START token and every sentence ends with an END token, so
  a phrase can say "the whole message" or "at the end of a sentence".

A crisis or distress phrase then counts unless the message itself says otherwise:
an exception phrase overlaps it (`not_crisis`: "dying to know", "cut myself shaving"),
its sentence is about a game or a story, a negation comes just before it ("I would
never kill myself"), it is about people in general ("can SSRIs make you suicidal"), or
its sentence is set in the distant past (then it is a distress check-in, or nothing
when the message says the person is well now). `CrisisRules.analyse` returns the
decision with the reasons (components/crisis_analysis.py), so an evaluation can show
why a message was or was not flagged.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import spacy
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc

from components.crisis_analysis import Analysis, Finding, Match
from components.crisis_rules import (
    BUILT_IN_GROUPS,
    CLAUSE,
    CRISIS_LABELS,
    DISTRESS_LABELS,
    END,
    EXACT_SECTIONS,
    GAP,
    PEOPLE_KEYS,
    ROOT_SECTIONS,
    START,
    CrisisRulesError,
    label_of,
    read_rule_files,
)
from components.crisis_typos import build_typo_map, lemma_table

# "want ... die": up to this many words in between, none of them ending the clause,
# negating, or naming someone else ("I hope my mum doesn't die" is no crisis).
GAP_WIDTH = 3

# The tokenizer splits contractions into pieces the lookup table does not know, and
# the table gets a few words wrong for us ("dying" -> "dye", "done" -> "do").
TOKEN_FIXES = {
    "ca": "can", "wo": "will", "sha": "shall", "'s": "be", "s": "be", "'re": "be",
    "re": "be", "'m": "be", "m": "be", "'d": "would", "d": "would", "'ve": "have",
    "ve": "have", "n't": "not", "nt": "not", "dying": "die", "done": "done",
    "gone": "gone", "does": "do", "matter": "matter", "as": "as", "gon": "go", "na": "to", "ta": "to",
}  # fmt: skip
APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "`": "'", "\u00b4": "'"})
LEET = {"0": "o", "1": "i", "3": "e", "4": "a", "@": "a", "$": "s", "!": "i"}
LEET_INSIDE_WORD = re.compile(r"(?<=[a-z])[0134@$!](?=[a-z])")
DROPPED_SYMBOLS = {"-", "\u2013", "\u2014", '"', "'", "*", "_", "~"}
CLAUSE_SYMBOLS = {",", ":", "(", ")"}


class CrisisRules:
    """Compiled phrase rules; build once (at model load) and call `analyse` per message."""

    def __init__(self, data: dict[str, Any], typos: dict[str, str] | None = None) -> None:
        self.data = data
        self.typos = typos or {}
        self._nlp = spacy.blank("en")
        self._nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
        self._nlp.initialize()
        self._lemmas = self._nlp.get_pipe("lemmatizer").lookups.get_table("lemma_lookup")
        self._filler = set(data.get("filler_words", []))
        self.negation_exceptions = set(data.get("negation_exceptions", []))
        self.clause_breaks = set(data.get("clause_breaks", [])) | {START, END, CLAUSE}
        people = data.get("people", {})
        self._people = {key: {self.root(w.lower()) for w in people.get(key, [])} for key in PEOPLE_KEYS}
        # Empty while the spellings and typo targets are themselves normalised.
        self._spellings: dict[str, list[tuple[str, str]]] = {}
        self._typo_pieces: dict[str, tuple[str, str]] = {}
        self._censor_targets: list[str] = []
        self._spellings = {variant: self._normalise(meaning) for variant, meaning in data["spellings"].items()}
        self._censor_targets = sorted(set(self.typos.values()))
        target_pieces = {word: self._normalise(word)[0] for word in self._censor_targets}
        self._typo_pieces = {variant: target_pieces[word] for variant, word in self.typos.items()}
        self._labels: dict[int, str] = {}
        self._root_matcher = PhraseMatcher(self._nlp.vocab, attr="LEMMA")
        self._exact_matcher = PhraseMatcher(self._nlp.vocab, attr="LOWER")
        self._token_matcher = Matcher(self._nlp.vocab, validate=True)
        self._part_matcher = PhraseMatcher(self._nlp.vocab, attr="LEMMA")
        self._part_keys: dict[int, tuple[int, int]] = {}
        self._gap_phrases: list[tuple[str, int]] = []  # (label, number of parts)
        # A gap may not end the clause, negate, or name someone else.
        self._gap_blocked = self.clause_breaks - {"i"} | {"not", "never", "no"}
        for kind in ("other_pronouns", "other_people", "generic"):
            self._gap_blocked |= self._people[kind]
        self._piece_cache: dict[str, list[tuple[str, str]]] = {}
        self._compile()

    @classmethod
    def from_files(cls, paths: Iterable[str | Path], with_typos: bool = True) -> CrisisRules:
        """Reads, checks and compiles the data files (training time)."""
        rules = cls(read_rule_files(paths))
        if with_typos:
            rules = cls(rules.data, build_typo_map(rules))
        return rules

    # -- compiling ---------------------------------------------------------------

    def _compile(self) -> None:
        for section in ROOT_SECTIONS:
            self._add_phrases(self._root_matcher, section, section)
        for section in EXACT_SECTIONS:
            self._add_phrases(self._exact_matcher, section, label_of(section))
        for entry in self.data.get("token_patterns", []):
            key = f"{entry['kind']}:{entry['name']}"
            try:
                self._token_matcher.add(key, [self._with_groups(entry["pattern"])])
            except (ValueError, TypeError, KeyError) as error:
                raise CrisisRulesError(f"token pattern '{entry['name']}': {error}") from error
            self._labels[self._nlp.vocab.strings[key]] = entry["kind"]

    def _with_groups(self, pattern: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Lets a token pattern name a group: {"LEMMA": {"IN": "PILLS"}} takes the
        group's roots (the last word's, for "sleeping pills"), LOWER its words."""
        resolved = []
        for token in pattern:
            token = dict(token)
            for attr in ("LEMMA", "LOWER"):
                value = token.get(attr)
                if isinstance(value, dict) and isinstance(value.get("IN"), str):
                    alternatives = [self._normalise_once(entry) for entry in self._group(value["IN"])]
                    position = 1 if attr == "LEMMA" else 0
                    token[attr] = {"IN": sorted({alt[-1][position] for alt in alternatives if alt})}
            resolved.append(token)
        return resolved

    def _group(self, name: str) -> list[str]:
        if name not in self.data["groups"]:
            raise CrisisRulesError(f"token pattern: group {name} is not defined in groups.")
        return self.data["groups"][name]

    def _add_phrases(self, matcher: PhraseMatcher, section: str, label: str) -> None:
        docs = []
        for phrase in self.data.get(section, []):
            if GAP in phrase.split():
                self._add_gap_phrase(section, label, phrase)
                continue
            for pieces in self.expand(phrase):
                if not pieces:
                    raise CrisisRulesError(
                        f"section '{section}': '{phrase}' has no words left once filler words are dropped."
                    )
                docs.append(self._doc(pieces))
        if docs:
            key = f"{label}:{section}"
            matcher.add(key, docs)
            self._labels[self._nlp.vocab.strings[key]] = label

    def _add_gap_phrase(self, section: str, label: str, phrase: str) -> None:
        """A phrase with "..." is matched part by part (one PhraseMatcher key per
        part); `_join_gaps` then joins parts that follow each other closely."""
        parts = " ".join(phrase.split()).split(f" {GAP} ")
        if len(parts) < 2 or any(GAP in part.split() or not part for part in parts):
            raise CrisisRulesError(f"section '{section}': '{phrase}': put '...' between words.")
        index = len(self._gap_phrases)
        self._gap_phrases.append((label, len(parts)))
        for number, part in enumerate(parts):
            key = f"gap:{index}:{number}"
            self._part_matcher.add(key, [self._doc(pieces) for pieces in self.expand(part)])
            self._part_keys[self._nlp.vocab.strings[key]] = (index, number)

    def _join_gaps(self, doc: Doc) -> list[Match]:
        found: dict[tuple[int, int], list[tuple[int, int]]] = {}
        for key, start, end in self._part_matcher(doc):
            found.setdefault(self._part_keys[key], []).append((start, end))
        matches = []
        for index, (label, parts) in enumerate(self._gap_phrases):
            chains = found.get((index, 0), [])
            for number in range(1, parts):
                chains = [
                    (first, end)
                    for first, last in chains
                    for start, end in found.get((index, number), [])
                    if last <= start <= last + GAP_WIDTH
                    and not any(doc[i].lemma_ in self._gap_blocked for i in range(last, start))
                ]
            matches += [Match(label, first, end) for first, end in chains]
        return matches

    def _slots(self, phrase: str) -> list[list[list[tuple[str, str]]]]:
        """Per word of a phrase, its alternatives (a group's entries), normalised."""
        groups = self.data["groups"]
        slots = []
        for word in phrase.split():
            if word in BUILT_IN_GROUPS:
                slots.append([[(mark, mark)] for mark in BUILT_IN_GROUPS[word]])
            elif word.isupper() and len(word) > 1:
                if word not in groups:
                    raise CrisisRulesError(f"'{phrase}': group {word} is not defined in groups.")
                slots.append([self._normalise_once(entry) for entry in groups[word]])
            else:
                slots.append([self._normalise_once(word)])
        return slots

    def expand(self, phrase: str) -> list[list[tuple[str, str]]]:
        """A phrase with its CAPITAL groups filled in, as (word, root) lists."""
        return [sum(combination, []) for combination in itertools.product(*self._slots(phrase))]

    def _normalise_once(self, text: str) -> list[tuple[str, str]]:
        # Words normalise alone as they do in a sentence (the tokenizer never joins
        # across a space), so each group entry is normalised once for all phrases.
        if text not in self._piece_cache:
            self._piece_cache[text] = self._normalise(text)
        return self._piece_cache[text]

    def _doc(self, pieces: list[tuple[str, str]]) -> Doc:
        words = [word for word, _ in pieces]
        return Doc(self._nlp.vocab, words=words, lemmas=[root for _, root in pieces])

    # -- normalising ---------------------------------------------------------------

    def _normalise(self, text: str, marks: bool = False) -> list[tuple[str, str]]:
        return [(word, root) for word, root, _, _ in self._tokens(text, marks)]

    def _tokens(self, text: str, marks: bool) -> list[tuple[str, str, int, int]]:
        """(word, root, start char, end char) per normalised token of `text`."""
        lowered = text.lower()
        if len(lowered) != len(text):  # a few letters grow when lowered; keep offsets
            lowered = "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
        lowered = LEET_INSIDE_WORD.sub(lambda m: LEET[m.group()], lowered.translate(APOSTROPHES))
        out: list[tuple[str, str, int, int]] = [(START, START, 0, 0)] if marks else []

        def mark(symbol: str, at: int) -> None:
            if out and out[-1][0] in (END, START):
                return
            if out and out[-1][0] == CLAUSE and symbol == END:
                out.pop()
            if not out or out[-1][0] != symbol:
                out.append((symbol, symbol, at, at))

        for token in self._nlp(lowered):
            word, begin, finish = token.text, token.idx, token.idx + len(token.text)
            if token.is_space:
                if "\n" in word and marks:
                    mark(END, begin)
                continue
            if word in self._filler:
                continue
            if not any(c.isalnum() for c in word):
                if word in DROPPED_SYMBOLS:
                    continue
                mark(CLAUSE if word in CLAUSE_SYMBOLS else END, begin)
                continue
            # Tokenizer pieces ("gon" of "gonna") are never typos ("gon" is not "gone").
            pieces = self._spellings.get(word) or (None if word in TOKEN_FIXES else self._fix_typo(word))
            if pieces:
                out += [(w, r, begin, finish) for w, r in pieces]
            else:
                out.append((word, TOKEN_FIXES.get(word) or token.lemma_, begin, finish))
        if marks:
            mark(END, len(text))
        return out

    def _fix_typo(self, word: str) -> list[tuple[str, str]] | None:
        if word in self._typo_pieces:
            return [self._typo_pieces[word]]
        if "*" in word.strip("*"):  # a censored word: "s*icide", "k*ll"
            pattern = re.compile(re.escape(word).replace(r"\*", "[a-z]"))
            for target in self._censor_targets:
                if pattern.fullmatch(target):
                    return self._normalise(target)
        return None

    def typo_targets(self, min_length: int) -> set[str]:
        """Words of crisis and distress phrases (with their inflections) worth correcting."""
        roots: set[str] = set()
        words: set[str] = set()
        for section in ROOT_SECTIONS:
            if section not in CRISIS_LABELS | DISTRESS_LABELS:
                continue
            for phrase in self.data.get(section, []):
                for pieces in self.expand(phrase):
                    words.update(word for word, _ in pieces)
                    roots.update(root for _, root in pieces)
        forms = self._inflections(roots)
        candidates = (words | forms) - self._filler - set(self.data["spellings"])
        return {w for w in candidates if len(w) >= min_length and w.isalpha()}

    @staticmethod
    def _inflections(roots: set[str]) -> set[str]:
        return {form for form, root in lemma_table().items() if root in roots and form.islower()}

    def listed_words(self) -> set[str]:
        """Words staff listed as themselves (spellings, fillers, people): never rewritten."""
        listed = set(self.data["spellings"]) | self._filler | set(self.data.get("keep_as_written", []))
        listed |= set(TOKEN_FIXES)
        for words in self._people.values():
            listed |= words
        return listed

    # -- analysing -----------------------------------------------------------------

    def analyse(self, text: str) -> Finding:
        """Decides whether `text` shows a crisis or distress, and why."""
        tokens = self._tokens(text, marks=True)
        doc = self._doc([(word, root) for word, root, _, _ in tokens])
        matches = [
            Match(self._labels[key], start, end)
            for matcher in (self._root_matcher, self._exact_matcher, self._token_matcher)
            for key, start, end in matcher(doc)
        ]
        matches += self._join_gaps(doc)
        return Analysis(self, tokens, matches).decide()

    def root(self, word: str) -> str:
        return TOKEN_FIXES.get(word) or self._lemmas.get(word, word)

    def people(self, kind: str) -> set[str]:
        return self._people[kind]
