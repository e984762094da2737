"""How urgent a crisis is: the one definition of the three levels the crisis reply is chosen by.

* `danger`: an attempt under way or just made, the means in hand, "tonight": the reply gives the
  emergency number first and asks whether the person is somewhere safe and with someone.
* `plan`: thoughts with a plan, means, preparation or a method: the crisis lines first, then time
  and distance between the person and the means, and someone to be with them.
* `thoughts`: thoughts of suicide or of being dead without a plan (and a yes to the check-in).

The levels follow the crisis corpus's categories (crisis/corpus/README.md, the C-SSRS map): the
classifier learns them from the categories below, and a danger-now phrase in the message
(`danger_markers` in crisis/phrases/crisis_context.yml) makes any crisis `danger`, because a time
("tonight", "right now") or means in hand outweigh what kind of statement it is.
"""

from __future__ import annotations

DANGER, PLAN, THOUGHTS = "danger", "plan", "thoughts"
LEVELS = (DANGER, PLAN, THOUGHTS)
LEVEL_ENTITY = "crisis_level"

# Corpus categories with one level; the others (self-harm, obfuscated, embedded, about another
# person, mixed) hold messages of every level, so they teach the level classifier nothing.
LEVEL_OF_CATEGORY = {
    "attempt": DANGER,
    "plan": PLAN,
    "preparatory_acts": PLAN,
    "method": PLAN,
    "intent": PLAN,
    "aborted_attempt": PLAN,
    "method_question": PLAN,
    "wish_to_be_dead": THOUGHTS,
    "nonspecific_thoughts": THOUGHTS,
}


def level_of(predicted: str, danger_now: bool) -> str:
    """The level of a crisis: danger when the message says so, else what the classifier read."""
    return DANGER if danger_now else predicted
