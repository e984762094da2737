"""The filtered conversations as files: CSV for spreadsheets, JSON Lines for scripts. One row per message.

Rows are made a batch of conversations at a time, so an export of thousands never sits in memory
whole. A CSV cell that a spreadsheet would run as a formula (it starts with =, +, -, @ or a control
character) gets a leading apostrophe: the text comes from the public and is untrusted.
"""

from __future__ import annotations

import csv
import datetime
import io
import json
from collections.abc import Iterator

import sqlalchemy as sa

from review import transcript
from review.conversation_facts import from_set_column
from review.listing import Filters, matching

COLUMNS = (
    "conversation_id",
    "channel",
    "time",
    "speaker",
    "text",
    "intent",
    "confidence",
    "response",
    "topic",
    "crisis_flagged",
    "reviewed",
)
BATCH = 200
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _iso(timestamp: float) -> str:
    return datetime.datetime.fromtimestamp(timestamp, tz=datetime.timezone.utc).isoformat(timespec="seconds")


def rows(engine: sa.engine.Engine, filters: Filters) -> Iterator[dict]:
    """Every message of every matching conversation, conversations in the list's order.

    Each batch is read in a short connection of its own: no transaction stays open while a slow
    client downloads.
    """
    with engine.connect() as connection:
        found = connection.execute(matching(filters)).all()
    for start in range(0, len(found), BATCH):
        batch = found[start : start + BATCH]
        with engine.connect() as connection:
            transcripts = transcript.load_many(connection, [row.sender_id for row in batch])
        for conversation in batch:
            for message in transcripts[conversation.sender_id]:
                if isinstance(message, transcript.Message):
                    yield {
                        "conversation_id": conversation.sender_id,
                        "channel": " ".join(from_set_column(conversation.channels)),
                        "time": _iso(message.at),
                        "speaker": message.speaker,
                        "text": message.text,
                        "intent": message.intent,
                        "confidence": round(message.confidence, 4) if message.confidence is not None else None,
                        "response": message.response,
                        "topic": message.topic,
                        "crisis_flagged": bool(conversation.crisis),
                        "reviewed": conversation.reviewed_by is not None,
                    }


def _safe_cell(value: object) -> object:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_lines(messages: Iterator[dict]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS)
    writer.writeheader()
    for message in messages:
        writer.writerow({name: _safe_cell(value) for name, value in message.items()})
        if buffer.tell() > 64_000:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def json_lines(messages: Iterator[dict]) -> Iterator[str]:
    lines = []
    for message in messages:
        lines.append(json.dumps(message, ensure_ascii=False) + "\n")
        if len(lines) >= 500:
            yield "".join(lines)
            lines = []
    yield "".join(lines)


FORMATS = {
    "csv": ("text/csv; charset=utf-8", csv_lines),
    "jsonl": ("application/x-ndjson; charset=utf-8", json_lines),
}
