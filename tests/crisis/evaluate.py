"""Scores the crisis detector on tests/crisis/labelled_set.yml.

    python tests/crisis/evaluate.py --detector-only     # the component alone
    python tests/crisis/evaluate.py --model models/     # a trained Rasa model (the gate)

Prints recall per label (crisis, distress), the false-alarm rate (share of `none`
messages flagged crisis or distress, and crisis only), the subject accuracy on crisis
hits, and every miss and false alarm with the detector's reasons. Exits 1 when crisis
recall or the false-alarm rate misses its threshold.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
import tempfile
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import yaml  # noqa: E402

PROJECT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(PROJECT))
LABELLED_SET = PROJECT / "tests" / "crisis" / "labelled_set.yml"
LABELS = ("crisis", "distress", "none")


@dataclass
class Outcome:
    text: str
    label: str
    subject: str
    predicted: str
    predicted_subject: str | None
    why: str


def read_labelled_set(path: Path) -> list[dict[str, Any]]:
    examples = yaml.safe_load(path.read_text(encoding="utf-8"))
    for example in examples:
        if example.get("label") not in LABELS or not example.get("text"):
            raise SystemExit(f"{path}: bad entry {example!r}")
    return examples


def detector_parser(config: dict[str, Any]) -> Callable[[str], dict[str, Any]]:
    """Trains the component alone through Rasa's model storage, then loads it."""
    with warnings.catch_warnings():  # libraries reset the filters while importing
        warnings.simplefilter("ignore")
        from rasa.engine.graph import ExecutionContext, GraphSchema
        from rasa.engine.storage.local_model_storage import LocalModelStorage
        from rasa.engine.storage.resource import Resource
        from rasa.shared.nlu.constants import TEXT
        from rasa.shared.nlu.training_data.message import Message
        from rasa.shared.nlu.training_data.training_data import TrainingData

        from components.crisis_detector import CrisisDetector

    resource = Resource("crisis_detector")
    context = ExecutionContext(GraphSchema({}), "crisis-evaluation")
    with tempfile.TemporaryDirectory(prefix="crisis-eval-") as directory:  # loaded, it lives in memory
        storage = LocalModelStorage(Path(directory))
        CrisisDetector.create(config, storage, resource, context).train(TrainingData())
        detector = CrisisDetector.load(config, storage, resource, context)

    def parse(text: str) -> dict[str, Any]:
        message = Message(data={TEXT: text})  # intent unset: the detector alone
        detector.process([message])
        return message.as_dict(only_output_properties=True)

    return parse


def model_parser(model_path: str) -> Callable[[str], dict[str, Any]]:
    """Loads a full trained model and parses through every component of it."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from rasa.core.agent import Agent
        from rasa.model import get_local_model
        from rasa.utils.log_utils import configure_structlog

        configure_structlog(logging.WARNING)  # not one debug line per parsed message
        agent = Agent.load(get_local_model(model_path))
    nodes = agent.processor.model_metadata.train_schema.nodes if agent.processor else {}
    if not any("CrisisDetector" in name for name in nodes):
        print(f"WARNING: {model_path} has no CrisisDetector in its pipeline; retrain it.")
    loop = asyncio.new_event_loop()
    return lambda text: loop.run_until_complete(agent.parse_message(text))


def run(examples: list[dict[str, Any]], parse: Callable[[str], dict]) -> list[Outcome]:
    outcomes = []
    for example in examples:
        result = parse(example["text"])
        name = (result.get("intent") or {}).get("name")
        predicted = name if name in ("crisis", "distress") else "none"
        subject = next(
            (e["value"] for e in result.get("entities") or [] if e["entity"] == "crisis_subject"),
            None,
        )
        diagnostics = result.get("crisis_detector") or {}
        why = f"{diagnostics.get('source', '-')}: {'; '.join(diagnostics.get('reasons', []))}"
        if diagnostics.get("source") in ("model", None):
            ranking = result.get("intent_ranking") or []
            top = ", ".join(f"{r['name']} {r['confidence']:.2f}" for r in ranking[:3])
            why += f" [model: {top}]" if top else ""
        outcomes.append(
            Outcome(
                example["text"],
                example["label"],
                example.get("subject", "self"),
                predicted,
                subject,
                why,
            )
        )
    return outcomes


def share(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


def report(outcomes: list[Outcome]) -> dict[str, float]:
    by_label = {label: [o for o in outcomes if o.label == label] for label in LABELS}
    crisis, distress, none = by_label["crisis"], by_label["distress"], by_label["none"]
    hits = [o for o in crisis if o.predicted == "crisis"]
    figures = {
        "crisis_recall": share(len(hits), len(crisis)),
        "crisis_helped": share(sum(o.predicted != "none" for o in crisis), len(crisis)),
        "distress_recall": share(sum(o.predicted == "distress" for o in distress), len(distress)),
        "distress_helped": share(sum(o.predicted != "none" for o in distress), len(distress)),
        "false_alarms": share(sum(o.predicted != "none" for o in none), len(none)),
        "false_crisis": share(sum(o.predicted == "crisis" for o in none), len(none)),
        "subject_accuracy": share(sum(o.predicted_subject == o.subject for o in hits), len(hits)),
    }
    print(f"messages: {len(crisis)} crisis, {len(distress)} distress, {len(none)} none\n")
    for label, bucket in (("crisis", crisis), ("distress", distress)):
        wrong = [o for o in bucket if o.predicted != label]
        print(f"--- {label} not flagged as {label} ({len(wrong)})")
        for o in wrong:
            print(f"  [{o.label} -> {o.predicted}] {o.text}\n      {o.why}")
    alarms = [o for o in none if o.predicted != "none"]
    print(f"--- false alarms ({len(alarms)})")
    for o in alarms:
        print(f"  [none -> {o.predicted}] {o.text}\n      {o.why}")
    wrong_subject = [o for o in hits if o.predicted_subject != o.subject]
    print(f"--- wrong subject on crisis hits ({len(wrong_subject)})")
    for o in wrong_subject:
        print(f"  [{o.subject} -> {o.predicted_subject}] {o.text}")
    print()
    print(f"crisis recall        {figures['crisis_recall']:.3f}   (crisis or distress: {figures['crisis_helped']:.3f})")
    print(
        f"distress recall      {figures['distress_recall']:.3f}"
        f"   (crisis or distress: {figures['distress_helped']:.3f})"
    )
    print(f"false alarms         {figures['false_alarms']:.3f}   (crisis only: {figures['false_crisis']:.3f})")
    print(f"subject accuracy     {figures['subject_accuracy']:.3f}   (on crisis hits)")
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--detector-only", action="store_true", help="the component alone")
    mode.add_argument("--model", metavar="PATH", help="a trained model (file or directory)")
    parser.add_argument("--data", type=Path, default=LABELLED_SET)
    parser.add_argument("--patterns", nargs="+", help="phrase files (detector-only)")
    parser.add_argument("--min-crisis-recall", type=float, default=0.98)
    parser.add_argument("--max-false-alarms", type=float, default=0.03)
    args = parser.parse_args(argv)

    examples = read_labelled_set(args.data)
    if args.detector_only:
        config = {"patterns": args.patterns} if args.patterns else {}
        parse = detector_parser(config)
    else:
        parse = model_parser(args.model)
    figures = report(run(examples, parse))

    failed = []
    if figures["crisis_recall"] < args.min_crisis_recall:
        failed.append(f"crisis recall {figures['crisis_recall']:.3f} < {args.min_crisis_recall}")
    if figures["false_alarms"] > args.max_false_alarms:
        failed.append(f"false alarms {figures['false_alarms']:.3f} > {args.max_false_alarms}")
    print("\nFAIL: " + "; ".join(failed) if failed else "\nPASS")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
