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

# The one definition of "this conversation had a crisis": the crisis reply was sent, however it was
# reached (the detector, the check-in, a button). The action that follows every crisis reply sets
# the flag slot from it; the alert and the review app read the reply itself.
CRISIS_REPLY = "utter_crisis"
CRISIS_FLAG_SLOT = "crisis_flagged"

HELPLINES_BUTTON = {"title": "Crisis lines", "payload": "/crisis"}
# Buttons content files name by a word rather than a topic id.
NAMED_BUTTONS = {
    "helplines": HELPLINES_BUTTON,
    # "Yes" to "are you having thoughts of suicide?" is a crisis: the tap flags the conversation.
    "yes": {"title": "Yes", "payload": "/crisis"},
    # ... and so is "not sure": an unsure answer to that question is treated as a yes.
    "unsure": {"title": "Not sure", "payload": "/crisis"},
    "no": {"title": "No", "payload": "/deny"},
    "human": {"title": "Contact a person", "payload": "/human_handoff"},
}


@dataclass(frozen=True)
class Source:
    """A reviewed source: a seed article (its text in ../shared/seeds/) or a public page, whose
    passages the answers rest on are kept in content/excerpts/ for review."""

    id: str
    title: str
    publisher: str | None = None
    address: str | None = None
    read: datetime.date | None = None
    file: str | None = None
    excerpt: str | None = None

    @property
    def citation(self) -> str:
        """One short citation, as it stands under an answer: publisher and title."""
        return f'{self.publisher}, "{self.title}"' if self.publisher else f'"{self.title}"'

    @property
    def reference(self) -> str:
        """The citation with the address people can open, where the source has one."""
        return f"{self.citation} ({self.address})" if self.address else self.citation


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
    # What people ask about this topic that its sources do not answer: said in the answer itself.
    not_covered: tuple[str, ...] = ()
    # The clinic's own words for this topic (its prices, its referral route), shown after the passage.
    clinic_details: str = ""

    @property
    def source_line(self) -> str:
        """The line under every curated answer that says where it comes from."""
        return "From: " + "; ".join(source.citation for source in self.sources)

    @property
    def not_covered_line(self) -> str:
        if not self.not_covered:
            return ""
        points = ", ".join(self.not_covered[:-1]) + " or " if len(self.not_covered) > 1 else ""
        return (
            f"The reviewed content does not cover {points}{self.not_covered[-1]}: "
            "your prescriber or care team can tell you about those."
        )

    @property
    def answer_text(self) -> str:
        # one paragraph with the answer: channels split a reply on blank lines into separate messages
        answer = f"{self.short} {self.not_covered_line}".strip()
        return f"{answer}\n\n{self.source_line}"

    @property
    def detail_text(self) -> str:
        parts = [self.detail, self.clinic_details, self.source_line]
        return "\n\n".join(part for part in parts if part)

    @property
    def button(self) -> dict:
        """A button that asks about this topic: its payload sets the intent directly."""
        return {"title": self.label, "payload": f"/{self.id}"}


def _read(path: Path) -> dict:
    with path.open(encoding="utf-8") as file:
        return yaml.safe_load(file)


def load_sources(content_dir: Path = CONTENT_DIR) -> dict[str, Source]:
    entries = _read(content_dir / "sources.yml")["sources"]
    return {entry["id"]: Source(**entry) for entry in entries}


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
            not_covered=tuple(entry.get("not_covered", ())),
            clinic_details=" ".join((entry.get("clinic_details") or "").split()),
        )
    return topics


def load_conversation(content_dir: Path = CONTENT_DIR) -> dict:
    return _read(content_dir / "conversation.yml")


def with_helplines(buttons: list[dict]) -> list[dict]:
    """The buttons with "Crisis lines" added: every reply in a flagged conversation carries it."""
    # by payload: a reply in another language carries the button with its own words
    has_it = any(button.get("payload") == HELPLINES_BUTTON["payload"] for button in buttons)
    return buttons if has_it else [*buttons, HELPLINES_BUTTON]


def buttons_for(names: list[str], topics: dict[str, Topic]) -> list[dict]:
    """The buttons a content file names: topic ids or the words in NAMED_BUTTONS."""
    return [NAMED_BUTTONS[name] if name in NAMED_BUTTONS else topics[name].button for name in names]


def load_crisis_words(content_dir: Path = CONTENT_DIR) -> dict:
    """The English crisis reply's words (content/crisis.yml): by level, and about someone else."""
    return _read(content_dir / "crisis.yml")


def load_languages(content_dir: Path = CONTENT_DIR) -> dict:
    """The words of content/languages.yml, by language code."""
    return _read(content_dir / "languages.yml")["languages"]


def load_helplines(content_dir: Path = CONTENT_DIR) -> dict:
    return _read(content_dir / "helplines.yml")
