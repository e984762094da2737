"""Misspellings of the phrase words, worked out once at training time.

"suicde", "myslef", "kil", "cutt", "wnat", "killin": one slip away from a word of a
crisis or distress phrase (or one of its inflections), and not an English word itself
(spacy-lookups-data's lemma table and word frequencies decide that). The map goes
into the model with the phrases, so loading needs none of this.
"""

from __future__ import annotations

import functools
import gzip
import json
from pathlib import Path

from components.crisis_rules import PhraseWords

KEYBOARD = ["qwertyuiop", "asdfghjkl", "zxcvbnm"]


def build_typo_map(rules: PhraseWords, min_length: int = 3) -> dict[str, str]:
    """Misspellings one slip away from the words of crisis and distress phrases.

    Run once at training time: it reads English word lists from spacy-lookups-data so
    that a "misspelling" which is a real word ("kill" -> "bill") is never rewritten.
    A slip that could come from two phrase words goes to the likelier slip (letters
    swapped or missed before a neighbouring key hit: "wnat" is "want", not "what"),
    and is left alone on a tie.
    """
    known, dictionary = _english_words()
    # Three letters are too few to guess from unless it is a real word ("ctb" is not).
    targets = {word for word in rules.typo_targets(min_length) if len(word) > 3 or word in dictionary}
    protected = known | targets | rules.listed_words()
    # Short words and dropped g's ("dei", "killin") are common enough in corpora to
    # count as words there; only the dictionary may veto those.
    dictionary_only = dictionary | targets | rules.listed_words()
    costs: dict[str, dict[str, int]] = {}
    for word in targets:
        slips = _slips(word)
        if word.endswith("ing"):
            slips[word[:-1]] = 1
        for variant, cost in slips.items():
            veto = dictionary_only if len(word) == 3 or variant == word[:-1] else protected
            if len(variant) >= 3 and variant not in veto:
                best = costs.setdefault(variant, {})
                best[word] = min(cost, best.get(word, cost))
    typos = {}
    for variant, candidates in sorted(costs.items()):
        ranked = sorted(candidates.items(), key=lambda item: item[1])
        if len(ranked) == 1 or ranked[0][1] < ranked[1][1]:
            typos[variant] = ranked[0][0]
    return typos


@functools.lru_cache(maxsize=1)
def _english_words() -> tuple[set[str], set[str]]:
    """(all word forms taken as real, the dictionary's own forms only)."""
    import spacy_lookups_data

    data = Path(spacy_lookups_data.__file__).parent / "data"
    lemmas = lemma_table()
    with gzip.open(data / "en_lexeme_prob.json.gz") as handle:
        probabilities = json.load(handle)
    # Frequent word forms are real words; rare ones are mostly typos of real words.
    frequent = {word for word, logprob in probabilities.items() if logprob > -15.5}
    dictionary = set(lemmas) | set(lemmas.values())
    return dictionary | frequent, dictionary


@functools.lru_cache(maxsize=1)
def lemma_table() -> dict[str, str]:
    """spaCy's English lookup table, word form -> root (spacy-lookups-data)."""
    import spacy_lookups_data

    path = Path(spacy_lookups_data.__file__).parent / "data" / "en_lemma_lookup.json.gz"
    with gzip.open(path) as handle:
        return json.load(handle)


def _slips(word: str) -> dict[str, int]:
    """Variants one slip away, with a cost: 1 for a letter missed, doubled or two
    swapped, 2 for a neighbouring key hit instead or as well. Words of three letters
    only get the cheap slips ("dei", "cutt")."""
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    out: dict[str, int] = {}
    for a, b in splits if len(word) >= 4 else ():
        for key in _neighbours(b[0]) if b else ():
            out[a + key + b[1:]] = 2
            out[a + key + b] = 2
    for a, b in splits:
        if b:
            out[a + b[0] + b] = 1  # a letter doubled
        if len(b) > 1:
            out[a + b[1] + b[0] + b[2:]] = 1  # two swapped
        if b and len(word) >= 4:
            out[a + b[1:]] = 1  # a letter missed
    out.pop(word, None)
    return out


def _neighbours(letter: str) -> str:
    for row_index, row in enumerate(KEYBOARD):
        col = row.find(letter)
        if col < 0:
            continue
        near = row[max(col - 1, 0) : col + 2]
        for other in (row_index - 1, row_index + 1):
            if 0 <= other < len(KEYBOARD):
                near += KEYBOARD[other][max(col - 1, 0) : col + 2]
        return near.replace(letter, "")
    return ""
