"""Time per message of the crisis detector, through its process() after load.

    python bench/crisis_detector.py [--rounds 5]

Trains the component through Rasa's model storage in a temp dir, loads it, then
times process() on every message of tests/crisis/labelled_set.yml, one message per
call as in a live conversation, for several rounds. The same loop with a no-op in
place of process() shows the noise floor of the measurement itself.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import yaml  # noqa: E402

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))

with warnings.catch_warnings():  # libraries reset the filters while importing
    warnings.simplefilter("ignore")
    from rasa.engine.graph import ExecutionContext, GraphSchema
    from rasa.engine.storage.local_model_storage import LocalModelStorage
    from rasa.engine.storage.resource import Resource
    from rasa.shared.nlu.constants import TEXT
    from rasa.shared.nlu.training_data.message import Message
    from rasa.shared.nlu.training_data.training_data import TrainingData

    from components.crisis_detector import CrisisDetector


def load_detector() -> tuple[CrisisDetector, float]:
    resource = Resource("crisis_detector")
    context = ExecutionContext(GraphSchema({}), "bench")
    with tempfile.TemporaryDirectory(prefix="crisis-bench-") as directory:  # loaded, it lives in memory
        storage = LocalModelStorage(Path(directory))
        CrisisDetector.create({}, storage, resource, context).train(TrainingData())
        started = time.perf_counter()
        detector = CrisisDetector.load({}, storage, resource, context)
        return detector, time.perf_counter() - started


def time_each(texts: list[str], step: Callable[[list[Message]], object], rounds: int) -> list[int]:
    """Nanoseconds per call; building the Message is outside the timed part."""
    timings = []
    for _ in range(rounds):
        for text in texts:
            messages = [Message(data={TEXT: text})]
            started = time.perf_counter_ns()
            step(messages)
            timings.append(time.perf_counter_ns() - started)
    return timings


def summary(name: str, nanoseconds: list[int]) -> str:
    micro = sorted(n / 1000 for n in nanoseconds)
    pick = lambda q: micro[min(len(micro) - 1, int(q * len(micro)))]  # noqa: E731
    per_second = len(micro) / (sum(micro) / 1e6)
    return (
        f"{name:<22} median {statistics.median(micro):8.1f} us   p95 {pick(0.95):8.1f} us"
        f"   p99 {pick(0.99):8.1f} us   {per_second:10.0f} messages/s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    labelled = yaml.safe_load((PROJECT / "tests/crisis/labelled_set.yml").read_text())
    texts = [example["text"] for example in labelled]
    detector, load_seconds = load_detector()
    detector.process([Message(data={TEXT: "warm up"})])

    def no_op(messages: list[Message]) -> list[Message]:
        return messages

    print(f"{len(texts)} messages x {args.rounds} rounds; load() took {load_seconds:.2f} s")
    print(summary("CrisisDetector.process", time_each(texts, detector.process, args.rounds)))
    print(summary("no-op baseline", time_each(texts, no_op, args.rounds)))
    long_texts = [t for t in texts if len(t) > 200]
    print(summary(f"long ({len(long_texts)} > 200 chars)", time_each(long_texts, detector.process, args.rounds)))


if __name__ == "__main__":
    main()
