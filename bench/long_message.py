"""How long a crisis reply waits while another person's 50,000-character message is being handled.

The real Rasa server and action server. In each round one conversation sends a long message over
REST (letters, letters and dots, or a long URL, in turn) and, 10 ms later, another sends a crisis
message; the crisis reply's time is compared with the same crisis message on an idle server, measured
in the same run (the baseline). Prints median and p95 of both and their ratio.
Usage: .venv/bin/python bench/long_message.py [--rounds 30]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.rest_reply_time import percentile  # noqa: E402
from scripts.stack import start_actions, start_rasa  # noqa: E402

LONG_RUNS = ["a" * 50_000, "a." * 25_000, "https://example.com/" + "a/" * 25_000]
CRISIS_MESSAGE = "i want to kill myself"


def crisis_reply_ms(rasa) -> float:
    started = time.perf_counter()
    rasa.say(f"bench-crisis-{uuid.uuid4().hex[:8]}", CRISIS_MESSAGE, timeout=120)
    return (time.perf_counter() - started) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()

    actions = start_actions("bench-actions")
    rasa = start_rasa("bench-rasa", Path(tempfile.mkdtemp()), f"{actions.url}/webhook")
    try:
        rasa.say("warm-up", "hello")
        idle, during = [], []
        for round_number in range(args.rounds):
            idle.append(crisis_reply_ms(rasa))
            long_text = LONG_RUNS[round_number % len(LONG_RUNS)]
            sending = threading.Thread(
                target=rasa.say, args=(f"bench-long-{uuid.uuid4().hex[:8]}", long_text), kwargs={"timeout": 120}
            )
            sending.start()
            time.sleep(0.01)  # the long message has reached the server, which is handling it
            during.append(crisis_reply_ms(rasa))
            sending.join()
    finally:
        rasa.stop()
        actions.stop()

    print(f"crisis reply, {args.rounds} rounds (ms)   median     p95")
    print(f"  idle server (baseline)          {statistics.median(idle):7.1f} {percentile(idle, 0.95):7.1f}")
    print(f"  during a 50,000-character one   {statistics.median(during):7.1f} {percentile(during, 0.95):7.1f}")
    print(f"  ratio                           {statistics.median(during) / statistics.median(idle):7.2f}")


if __name__ == "__main__":
    main()
