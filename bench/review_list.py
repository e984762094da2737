"""The review app's conversation list with 10,000 stored conversations: how long staff wait for a page.

Seeds a conversation store in Rasa's own schema (its SQLTrackerStore table, rows made from Rasa's event
classes as the server makes them) with 10,000 conversations over the last 90 days, a few turns each:
topic questions, fallbacks, out-of-scope questions, distress and crisis; over REST and socket.io.
Then it starts the review app on that store, signs in, and times the list page: first the page that
builds the app's index (once, after the seeding), then 200 pages with the filters staff use. Prints
the first page's time, then median and p95 overall and per filter.
Usage: .venv/bin/python bench/review_list.py [--conversations 10000] [--postgresql]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import requests
import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from rasa.core.tracker_store import SQLTrackerStore  # noqa: E402
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, SlotSet, UserUttered  # noqa: E402

from review.conversation_facts import TOPICS  # noqa: E402
from scripts.stack import (  # noqa: E402
    BIN,
    POSTGRES_SERVER,
    PROJECT,
    base_env,
    free_port,
    postgresql_tracker,
    sqlite_tracker,
    start,
    throwaway_postgresql_database,
)

DAY = 24 * 60 * 60
STAFF, PASSWORD = "bench.reviewer", "a long bench passphrase"
REQUESTS = 200
FILTERS = {
    "newest": {},
    "crisis queue": {"crisis": "yes", "reviewed": "no"},
    "unanswered": {"unanswered": "yes"},
    "topic and channel": {"topic": "ketamine", "channel": "socketio"},
    "date range": {"date_from": "2025-01-01", "date_to": "2099-12-31"},
    "text search": {"text": "sleep"},
    "page 20": {"page": "20"},
}
QUESTIONS = {
    "ketamine": ["how does ketamine work", "is esketamine the same as ketamine"],
    "tms": ["what is tms", "does tms hurt"],
    "ect": ["what is ect", "is ect safe"],
    "lifestyle": ["does sleep help depression", "what about exercise and diet"],
    "outlook": ["will i ever get better", "is trd hopeless"],
}
UNANSWERED = [
    ("nlu_fallback", "blorp fizzle"),
    ("nlu_fallback", "can my cat get depressed"),
    ("out_of_scope", "what is the weather"),
]


def turn(rng: random.Random, at: float, channel: str) -> list:
    """The events of one turn, as the Rasa server stores them."""
    kind = rng.choices(["topic", "unanswered", "distress", "crisis"], weights=[70, 20, 6, 4])[0]
    if kind == "topic":
        topic = rng.choice(list(QUESTIONS))
        text, intent = rng.choice(QUESTIONS[topic]), topic
        after = [SlotSet("topic", topic, timestamp=at)]
        reply = BotUttered(
            f"A curated answer about {TOPICS[topic]}.\n\nFrom: an article",
            {"buttons": [{"title": "Tell me more", "payload": "/more_detail"}]},
            {"utter_action": "utter_answer", "condition": [{"type": "slot", "name": "topic", "value": topic}]},
            timestamp=at,
        )
    elif kind == "unanswered":
        intent, text = rng.choice(UNANSWERED)
        after, reply = (
            [],
            BotUttered("Sorry, I'm not sure I understood.", {}, {"utter_action": "utter_topics"}, timestamp=at),
        )
    elif kind == "distress":
        text, intent = "i cant take this anymore", "distress"
        after = []
        reply = BotUttered(
            "Are you thinking about suicide?", {}, {"utter_action": "utter_distress_checkin"}, timestamp=at
        )
    else:
        text, intent = "i want to end my life", "crisis"
        after = [SlotSet("crisis_flagged", True, timestamp=at)]
        reply = BotUttered("You matter. Call or text 988.", {}, {"utter_action": "utter_crisis"}, timestamp=at)
    parse_data = {"intent": {"name": intent, "confidence": 0.93}, "entities": [], "text": text}
    user = UserUttered(text, parse_data["intent"], [], parse_data, timestamp=at, input_channel=channel)
    action = ActionExecuted(reply.metadata["utter_action"], policy="RulePolicy", confidence=1.0, timestamp=at)
    return [user, *after, action, reply, ActionExecuted("action_listen", timestamp=at)]


def conversation(rng: random.Random, now: float) -> tuple[str, list]:
    sender = uuid.UUID(int=rng.getrandbits(128)).hex
    at = now - rng.uniform(0, 90 * DAY)
    channel = rng.choice(["rest", "socketio", "socketio"])
    events = [
        ActionExecuted("action_session_start", timestamp=at),
        BotUttered("Hi, I'm an information assistant.", {}, {"utter_action": "utter_intro"}, timestamp=at),
        SessionStarted(timestamp=at),
        ActionExecuted("action_listen", timestamp=at),
    ]
    for _ in range(rng.randint(1, 6)):
        at += rng.uniform(5, 120)
        events += turn(rng, at, channel)
    return sender, events


def seed(engine: sa.engine.Engine, count: int) -> int:
    """Writes `count` conversations in Rasa's schema; returns the number of events."""
    SQLTrackerStore.Base.metadata.create_all(engine)
    table = SQLTrackerStore.SQLEvent.__table__
    rng, now, written = random.Random(7), time.time(), 0
    for start_at in range(0, count, 500):
        rows = []
        for _ in range(min(500, count - start_at)):
            sender, events = conversation(rng, now)
            for event in events:
                data = event.as_dict()
                rows.append(
                    {
                        "sender_id": sender,
                        "type_name": event.type_name,
                        "timestamp": data["timestamp"],
                        "intent_name": data.get("parse_data", {}).get("intent", {}).get("name"),
                        "action_name": data.get("name"),
                        "data": json.dumps(data),
                    }
                )
        with engine.begin() as connection:
            connection.execute(table.insert(), rows)
        written += len(rows)
    return written


def seconds(started: float) -> str:
    return f"{time.perf_counter() - started:.1f}"


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def signed_in(url: str) -> requests.Session:
    browser = requests.Session()
    form = browser.get(f"{url}/login").text
    token = form.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    # not followed: the list page it leads to is the one to time
    answer = browser.post(
        f"{url}/login",
        data={"csrf_token": token, "username": STAFF, "password": PASSWORD},
        allow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    return browser


def measure(env: dict[str, str]) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    added = subprocess.run(
        [str(BIN / "python"), "-m", "review.staff", "add", STAFF],
        cwd=PROJECT,
        env=env,
        input=PASSWORD + "\n",
        capture_output=True,
        text=True,
    )
    if added.returncode:
        sys.exit(added.stderr)
    app = start(
        "bench-review", [str(BIN / "python"), "-m", "review", "--port", url.rsplit(":", 1)[1]], f"{url}/login", env
    )
    try:
        browser = signed_in(url)
        started = time.perf_counter()
        first = browser.get(f"{url}/conversations")
        first.raise_for_status()
        first_ms = (time.perf_counter() - started) * 1000
        times: dict[str, list[float]] = {name: [] for name in FILTERS}
        for request in range(REQUESTS):
            name = list(FILTERS)[request % len(FILTERS)]
            started = time.perf_counter()
            browser.get(f"{url}/conversations", params=FILTERS[name]).raise_for_status()
            times[name].append((time.perf_counter() - started) * 1000)
    finally:
        app.stop()
    every = [value for values in times.values() for value in values]
    print(f"  first list page (builds the index of every conversation): {first_ms:8.1f} ms")
    median, p95 = statistics.median(every), percentile(every, 0.95)
    print(f"  list page, {len(every)} requests:  median {median:6.1f} ms   p95 {p95:6.1f} ms")
    for name, values in times.items():
        print(f"    {name:<18} median {statistics.median(values):6.1f} ms   p95 {percentile(values, 0.95):6.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--conversations", type=int, default=10_000)
    parser.add_argument("--postgresql", action="store_true", help="on a throwaway PostgreSQL database (127.0.0.1:5432)")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="review-bench-"))
    if not args.postgresql:
        tracker = sqlite_tracker(tmp / "conversations.db")
        engine = sa.create_engine(f"sqlite:///{tracker['TRACKER_DB']}")
        started = time.perf_counter()
        events = seed(engine, args.conversations)
        print(f"SQLite: {args.conversations} conversations, {events} events, seeded in {seconds(started)} s")
        measure(base_env(**tracker, REVIEW_DB=str(tmp / "review.db")))
        return
    from review.postgres import set_up
    from review.settings import Settings

    role = f"trd_review_bench_{uuid.uuid4().hex[:8]}"
    with throwaway_postgresql_database("trd_review_bench", role=role) as database:
        env = {**postgresql_tracker(database), "REVIEW_DB_USER": role, "REVIEW_DB_PASSWORD": ""}
        engine = sa.create_engine(f"{POSTGRES_SERVER}/{database}")
        try:
            started = time.perf_counter()
            events = seed(engine, args.conversations)
            with engine.connect() as connection:
                # what autovacuum does after so many new rows, done now so the figures do not depend on when
                connection.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("ANALYZE events")
            set_up(Settings.from_env(env), create_role=True)
            print(f"PostgreSQL: {args.conversations} conversations, {events} events, seeded in {seconds(started)} s")
            measure(base_env(**env))
        finally:
            engine.dispose()


if __name__ == "__main__":
    main()
