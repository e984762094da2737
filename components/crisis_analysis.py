"""One message's phrase matches, read against the context that can turn them off.

`Analysis.decide` keeps a crisis or distress match unless an exception phrase
overlaps it, its sentence is about a game, a story or a medication routine, a negation
comes just before it, it is about people in general, or it is set in the distant past
(then it is a check-in, or nothing when the person says they are well now). It also
works out who each match is about: the writer, someone else, or people in general.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from components.crisis_rules import CLAUSE, CRISIS_LABELS, DISTRESS_LABELS, END, PERSONAL_LABELS, PhraseWords

# How far (in words) a negation reaches forward: "never do anything to hurt myself".
NEGATION_REACH = 4
SELF, OTHER, GENERIC = "self", "other", "generic"


@dataclass
class Finding:
    """What the rules decided about one message."""

    intent: str | None = None  # "crisis", "distress" or None
    subject: str | None = None  # "self" or "other" (who is at risk)
    start: int = 0
    end: int = 0
    vetoed: bool = False  # a phrase matched but the message says it is not a crisis
    reasons: list[str] = field(default_factory=list)
    # Who the message as a whole is about, for a decision made without a phrase.
    message_subject: str = "self"
    # A danger-now phrase (`danger_markers`): were the message a crisis, it is one of danger now.
    danger_now: bool = False


@dataclass
class Match:
    label: str
    start: int
    end: int


class Analysis:
    """One message's matches, read against the context that can cancel them."""

    def __init__(self, rules: PhraseWords, tokens: list, matches: list[Match]) -> None:
        self.rules = rules
        self.tokens = tokens
        self.words = [t[0] for t in tokens]
        self.roots = [t[1] for t in tokens]
        self.sentence = list(itertools.accumulate(int(w == END) for w in self.words))
        self.matches = matches
        self.by_label: dict[str, list[Match]] = {}
        for match in matches:
            self.by_label.setdefault(match.label, []).append(match)

    def _sentences(self, label: str) -> set[int]:
        return {self.sentence[m.start] for m in self.by_label.get(label, [])}

    def decide(self) -> Finding:
        finding = Finding()
        fiction, past = self._sentences("fiction_and_games"), self._sentences("past_markers")
        recent = self._sentences("recent_markers")
        recovered = bool(self.by_label.get("recovery_markers"))
        kept: list[tuple[str, Match, str]] = []
        for match in self.matches:
            if match.label not in CRISIS_LABELS | DISTRESS_LABELS:
                continue
            phrase = " ".join(self.words[match.start : match.end])
            reason = self._cancelled(match, fiction)
            subject = self._subject(match) if not reason else None
            if not reason and subject == GENERIC and match.label != "crisis_any_subject":
                reason = "about people in general"
            if not reason and subject is None and match.label in PERSONAL_LABELS:
                reason = "nobody in particular"
            sentence = self.sentence[match.start]
            if not reason and sentence in past and sentence not in recent:
                if not recovered:  # a past attempt is still the strongest risk factor
                    finding.reasons.append(f"'{phrase}': in the past, check in")
                    kept.append(("distress", match, subject or SELF))
                    continue
                reason = "in the past, and well now"
            if reason:
                finding.vetoed = True
                finding.reasons.append(f"'{phrase}' ({match.label}) not counted: {reason}")
                continue
            intent = "crisis" if match.label in CRISIS_LABELS else "distress"
            if match.label == "crisis_about_others":
                subject = OTHER
            elif subject in (None, GENERIC):
                subject = SELF
            finding.reasons.append(f"'{phrase}': {intent} ({match.label}, {subject})")
            kept.append((intent, match, subject))
        exceptions = ("not_crisis", "fiction_and_games", "medication_routine")
        if not kept and any(self.by_label.get(label) for label in exceptions):
            # Staff wrote these wordings down as "not a crisis": trust them over a model.
            finding.vetoed = True
            finding.reasons.append("an exception or a story, a game or a routine: not a crisis")
        if self.by_label.get("farewells") and any(intent == "distress" for intent, _, _ in kept):
            # Warning signs and a goodbye in one message: "I can't do this anymore. Goodbye".
            kept = [("crisis", match, subject) for _, match, subject in kept]
            finding.reasons.append("distress and a goodbye: crisis")
        if kept:
            # Crisis beats distress; the person writing beats someone they write about.
            intent, match, subject = min(kept, key=lambda k: (k[0] != "crisis", k[2] != SELF, k[1].start))
            finding.intent, finding.subject = intent, subject
            finding.start = self.tokens[match.start][2]
            finding.end = self.tokens[match.end - 1][3]
            finding.vetoed = False
        finding.danger_now = bool(self.by_label.get("danger_markers"))
        whole = Match("message", len(self.roots) - 1, len(self.roots))
        finding.message_subject = OTHER if self._subject(whole, False) == OTHER else SELF
        return finding

    def _cancelled(self, match: Match, fiction: set[int]) -> str:
        for guard in self.by_label.get("not_crisis", []):
            overlaps = guard.start < match.end and match.start < guard.end
            longer = match.end - match.start > guard.end - guard.start
            contains = match.start <= guard.start and guard.end <= match.end and longer
            if overlaps and not contains:  # the more specific phrase wins
                return f"exception '{' '.join(self.words[guard.start : guard.end])}'"
        if self.sentence[match.start] in fiction:
            return "a game or a story"
        if self.sentence[match.start] in self._sentences("medication_routine"):
            return "a medication routine"
        for negation in self.by_label.get("negations", []):
            if self._reaches(negation, match):
                return f"negated by '{' '.join(self.words[negation.start : negation.end])}'"
        return ""

    def _reaches(self, negation: Match, match: Match) -> bool:
        if not (negation.end <= match.start <= negation.end + NEGATION_REACH):
            return False
        if negation.end < len(self.roots) and (self.roots[negation.end] in self.rules.negation_exceptions):
            return False  # "can't stop thinking about...", "not sure I want to live"
        between = self.roots[negation.end : match.start]
        return not any(word in self.rules.clause_breaks for word in between)

    def _subject(self, match: Match, one_sentence: bool = True) -> str | None:
        """Who the phrase is about: self, other, generic, or None when nobody is named.

        Reads back from the end of the phrase to the start of its sentence; the first
        person named decides. A he/she/they defers to the noun it stands for, so
        "my friend says she wants to die" is about another person and "a friend who
        wants to die" is about people in general.
        """
        rules, roots = self.rules, self.roots
        inside = roots[match.start : match.end]
        if any(root in rules.people("self") for root in inside):
            return SELF  # "kill myself", "better off without me"
        pronoun_seen = any(root in rules.people("other_pronouns") for root in inside)
        for i in range(match.start - 1, -1, -1):
            root = roots[i]
            if root == END and one_sentence:
                break
            if root in rules.people("self"):
                if pronoun_seen:  # "she told me she wants to die": look for "she"'s noun
                    continue
                return SELF
            if root in rules.people("other_pronouns"):
                pronoun_seen = True
            elif root in rules.people("other_people"):
                return self._noun_subject(i)
            elif root in rules.people("generic"):
                return GENERIC
        if pronoun_seen:
            return OTHER
        if any(root in rules.people("generic") for root in inside):
            return GENERIC  # "can SSRIs make you suicidal", and nobody else named
        if match.label in PERSONAL_LABELS:
            # "self harming is how I get through the night": the writer comes later.
            rest = roots[match.end :]
            for root in itertools.takewhile(lambda r: r not in (END, CLAUSE), rest):
                if root == "i":
                    return SELF
        return None

    def _noun_subject(self, i: int) -> str:
        before = self.roots[i - 1] if i else ""
        if self.roots[i + 1 : i + 3] in (["of", "mine"], ["of", "ours"]):
            return OTHER  # "a student of mine"
        if before in self.rules.people("possessives"):
            return OTHER  # "my friend", "her son"
        if before in self.rules.people("generic_determiners"):
            return GENERIC  # "a friend", "any patient"
        if self.words[i] != self.roots[i] and self.words[i].endswith("s"):
            return GENERIC  # "teenagers", "patients"
        return OTHER
