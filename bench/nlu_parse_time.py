"""NLU parse time per message: the trained model on the held-out NLU test set's messages.

Loads the model the way the server does (rasa.core.agent) and parses every test message, after a
warm-up, printing median, p95 and p99 per message.
Usage: .venv/bin/python bench/nlu_parse_time.py [--model models/current.tar.gz] [--rounds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))  # the model names the project's own components

from rasa.core.agent import Agent  # noqa: E402
from rasa.shared.nlu.training_data.loading import load_data  # noqa: E402


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


async def measure(model: Path, messages: list[str], rounds: int) -> list[float]:
    agent = Agent.load(str(model))
    for message in messages[:20]:
        await agent.parse_message(message)
    times_ms = []
    for _ in range(rounds):
        for message in messages:
            started = time.perf_counter()
            await agent.parse_message(message)
            times_ms.append((time.perf_counter() - started) * 1000)
    return times_ms


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", type=Path, default=PROJECT / "models" / "current.tar.gz")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    messages = [example.get("text") for example in load_data(str(PROJECT / "tests" / "nlu")).training_examples]
    times_ms = asyncio.run(measure(args.model, messages, args.rounds))
    print(f"NLU parse time over {len(times_ms)} parses ({len(messages)} messages x {args.rounds} rounds)")
    print(f"  median {statistics.median(times_ms):6.2f} ms")
    print(f"  p95    {percentile(times_ms, 0.95):6.2f} ms")
    print(f"  p99    {percentile(times_ms, 0.99):6.2f} ms")


if __name__ == "__main__":
    main()
