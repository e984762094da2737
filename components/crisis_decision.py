"""The one decision: crisis, the distress check-in, or neither, from the phrase rules and the classifier.

Written once, here, and used by CrisisDetector for every message and by the evaluation to choose the
thresholds on the corpus's development part (tests/crisis/evaluate.py --part development --sweep):

0. Where the classifier is sure the message is neither (its `none` probability at or over
   `rules_overruled`), a phrase does not give the crisis reply: on the corpus's development part, the
   phrases that fired on such messages were nearly all idioms, safety questions and resolved pasts
   ("I took my dose twice by mistake, is that an overdose"), and overruling them cost 0.1 points of
   crisis recall for a third of the false alarms. A crisis phrase overruled so still gets the
   check-in (step 3b): the rest were messages like "i took a bunch of my pills an hour ago" inside a
   question about ketamine, and a message that may be a crisis is never left unasked.
1. A crisis phrase that the message does not itself turn off is a crisis. Phrases are precise.
2. The classifier's crisis probability at or over `crisis` is a crisis, whatever else the message
   holds: a crisis wins over a topic question in the same message. Where the phrase rules found the
   message turning a phrase off (a negation, a game, a past that is over), the classifier must be
   surer: `veto_override`.
3. A distress phrase is the check-in; (b) so is a crisis phrase that step 0 overruled.
4. Where the rules turned a phrase off, the check-in if the classifier still finds a crisis likely
   (its crisis probability at or over `crisis`, short of `veto_override`), else nothing: "I would never
   hurt myself" is not asked about again, but a turning-off the rules read wrongly ("I've already taken
   them", read as about people in general) is never left unasked either.
5. The classifier's crisis and distress probabilities together at or over `checkin` give the check-in;
   over the lower `unclaimed_checkin` when no topic claims the message (the NLU fell back), so that an
   unclear message that may be a crisis gets the check-in, never a fallback.
"""

from __future__ import annotations

from dataclasses import dataclass

CRISIS, DISTRESS = "crisis", "distress"


@dataclass(frozen=True)
class Thresholds:
    crisis: float
    checkin: float
    unclaimed_checkin: float
    veto_override: float
    rules_overruled: float


@dataclass(frozen=True)
class Decision:
    intent: str | None  # crisis, distress, or None
    source: str  # what decided: rules, classifier, veto (the rules turned a phrase off), none


def decide(
    rules_intent: str | None, vetoed: bool, scores: dict[str, float], unclaimed: bool, thresholds: Thresholds
) -> Decision:
    overruled = rules_intent if rules_intent and scores["none"] >= thresholds.rules_overruled else None
    if overruled:
        rules_intent = None
    if rules_intent == CRISIS:
        return Decision(CRISIS, "rules")
    if scores[CRISIS] >= (thresholds.veto_override if vetoed else thresholds.crisis):
        return Decision(CRISIS, "classifier")
    if rules_intent == DISTRESS:
        return Decision(DISTRESS, "rules")
    if overruled == CRISIS:
        return Decision(DISTRESS, "rules overruled")
    if vetoed:
        return Decision(DISTRESS, "veto doubted") if scores[CRISIS] >= thresholds.crisis else Decision(None, "veto")
    if scores[CRISIS] + scores[DISTRESS] >= (thresholds.unclaimed_checkin if unclaimed else thresholds.checkin):
        return Decision(DISTRESS, "classifier")
    return Decision(None, "none")
