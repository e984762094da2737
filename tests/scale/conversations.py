"""Many conversations at once over the REST channel, and what the conversation store holds for each.

A conversation's turns are sent one after another, each turn to the server the caller picks; the
conversations themselves run concurrently. Every turn's reply is checked against the curated text.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from dataclasses import dataclass, field

import aiohttp
import sqlalchemy as sa

from tests.replies import TOPICS, said, texts

# Each turn after the second needs what the turn before stored: "tell me more" and "where is this from?"
# answer about the topic of an earlier turn, which another server answered.
SCRIPT: list[tuple[str, Callable[[list[str]], bool]]] = [
    ("hi", lambda replies: replies == [said("utter_intro"), said("utter_starters")]),
    ("what does treatment resistant depression actually mean", lambda r: TOPICS["what_is_trd"].answer_text in r),
    ("tell me more", lambda replies: TOPICS["what_is_trd"].detail_text in replies),
    ("where is this from?", lambda r: bool(r) and all(s.title in r[0] for s in TOPICS["what_is_trd"].sources)),
]
# A killed server leaves its conversations' Redis locks behind until the lock lifetime (15 s in these
# tests) runs out; the survivor's replies in those conversations wait for that, and others queue behind.
REPLY_TIMEOUT_SECONDS = 150
# What a client sees when the server it sent to goes away before answering.
IN_FLIGHT_ERRORS = (aiohttp.ServerDisconnectedError, aiohttp.ClientOSError, aiohttp.ClientPayloadError)


@dataclass
class Conversation:
    sender: str
    replies: list[list[str]] = field(default_factory=list)
    # turn number -> the error of its first try, for turns retried on the other server
    retried: dict[int, str] = field(default_factory=dict)

    def wrong_replies(self) -> list[tuple[str, list[str]]]:
        return [(message, got) for (message, right), got in zip(SCRIPT, self.replies, strict=True) if not right(got)]


async def say(session: aiohttp.ClientSession, url: str, sender: str, message: str) -> list[str]:
    body = {"sender": sender, "message": message}
    async with session.post(f"{url}/webhooks/rest/webhook", json=body) as response:
        response.raise_for_status()
        return texts(await response.json())


async def converse(session: aiohttp.ClientSession, sender: str, server_for_turn: Callable[[int], str]):
    conversation = Conversation(sender)
    for turn, (message, _) in enumerate(SCRIPT):
        conversation.replies.append(await say(session, server_for_turn(turn), sender, message))
    return conversation


async def converse_with_failover(
    session: aiohttp.ClientSession,
    sender: str,
    servers: tuple[str, str],
    first: int,
    down: set[str],
    answered: Callable[[], None],
) -> Conversation:
    """Turns alternate between two servers; a server that fails is marked down and the turn is sent
    again to the other, as a client (or a proxy) that retries would."""
    conversation = Conversation(sender)
    for turn, (message, _) in enumerate(SCRIPT):
        url = servers[(first + turn) % 2]
        if url in down:
            url = next(other for other in servers if other != url)
        try:
            replies = await say(session, url, sender, message)
        except aiohttp.ClientConnectorError:
            down.add(url)  # it was already gone: the message never reached it
            replies = await say(session, next(other for other in servers if other != url), sender, message)
        except IN_FLIGHT_ERRORS as error:
            down.add(url)
            conversation.retried[turn] = type(error).__name__
            other = next(other for other in servers if other != url)
            try:
                replies = await say(session, other, sender, message)
            except asyncio.TimeoutError as timeout:
                # Rasa's own lock store left such a message waiting for ever (stores/lock_store.py says
                # when); should it happen again, say where, so that server's log can be read.
                raise AssertionError(
                    f"{sender}, turn {turn}: {other} did not answer the retried message in "
                    f"{REPLY_TIMEOUT_SECONDS} s (its first try on {url}: {type(error).__name__})"
                ) from timeout
        conversation.replies.append(replies)
        answered()
    return conversation


def client_session(connections: int) -> aiohttp.ClientSession:
    return aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=connections),
        timeout=aiohttp.ClientTimeout(total=REPLY_TIMEOUT_SECONDS),
    )


@dataclass
class StoredHistory:
    user_texts: list[str]
    bot_texts: list[str]
    duplicate_rows: int


def stored_histories(engine: sa.engine.Engine, senders: list[str]) -> dict[str, StoredHistory]:
    """Each conversation's events as the events table holds them, in the order they were written."""
    query = sa.text(
        "SELECT sender_id, type_name, timestamp, data FROM events WHERE sender_id = ANY(:senders) ORDER BY id"
    )
    histories = {sender: StoredHistory([], [], 0) for sender in senders}
    seen: set[tuple] = set()
    with engine.connect() as connection:
        for sender, kind, timestamp, data in connection.execute(query, {"senders": senders}):
            history = histories[sender]
            row = (sender, kind, timestamp, data)
            history.duplicate_rows += row in seen
            seen.add(row)
            text = json.loads(data).get("text") if kind in ("user", "bot") else None
            if kind == "user":
                history.user_texts.append(text)
            elif kind == "bot" and text:
                history.bot_texts.append(text)
    return histories


def as_one_text(parts: list[str]) -> str:
    """The REST channel sends a reply's paragraphs as separate messages; compare them as one text."""
    return " ".join("\n\n".join(parts).split())
