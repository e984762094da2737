"""Scores the crisis detection of a trained model: the corpus's test part (the gate), the development
part (and the thresholds chosen on it), or a blind batch (recorded once in the ledger).

    python tests/crisis/evaluate.py                               # test part: the gate of make test
    python tests/crisis/evaluate.py --part development --sweep    # figures for other thresholds
    python tests/crisis/evaluate.py --blind tests/crisis/blind/batch_1.yml --record

Every message goes through the whole NLU pipeline of the model, as the server parses it. Crisis
recall is the share of crisis messages answered with the crisis reply; warning signs caught, of
distress messages answered with the crisis reply or the check-in; false alarms, of `none` messages
given the crisis reply; check-ins on negatives, of `none` messages given the check-in (and of the
hard negatives alone). Misses and alarms are printed with the detector's reasons.
"""

from __future__ import annotations

import argparse
import itertools
import os
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import yaml  # noqa: E402

PROJECT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(PROJECT))

from components.crisis_corpus import DEVELOPMENT, LABELS, TEST, read_corpus  # noqa: E402
from components.crisis_decision import Thresholds, decide  # noqa: E402
from components.crisis_levels import LEVEL_ENTITY, LEVEL_OF_CATEGORY, LEVELS  # noqa: E402
from tests.ledger import record  # noqa: E402
from tests.model_parser import model_parser  # noqa: E402

LEDGER = PROJECT / "tests" / "crisis" / "blind_ledger.md"
MODEL = PROJECT / "models" / "current.tar.gz"
# none categories from this assistant's own domain that look like a crisis to a keyword filter
HARD_NEGATIVE_CATEGORIES = {
    "medication",
    "overdose_safety",
    "side_effects",
    "treatments",
    "grief",
    "idiom",
    "games_fiction",
    "research",
    "past_resolved",
    "places_names",
    "negated",
}
# The floor under every change, on the test part: today's figures (2026-12-02, with 2,700 more corpus
# messages, whose batches also grew the test part: crisis recall 0.867, warning signs caught 0.892, false
# alarms 0.039, check-ins on negatives 0.022) less about two points of sampling noise where there is room.
# The targets the team set are higher (0.97, 0.92, 0.03, 0.08) and not reached yet (README, "Crisis
# detection"); raise these as the figures rise, never lower them to pass.
GATES = {
    "crisis recall": (">=", 0.85),
    "warning signs caught": (">=", 0.89),
    "false alarms": ("<=", 0.045),
    "check-ins on negatives": ("<=", 0.06),
}


@dataclass
class Scored:
    text: str
    label: str  # crisis, distress, none
    hard: bool  # a hard negative
    category: str
    language: str
    parsed: dict[str, Any]

    @property
    def predicted(self) -> str:
        name = (self.parsed.get("intent") or {}).get("name")
        return name if name in ("crisis", "distress") else "none"

    @property
    def level(self) -> str | None:
        found = [e["value"] for e in self.parsed.get("entities") or [] if e.get("entity") == LEVEL_ENTITY]
        return found[0] if found else None

    @property
    def why(self) -> str:
        diagnostics = self.parsed.get("crisis_detector") or {}
        scores = self.parsed.get("crisis_scores") or {}
        shown = ", ".join(f"{label} {value:.2f}" for label, value in scores.items())
        return f"{diagnostics.get('source')}: {'; '.join(diagnostics.get('reasons', []))} [{shown}]"


def corpus_examples(part: str) -> list[dict[str, Any]]:
    return [
        {
            "text": example.text,
            "label": example.label,
            "hard": example.label == "none" and example.category in HARD_NEGATIVE_CATEGORIES,
            "category": example.category,
            "language": example.language,
        }
        for example in read_corpus()
        if example.part == part
    ]


def blind_examples(path: Path) -> list[dict[str, Any]]:
    items = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [
        {
            "text": item["text"],
            "label": item["label"],
            "hard": item.get("kind") == "hard_negative",
            "category": item.get("kind", "-"),
            "language": item.get("language", "en"),
        }
        for item in items
    ]


def share(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


def figures(outcomes: list[tuple[Scored, str]]) -> dict[str, float]:
    """The four figures (and their counts) for messages with what was decided for each."""
    by_label = {label: [predicted for scored, predicted in outcomes if scored.label == label] for label in LABELS}
    hard = [predicted for scored, predicted in outcomes if scored.hard]
    crisis, distress, none = by_label["crisis"], by_label["distress"], by_label["none"]
    return {
        "crisis recall": share(crisis.count("crisis"), len(crisis)),
        "warning signs caught": share(len(distress) - distress.count("none"), len(distress)),
        "false alarms": share(none.count("crisis"), len(none)),
        "check-ins on negatives": share(none.count("distress"), len(none)),
        "check-ins on hard negatives": share(hard.count("distress"), len(hard)),
        "crisis messages": len(crisis),
        "distress messages": len(distress),
        "none messages": len(none),
    }


def print_report(scored: list[Scored]) -> dict[str, float]:
    for label in ("crisis", "distress"):
        missed = [s for s in scored if s.label == label and s.predicted == "none"]
        print(f"--- {label} given neither the crisis reply nor the check-in ({len(missed)})")
        for s in missed:
            print(f"  [{s.category}] {s.text}\n      {s.why}")
    alarms = [s for s in scored if s.label == "none" and s.predicted != "none"]
    print(f"--- none given the crisis reply or the check-in ({len(alarms)})")
    for s in alarms:
        print(f"  [{s.category} -> {s.predicted}] {s.text}\n      {s.why}")
    print("\n--- by category (share given the crisis reply / the check-in / neither)")
    for (label, category), group in itertools.groupby(
        sorted(scored, key=lambda s: (s.label, s.category)), key=lambda s: (s.label, s.category)
    ):
        counts = Counter(s.predicted for s in group)
        total = sum(counts.values())
        print(
            f"  {label:8} {category:24} {total:5}  {share(counts['crisis'], total):5.2f}"
            f" {share(counts['distress'], total):5.2f} {share(counts['none'], total):5.2f}"
        )
    languages = sorted({s.language for s in scored} - {"en"})
    if languages:
        print("\n--- other languages")
        for language in languages:
            print(
                f"  {language}: {format_figures(figures([(s, s.predicted) for s in scored if s.language == language]))}"
            )
    print_levels(scored)
    result = figures([(s, s.predicted) for s in scored])
    print(f"\n{format_figures(result)}")
    return result


def print_levels(scored: list[Scored]) -> None:
    """How often a crisis reply had the level of its message's category (where the category has one)."""
    pairs = [
        (LEVEL_OF_CATEGORY[s.category], s.level)
        for s in scored
        if s.label == "crisis" and s.predicted == "crisis" and s.category in LEVEL_OF_CATEGORY
    ]
    if not pairs:
        return
    right = sum(expected == given for expected, given in pairs)
    print(f"\n--- crisis reply levels: {share(right, len(pairs)):.3f} of {len(pairs)} as their category says")
    for expected in LEVELS:
        given = Counter(level for wanted, level in pairs if wanted == expected)
        print(f"  {expected:9} given: " + ", ".join(f"{level} {count}" for level, count in given.most_common()))


def format_figures(result: dict[str, float]) -> str:
    return (
        f"crisis recall {result['crisis recall']:.3f} ({result['crisis messages']}), "
        f"warning signs caught {result['warning signs caught']:.3f} ({result['distress messages']}), "
        f"false alarms {result['false alarms']:.3f} ({result['none messages']}), "
        f"check-ins on negatives {result['check-ins on negatives']:.3f} "
        f"(hard negatives {result['check-ins on hard negatives']:.3f})"
    )


def sweep(scored: list[Scored]) -> None:
    """Figures for other thresholds, decided again from each message's rule finding and scores."""
    print("\n--- thresholds (crisis, check-in, unclaimed check-in, phrases overruled): figures")
    for crisis, checkin, unclaimed, overruled in itertools.product(
        (0.5, 0.55, 0.6, 0.65, 0.7, 0.8), (0.4, 0.5, 0.6), (0.3, 0.4, 0.5), (0.7, 0.8, 0.9, 1.01)
    ):
        if unclaimed > checkin:
            continue
        thresholds = Thresholds(crisis, checkin, unclaimed, veto_override=0.97, rules_overruled=overruled)
        outcomes = []
        for s in scored:
            diagnostics = s.parsed.get("crisis_detector") or {}
            decision = decide(
                diagnostics.get("rules"),
                diagnostics.get("vetoed", False),
                s.parsed["crisis_scores"],
                unclaimed=diagnostics.get("unclaimed", False),
                thresholds=thresholds,
            )
            outcomes.append((s, decision.intent or "none"))
        print(f"  {crisis:.2f} {checkin:.2f} {unclaimed:.2f} {overruled:.2f}: {format_figures(figures(outcomes))}")


def ledger_figures(result: dict[str, float]) -> list[str]:
    size = result["crisis messages"] + result["distress messages"] + result["none messages"]
    names = ["crisis recall", "warning signs caught", "false alarms", "check-ins on hard negatives"]
    return [str(size), *(f"{result[name]:.3f}" for name in [*names, "check-ins on negatives"])]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", type=Path, default=MODEL)
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--part", choices=(TEST, DEVELOPMENT), default=TEST)
    source.add_argument("--blind", type=Path, metavar="BATCH", help="a blind batch (YAML list of text/label/kind)")
    parser.add_argument("--sweep", action="store_true", help="figures for other thresholds (development part)")
    parser.add_argument("--record", action="store_true", help="append the blind batch's figures to the ledger")
    args = parser.parse_args(argv)
    if args.sweep and (args.blind or args.part == TEST):
        parser.error("thresholds are chosen on the development part only: --part development --sweep")

    examples = blind_examples(args.blind) if args.blind else corpus_examples(args.part)
    parse = model_parser(args.model)
    scored = [Scored(**example, parsed=parse(example["text"])) for example in examples]
    print(f"{args.blind or f'corpus, {args.part} part'}: {len(scored)} messages\n")
    result = print_report(scored)
    if args.sweep:
        sweep(scored)
    if args.blind:
        if args.record:
            record(LEDGER, args.blind, ledger_figures(result), args.model)
        return 0
    if args.part != TEST:
        return 0
    failed = [
        f"{name} {result[name]:.3f} (must be {sign} {bound})"
        for name, (sign, bound) in GATES.items()
        if not (result[name] >= bound if sign == ">=" else result[name] <= bound)
    ]
    print("\nFAIL: " + "; ".join(failed) if failed else "\nPASS")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
