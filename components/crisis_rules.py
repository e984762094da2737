"""The crisis detector's phrase files: read, check and fingerprint them.

Staff write plain phrases in crisis/phrases/crisis_patterns.yml and
crisis_context.yml (the header of crisis_patterns.yml explains the sections). This
module reads them, refuses malformed entries with a message that names the file and
the entry, and says which sections exist and what kind of match each one gives.
components/crisis_matcher.py compiles them; components/crisis_analysis.py decides.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Protocol

import yaml

FORMAT_VERSION = 3  # 2: with the other languages' phrases; 3: a match carries its section's name

# Sections whose phrases are compared by word root. A match is labelled with its section's name.
ROOT_SECTIONS = (
    "crisis",
    "crisis_when_personal",
    "crisis_any_subject",
    "crisis_about_others",
    "distress",
    "distress_when_personal",
    "not_crisis",
    "fiction_and_games",
    "medication_routine",
    "negations",
    "recent_markers",
    "recovery_markers",
    "farewells",
    "danger_markers",
)
# Sections compared word for word as typed (lower case), because the tense matters. The two `_exact`
# sections are the word-for-word part of a root section: their matches carry that section's name.
EXACT_SECTIONS = ("crisis_exact", "not_crisis_exact", "past_markers")
EXACT_PART_OF = {"crisis_exact": "crisis", "not_crisis_exact": "not_crisis"}
WORD_LIST_SECTIONS = ("filler_words", "negation_exceptions", "clause_breaks", "keep_as_written")
PEOPLE_KEYS = ("self", "other_pronouns", "other_people", "generic")
PEOPLE_KEYS += ("possessives", "generic_determiners")
KNOWN_SECTIONS = set(ROOT_SECTIONS) | set(EXACT_SECTIONS) | set(WORD_LIST_SECTIONS)
KNOWN_SECTIONS |= {"version", "groups", "spellings", "people", "token_patterns"}

CRISIS_LABELS = {"crisis", "crisis_when_personal", "crisis_any_subject", "crisis_about_others"}
DISTRESS_LABELS = {"distress", "distress_when_personal"}
PERSONAL_LABELS = {"crisis_when_personal", "distress_when_personal"}


def label_of(section: str) -> str:
    """The name a match of `section` is labelled with."""
    return EXACT_PART_OF.get(section, section)


# A token pattern's `kind` is the label its matches get.
TOKEN_PATTERN_KINDS = set(ROOT_SECTIONS) | {label_of(section) for section in EXACT_SECTIONS}

START, END, CLAUSE = "<s>", ".", ","
GAP = "..."
BUILT_IN_GROUPS = {"START": [START], "END": [END, CLAUSE], GAP: [GAP]}


class PhraseWords(Protocol):
    """The word lists of the compiled phrases that the later steps read (context, misspellings).

    Declared here, at the start of the chain, so that those steps depend on this file and not on
    the matcher that compiles the phrases: files -> words -> matcher -> context -> decision.
    """

    negation_exceptions: set[str]
    clause_breaks: set[str]

    def people(self, kind: str) -> set[str]: ...

    def typo_targets(self, min_length: int) -> set[str]: ...

    def listed_words(self) -> set[str]: ...


class CrisisRulesError(ValueError):
    """A data file is malformed; the message says which file and which entry."""


def read_rule_files(paths: Iterable[str | Path]) -> dict[str, Any]:
    """Reads and merges the YAML data files; raises CrisisRulesError when one is wrong."""
    merged: dict[str, Any] = {"groups": {}, "spellings": {}, "people": {}}
    merged["token_patterns"] = []
    for path in paths:
        path = Path(path)
        if not path.is_file():
            raise CrisisRulesError(f"Crisis rules file '{path}' does not exist.")
        try:
            data = yaml.load(path.read_text(encoding="utf-8"), Loader=_UniqueKeyLoader) or {}
        except yaml.YAMLError as error:
            raise CrisisRulesError(f"'{path}' is not valid YAML: {error}") from error
        if not isinstance(data, dict):
            raise CrisisRulesError(f"'{path}' must be a mapping of sections.")
        for section, value in data.items():
            _merge_section(merged, section, value, path)
    return merged


class _UniqueKeyLoader(yaml.SafeLoader):
    """Refuses a key written twice: YAML would silently keep only the last one."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        seen = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(None, None, f"'{key}' is written twice", key_node.start_mark)
            seen.add(key)
        return super().construct_mapping(node, deep)


def _merge_section(merged: dict, section: str, value: Any, path: Path) -> None:
    where = f"'{path}', section '{section}'"
    if section not in KNOWN_SECTIONS:
        raise CrisisRulesError(f"{where}: unknown section (known: {sorted(KNOWN_SECTIONS)})")
    if section == "version":
        return
    if section in ("groups", "spellings", "people"):
        if not isinstance(value, dict):
            raise CrisisRulesError(f"{where}: must be a mapping.")
        for key, entry in value.items():
            if section == "spellings":
                _check_text(entry, f"{where}, '{key}'")
                merged[section][str(key).lower()] = entry.strip().lower()
                continue
            if section == "people" and key not in PEOPLE_KEYS:
                raise CrisisRulesError(f"{where}: unknown key '{key}' ({PEOPLE_KEYS}).")
            if section == "groups" and not re.fullmatch(r"[A-Z][A-Z_]+", str(key)):
                hint = " (YAML reads ON/OFF/YES/NO as true/false)" if isinstance(key, bool) else ""
                raise CrisisRulesError(f"{where}: group name '{key}' must be in CAPITALS{hint}.")
            merged[section].setdefault(key, []).extend(_text_list(entry, f"{where}, '{key}'"))
        return
    if section == "token_patterns":
        if not isinstance(value, list):
            raise CrisisRulesError(f"{where}: must be a list.")
        for entry in value:
            if not isinstance(entry, dict) or entry.get("kind") not in TOKEN_PATTERN_KINDS:
                raise CrisisRulesError(
                    f"{where}: each entry needs a 'kind' out of {sorted(TOKEN_PATTERN_KINDS)}"
                    f", a 'name' and a 'pattern'; got {entry!r}."
                )
            if not isinstance(entry.get("pattern"), list) or not entry.get("name"):
                raise CrisisRulesError(f"{where}: entry {entry!r} needs a name and a pattern.")
        merged["token_patterns"].extend(value)
        return
    merged.setdefault(section, []).extend(_text_list(value, where))


def _text_list(value: Any, where: str) -> list[str]:
    if not isinstance(value, list):
        raise CrisisRulesError(f"{where}: must be a list of phrases.")
    for item in value:
        _check_text(item, where)
    return [item.strip() for item in value]


def _check_text(item: Any, where: str) -> None:
    if isinstance(item, bool):
        raise CrisisRulesError(f"{where}: YAML reads a bare yes/no/on/off as {item}; put the word in quotes.")
    if not isinstance(item, str) or not item.strip():
        raise CrisisRulesError(f"{where}: {item!r} is not a phrase (write it as plain words).")


def rule_files_fingerprint(paths: Iterable[str | Path]) -> str:
    """A hash of the data files and of the detector's modules, so a retrain notices a change."""
    digest = hashlib.sha256()
    for module in sorted(Path(__file__).parent.glob("crisis_*.py")):
        digest.update(module.read_bytes())
    for path in paths:
        path = Path(path)
        digest.update(str(path).encode())
        digest.update(path.read_bytes() if path.is_file() else b"<missing>")
    return digest.hexdigest()
