"""The curated content, loaded from content/: topics, their sources, and the conversation texts.

content/ is the one place the words live. scripts/build_responses.py turns it into Rasa responses,
and the action server reads the same files to search the passages, so both always agree.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from pathlib import Path

import yaml

CONTENT_DIR = Path(__file__).resolve().parent.parent / "content"

HELPLINES_BUTTON = {"title": "Crisis lines", "payload": "/crisis"}
# Buttons content files name by a word rather than a topic id.
NAMED_BUTTONS = {
    "helplines": HELPLINES_BUTTON,
    # "Yes" to "are you having thoughts of suicide?" is a crisis: the tap flags the conversation.
    "yes": {"title": "Yes", "payload": "/crisis"},
    "no": {"title": "No", "payload": "/deny"},
    "human": {"title": "Contact a person", "payload": "/human_handoff"},
}


@dataclass(frozen=True)
class Source:
    id: str
    title: str
    file: str


@dataclass(frozen=True)
class Topic:
    id: str
    label: str
    title: str
    short: str
    detail: str
    sources: tuple[Source, ...]
    reviewed: datetime.date
    related: tuple[str, ...]

    @property
    def source_line(self) -> str:
        """The line under every curated answer that says where it comes from."""
        return "From: " + "; ".join(source.title for source in self.sources)

    @property
    def answer_text(self) -> str:
        return f"{self.short}\n\n{self.source_line}"

    @property
    def detail_text(self) -> str:
        return f"{self.detail}\n\n{self.source_line}"

    @property
    def button(self) -> dict:
        """A button that asks about this topic: its payload sets the intent directly."""
        return {"title": self.label, "payload": f"/{self.id}"}


def _read(path: Path) -> dict:
    with path.open(encoding="utf-8") as file:
        return yaml.safe_load(file)


def load_sources(content_dir: Path = CONTENT_DIR) -> dict[str, Source]:
    entries = _read(content_dir / "sources.yml")["sources"]
    return {entry["id"]: Source(entry["id"], entry["title"], entry["file"]) for entry in entries}


def load_topics(content_dir: Path = CONTENT_DIR) -> dict[str, Topic]:
    """All topics by id, in a stable order (by file name)."""
    sources = load_sources(content_dir)
    topics = {}
    for path in sorted((content_dir / "topics").glob("*.yml")):
        entry = _read(path)
        topics[entry["id"]] = Topic(
            id=entry["id"],
            label=entry["label"],
            title=entry["title"],
            short=entry["short"].strip(),
            detail=entry["detail"].strip(),
            sources=tuple(sources[source_id] for source_id in entry["sources"]),
            reviewed=entry["reviewed"],
            related=tuple(entry["related"]),
        )
    return topics


def load_conversation(content_dir: Path = CONTENT_DIR) -> dict:
    return _read(content_dir / "conversation.yml")


def with_helplines(buttons: list[dict]) -> list[dict]:
    """The buttons with "Crisis lines" added: every reply in a flagged conversation carries it."""
    return buttons if HELPLINES_BUTTON in buttons else [*buttons, HELPLINES_BUTTON]


def buttons_for(names: list[str], topics: dict[str, Topic]) -> list[dict]:
    """The buttons a content file names: topic ids or the words in NAMED_BUTTONS."""
    return [NAMED_BUTTONS[name] if name in NAMED_BUTTONS else topics[name].button for name in names]


def load_helplines(content_dir: Path = CONTENT_DIR) -> dict:
    return _read(content_dir / "helplines.yml")
