"""Where a busy Rasa server's time goes: a py-spy profile of it while conversations keep it busy.

    .venv/bin/python bench/profile_server.py [--conversations 10] [--seconds 40] [--model M] [--endpoints E]

Starts an action server and a Rasa server as bench/load.py does (REST channel, SQLite, the same
settings), keeps `--conversations` conversations going at once (10 turns each, new ones as they end)
and samples the Rasa server with py-spy 100 times a second for `--seconds`. py-spy leaves idle threads
out, so the samples are the server's busy time. Each sample goes to the first part of handling a
message (PARTS) that its stack passes through; the shares of busy time are printed, then a few named
pieces inside them. `--model` and `--endpoints` profile bench/load.py's baseline the same way.
"""

from __future__ import annotations

import argparse
import asyncio
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(PROJECT), str(PROJECT / "bench")]

from load import load_round  # noqa: E402

from scripts.stack import ACTION_SERVER_UNDER_LOAD, BIN, MODEL, start_actions, start_rasa  # noqa: E402

SAMPLES_PER_SECOND = 100
# (part, functions that mark it): a sample belongs to the first part whose function is on its stack
PARTS = [
    ("saving: Rasa reading the conversation back for the event broker", ("stream_events",)),
    ("checking each action server answer against Rasa's schema", ("_validate_action_result",)),
    ("NLU pipeline", ("parse_message",)),
    ("policies", ("_predict_next_with_tracker",)),
    ("saving: writing the new events", ("save_tracker",)),
    ("reading the conversation", ("get_tracker",)),
]
THE_REST = "the rest: HTTP, channel, running actions, responses"
# (piece, text of a frame): shares of busy time wherever they happen
PIECES = [
    ("DIET classifier", "diet_classifier.py"),
    ("crisis detector", "crisis_detector.py"),
    ("country extractor", "country_extractor.py"),
    ("redacting contact details", "redact_event ("),
    ("finding each event's class (Event.resolve_by_type)", "resolve_by_type ("),
    ("SQLAlchemy and the database driver", "sqlalchemy/"),
]


def frames(stack: str) -> list[str]:
    return stack.split(";")


def part_of(stack: list[str]) -> str:
    for part, functions in PARTS:
        if any(frame.startswith(f"{function} (") for frame in stack for function in functions):
            return part
    return THE_REST


def shares(raw: str) -> tuple[int, Counter, Counter]:
    """Samples in all, per part and per piece, from py-spy's raw output (`stack count` per line)."""
    total, parts, pieces = 0, Counter(), Counter()
    for line in raw.splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        samples, stack_frames = int(count), frames(stack)
        total += samples
        parts[part_of(stack_frames)] += samples
        for piece, text in PIECES:
            if any(text in frame for frame in stack_frames):
                pieces[piece] += samples
    return total, parts, pieces


async def keep_busy(url: str, conversations: int, until: float) -> None:
    while time.monotonic() < until:
        await load_round(url, conversations)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--conversations", type=int, default=10)
    parser.add_argument("--seconds", type=int, default=40)
    parser.add_argument("--model", type=Path, default=MODEL)
    parser.add_argument("--endpoints", type=Path, default=PROJECT / "endpoints.yml")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="profile-server-"))
    actions = start_actions("profile-actions", extra_env=ACTION_SERVER_UNDER_LOAD)
    rasa = start_rasa("profile", tmp, f"{actions.url}/webhook", model=args.model, endpoints=args.endpoints)
    output = tmp / "profile.txt"
    try:
        url = f"{rasa.url}/webhooks/rest/webhook"
        asyncio.run(load_round(url, 2))  # warm-up: first calls load lazily
        command = [str(BIN / "py-spy"), "record", "--pid", str(rasa.process.pid), "--format", "raw"]
        command += ["--rate", str(SAMPLES_PER_SECOND), "--duration", str(args.seconds), "--output", str(output)]
        sampler = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        # load from before the first sample to after the last
        asyncio.run(keep_busy(url, args.conversations, time.monotonic() + args.seconds + 3))
        if sampler.wait(timeout=60) != 0:
            sys.exit("py-spy failed (it needs to be allowed to trace the server: run as root or with CAP_SYS_PTRACE)")
    finally:
        rasa.stop()
        actions.stop()

    total, parts, pieces = shares(output.read_text())
    print(f"{total} samples of the Rasa server's busy time, {args.conversations} conversations at once:")
    for part, samples in parts.most_common():
        print(f"  {samples / total:6.1%}  {part}")
    print("pieces of it, wherever they happen:")
    for piece, _ in PIECES:
        print(f"  {pieces[piece] / total:6.1%}  {piece}")
    print(f"raw profile: {output}")


if __name__ == "__main__":
    main()
