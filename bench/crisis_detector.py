"""Time per message of crisis detection, and its share of the whole NLU parse.

    python bench/crisis_detector.py [--model models/current.tar.gz] [--rounds 3]

Loads the trained model and times, one message per call as in a live conversation, on the messages of
the crisis corpus's development part: the whole NLU parse (every component of config.yml), and each
component that crisis detection adds to it: LanguageDetector, CrisisClassifier (normaliser, features,
calibrated model) and CrisisDetector (normaliser, phrase rules, the decision). "Crisis detection" is
the last two; the growth of the parse is what all three add, against the parse without them, measured
in the same run.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import statistics
import sys
import time
import warnings
from pathlib import Path

os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))

with warnings.catch_warnings():  # libraries reset the filters while importing
    warnings.simplefilter("ignore")
    from rasa.core.agent import Agent
    from rasa.model import get_local_model
    from rasa.shared.nlu.constants import TEXT
    from rasa.shared.nlu.training_data.message import Message
    from rasa.utils.log_utils import configure_structlog

    from components.crisis_classifier import CrisisClassifier
    from components.crisis_corpus import DEVELOPMENT, read_corpus
    from components.crisis_detector import CrisisDetector
    from components.language_detector import LanguageDetector

CRISIS_COMPONENTS = (LanguageDetector, CrisisClassifier, CrisisDetector)


def loaded_components(agent: Agent) -> dict[type, object]:
    """The model's own instances of the crisis components, as the server runs them."""
    found = {}
    for node in agent.processor.graph_runner._instantiated_nodes.values():  # noqa: SLF001 (no public accessor)
        component = getattr(node, "_component", None)
        if isinstance(component, CRISIS_COMPONENTS):
            found[type(component)] = component
    return found


def timed_parse(agent: Agent, texts: list[str], rounds: int) -> list[float]:
    loop = asyncio.new_event_loop()
    timings = []
    for _ in range(rounds):
        for text in texts:
            started = time.perf_counter()
            loop.run_until_complete(agent.parse_message(text))
            timings.append((time.perf_counter() - started) * 1000)
    return timings


def timed_component(component, texts: list[str], agent: Agent, rounds: int) -> list[float]:
    """Milliseconds of the component's process() per message, on what the components before it made."""
    loop = asyncio.new_event_loop()
    prepared = [loop.run_until_complete(agent.parse_message(text)) for text in texts]
    timings = []
    for _ in range(rounds):
        for parsed in prepared:
            message = Message(
                data={TEXT: parsed["text"], "intent": parsed["intent"], "crisis_scores": parsed["crisis_scores"]}
            )
            started = time.perf_counter()
            component.process([message])
            timings.append((time.perf_counter() - started) * 1000)
    return timings


def line(name: str, milliseconds: list[float]) -> str:
    ordered = sorted(milliseconds)
    p95 = ordered[int(0.95 * (len(ordered) - 1))]
    return f"{name:<32} median {statistics.median(ordered):7.2f} ms   p95 {p95:7.2f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", default=str(PROJECT / "models" / "current.tar.gz"))
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--baseline-model", help="another model (say, the one before a change) to parse alongside")
    args = parser.parse_args()

    configure_structlog(logging.WARNING)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        agent = Agent.load(get_local_model(args.model))
    texts = [example.text for example in read_corpus() if example.part == DEVELOPMENT]
    components = loaded_components(agent)
    timed_parse(agent, texts[:50], 1)  # warm-up

    parse = timed_parse(agent, texts, args.rounds)
    each = {kind.__name__: timed_component(components[kind], texts, agent, args.rounds) for kind in CRISIS_COMPONENTS}
    detection = [a + b for a, b in zip(each["CrisisClassifier"], each["CrisisDetector"], strict=True)]
    added = [a + b for a, b in zip(detection, each["LanguageDetector"], strict=True)]

    print(f"{len(texts)} messages x {args.rounds} rounds")
    print(line("whole NLU parse", parse))
    for name, timings in each.items():
        print(line(f"  {name}", timings))
    print(line("crisis detection (the two crisis)", detection))
    without = statistics.median(parse) - statistics.median(added)
    print(
        f"the parse without the three components: median {without:.2f} ms; with them: ratio "
        f"{statistics.median(parse) / without:.2f}"
    )
    if args.baseline_model:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            baseline = Agent.load(get_local_model(args.baseline_model))
        timed_parse(baseline, texts[:50], 1)
        baseline_parse = timed_parse(baseline, texts, args.rounds)
        print(line("baseline model's whole NLU parse", baseline_parse))
        ratio = statistics.median(parse) / statistics.median(baseline_parse)
        print(f"ratio of the medians (this model / baseline): {ratio:.2f}")


if __name__ == "__main__":
    main()
