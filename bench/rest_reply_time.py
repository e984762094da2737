"""Reply time over the REST channel: the real Rasa server and action server, 100 messages.

Ten conversations of ten turns each, sent one message at a time, so the figure is the time one
person waits for a reply on an otherwise idle machine. Prints median, p95, p99 and the slowest.
Usage: .venv/bin/python bench/rest_reply_time.py [--conversations 10]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scripts.stack import start_actions, start_rasa  # noqa: E402

TURNS = [
    "hi",
    "what is treatment resistant depression",
    "tell me more",
    "where is this from",
    "how does tms work",
    "what about ketamine",
    "should i double my dose",
    "can therapy help alongside meds",
    "thanks",
    "bye",
]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--conversations", type=int, default=10)
    args = parser.parse_args()

    actions = start_actions("bench-actions")
    rasa = start_rasa("bench-rasa", Path(tempfile.mkdtemp()), f"{actions.url}/webhook")
    try:
        rasa.say("warm-up", "hello")
        times_ms = []
        for _ in range(args.conversations):
            sender = f"bench-{uuid.uuid4().hex[:8]}"
            for message in TURNS:
                started = time.perf_counter()
                rasa.say(sender, message)
                times_ms.append((time.perf_counter() - started) * 1000)
    finally:
        rasa.stop()
        actions.stop()

    print(f"REST reply time over {len(times_ms)} messages ({args.conversations} conversations x {len(TURNS)} turns)")
    print(f"  median {statistics.median(times_ms):7.1f} ms")
    print(f"  p95    {percentile(times_ms, 0.95):7.1f} ms")
    print(f"  p99    {percentile(times_ms, 0.99):7.1f} ms")
    print(f"  max    {max(times_ms):7.1f} ms")


if __name__ == "__main__":
    main()
