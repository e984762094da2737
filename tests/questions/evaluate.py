"""Scores how real people's questions are routed: to an acceptable topic, or told plainly that the
reviewed content does not answer them.

    python tests/questions/evaluate.py                                    # development set: the gate
    python tests/questions/evaluate.py --set tests/questions/blind_1.yml --record   # a blind batch, once
    python tests/questions/evaluate.py --sweep     # development set: other FallbackClassifier thresholds

Each question is labelled with every intent that would be an acceptable answer. A question is
*covered* when one of those is a topic (or the personal-advice refusal). The answer is worked out
as the assistant gives it: the NLU's intent; or, when the NLU is not confident (`nlu_fallback`),
what the fallback action does (actions/fallback.py): say that the content does not cover it when
the classifier's best guess is `outside_content` or `out_of_scope`, else offer the passage search's
best passage (actions/passage_search.py), else ask "did you mean". A covered question reaches an
acceptable answer when that answer is one it accepts; a question no topic covers (only
`outside_content` or `out_of_scope` accepted) is *told so* when the answer says one of those.
A crisis reply or check-in given to a question counts as a miss.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

PROJECT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(PROJECT))

from actions.passage_search import PassageSearch  # noqa: E402
from actions.ranking import best_guess  # noqa: E402
from content_library.load import load_topics  # noqa: E402
from tests.ledger import record  # noqa: E402
from tests.model_parser import model_parser  # noqa: E402

DEVELOPMENT_SET = PROJECT / "tests" / "questions" / "faq_development.yml"
LEDGER = PROJECT / "tests" / "questions" / "blind_ledger.md"
MODEL = PROJECT / "models" / "current.tar.gz"
TOLD_SO = {"outside_content", "out_of_scope"}
FALLBACK = "nlu_fallback"
# Floors on the development set just under the figures of 2026-12-02 (0.834 and 0.611). The targets
# are 0.85 and 0.80 (README, "Real questions"); raise these as the figures rise, never lower them.
GATES = {"covered questions reaching an acceptable answer": 0.83, "uncovered questions told so": 0.60}


DID_YOU_MEAN = "did you mean"


@dataclass
class Routed:
    text: str
    accept: set[str]
    intent: str
    answer: str  # the intent answered, as the fallback works it out; DID_YOU_MEAN when nothing
    ranking: list[tuple[str, float]]  # the classifier's, without the fallback
    fallback_answer: str  # what the fallback would answer

    @property
    def covered(self) -> bool:
        return bool(self.accept - TOLD_SO)

    @property
    def reached(self) -> bool:
        return self.answer in self.accept


def fallback_answer(text: str, ranking: list[tuple[str, float]], search: PassageSearch) -> str:
    """What the fallback action answers at a first miss (actions/fallback.py), in the same order."""
    guess = best_guess([{"name": name, "confidence": confidence} for name, confidence in ranking])
    if guess in TOLD_SO:
        return guess
    match = search.best(text)
    return match.topic.id if match else DID_YOU_MEAN


def read_questions(path: Path) -> list[dict[str, Any]]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))["questions"]


def route(questions: list[dict[str, Any]], parse: Callable[[str], dict], search: PassageSearch) -> list[Routed]:
    routed = []
    for question in questions:
        parsed = parse(question["text"])
        intent = parsed["intent"]["name"]
        ranking = [(e["name"], e["confidence"]) for e in parsed.get("intent_ranking", []) if e["name"] != FALLBACK]
        otherwise = fallback_answer(question["text"], ranking, search)
        answer = otherwise if intent == FALLBACK else intent
        routed.append(Routed(question["text"], set(question["accept"]), intent, answer, ranking, otherwise))
    return routed


def with_fallback_at(routed: list[Routed], threshold: float, ambiguity: float) -> list[Routed]:
    """The same questions as a FallbackClassifier with these thresholds would have left them."""
    result = []
    for r in routed:
        if r.intent != FALLBACK and r.intent not in dict(r.ranking):  # set by a later component (crisis)
            result.append(r)
            continue
        top, confidence = r.ranking[0]
        runner_up = r.ranking[1][1] if len(r.ranking) > 1 else 0.0
        unsure = confidence < threshold or confidence - runner_up < ambiguity
        intent = FALLBACK if unsure else top
        result.append(
            Routed(r.text, r.accept, intent, r.fallback_answer if unsure else top, r.ranking, r.fallback_answer)
        )
    return result


def sweep(routed: list[Routed]) -> None:
    print("\nFallbackClassifier threshold, ambiguity: covered reached, uncovered told so")
    for threshold in (0.2, 0.3, 0.4, 0.5, 0.6):
        for ambiguity in (0.0, 0.05, 0.1):
            result = figures(with_fallback_at(routed, threshold, ambiguity))
            covered, told = (result[name] for name in GATES)
            print(f"  {threshold:.2f}  {ambiguity:.2f}   {covered:.3f}  {told:.3f}")


def figures(routed: list[Routed]) -> dict[str, float]:
    covered = [r for r in routed if r.covered]
    uncovered = [r for r in routed if not r.covered]
    missed_by_nlu = [r for r in covered if r.intent not in r.accept]
    saved = [r for r in missed_by_nlu if r.reached]
    fallback_covered = [r for r in covered if r.intent == FALLBACK]
    return {
        "questions": len(routed),
        "covered": len(covered),
        "uncovered": len(uncovered),
        "covered questions reaching an acceptable answer": share(sum(r.reached for r in covered), len(covered)),
        "covered questions, NLU alone": share(len(covered) - len(missed_by_nlu), len(covered)),
        "uncovered questions told so": share(sum(r.answer in TOLD_SO for r in uncovered), len(uncovered)),
        "uncovered questions given a topic": share(sum(r.answer in load_topics() for r in uncovered), len(uncovered)),
        "fallback passages that answered an NLU miss": share(len(saved), len(fallback_covered)),
    }


def share(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


def print_report(routed: list[Routed], result: dict[str, float]) -> None:
    for name, value in result.items():
        print(f"{name:48} {value:.3f}" if isinstance(value, float) else f"{name:48} {value}")
    wrong = [r for r in routed if not (r.reached if r.covered else r.answer in TOLD_SO)]
    misses = Counter((sorted(r.accept)[0], r.answer) for r in wrong)
    print("\nmisses (an accepted label -> what it got), most common first:")
    for (label, got), count in misses.most_common(25):
        print(f"  {count:3}  {label} -> {got}")


def ledger_figures(result: dict[str, float]) -> list[str]:
    names = list(GATES)[:1] + ["covered questions, NLU alone", *list(GATES)[1:], "uncovered questions given a topic"]
    return [str(result["questions"]), *(f"{result[name]:.3f}" for name in names)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", type=Path, default=MODEL)
    parser.add_argument("--set", type=Path, default=DEVELOPMENT_SET, help="a question set (YAML: questions)")
    parser.add_argument("--record", action="store_true", help="append a blind batch's figures to the ledger")
    parser.add_argument("--sweep", action="store_true", help="figures for other fallback thresholds (development)")
    args = parser.parse_args(argv)
    if args.sweep and args.set.resolve() != DEVELOPMENT_SET:
        parser.error("the fallback thresholds are chosen on the development set only")
    routed = route(read_questions(args.set), model_parser(args.model), PassageSearch(load_topics()))
    print(f"{args.set.relative_to(PROJECT) if args.set.is_relative_to(PROJECT) else args.set}\n")
    result = figures(routed)
    print_report(routed, result)
    if args.sweep:
        sweep(routed)
    if args.record:
        record(LEDGER, args.set, ledger_figures(result), args.model)
    if args.set.resolve() != DEVELOPMENT_SET:
        return 0
    failed = [f"{name} {result[name]:.3f} (must be >= {gate})" for name, gate in GATES.items() if result[name] < gate]
    print("\n" + ("FAILED: " + "; ".join(failed) if failed else "Real-question gates passed."))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
