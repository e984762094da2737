"""Build the topic-shaped parts of the domain and the rules from content/topics/.

A topic is defined once, by its content file. Its intent, its value of the `topic` slot (and the
mapping that sets it from the intent) and its place in the two answer rules are derived here, so
adding a topic is one content file plus its NLU examples (data/nlu/topics/<id>.yml).
Run by `make responses`, with scripts/build_responses.py.
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

from content_library.load import load_topics  # noqa: E402

DOMAIN_OUTPUT = PROJECT / "domain" / "topics.yml"
RULES_OUTPUT = PROJECT / "data" / "rules" / "topics.yml"
HEADER = "# Built by scripts/build_topic_lines.py from content/topics/. Do not edit: add a content file instead.\n"


def topic_domain(topic_ids: list[str]) -> dict:
    """One intent per topic, and the `topic` slot that remembers the last one answered."""
    mappings = [{"type": "from_intent", "intent": topic_id, "value": topic_id} for topic_id in topic_ids]
    return {
        "version": "3.1",
        "intents": topic_ids,
        "slots": {
            # the topic of the last curated answer, so "tell me more" and "where is this from?" know it
            "topic": {
                "type": "categorical",
                "influence_conversation": False,
                "values": topic_ids,
                # custom: also set by actions (a matched passage in the fallback)
                "mappings": [*mappings, {"type": "custom"}],
            }
        },
    }


def topic_rules(topic_ids: list[str]) -> dict:
    """One rule answers every topic (the slot picks the passage); at the start, after the introduction."""
    any_topic = {"or": [{"intent": topic_id} for topic_id in topic_ids]}
    return {
        "version": "3.1",
        "rules": [
            {"rule": "answer a topic question", "steps": [any_topic, {"action": "utter_answer"}]},
            {
                "rule": "introduction, then a topic answer",
                "conversation_start": True,
                "steps": [any_topic, {"action": "utter_intro"}, {"action": "utter_answer"}],
            },
        ],
    }


def write(path: Path, document: dict) -> None:
    path.write_text(HEADER + yaml.safe_dump(document, sort_keys=False, width=100), encoding="utf-8")
    print(f"wrote {path.relative_to(PROJECT)}")


def main() -> None:
    topic_ids = list(load_topics())
    write(DOMAIN_OUTPUT, topic_domain(topic_ids))
    write(RULES_OUTPUT, topic_rules(topic_ids))


if __name__ == "__main__":
    main()
