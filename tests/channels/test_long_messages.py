"""A very long message, on any channel, is cut, answered as cut, stored cut, and holds nobody else up.

The server reads every message on one event loop: before the limit, 50,000 characters without a
space took the redaction of the conversation store about 30 s, and nobody got a reply meanwhile,
crisis replies included. Each case sends such a message on one channel and, while it is being
handled, a crisis message from another person over REST: that reply must still come at once.
"""

from __future__ import annotations

import json
import random
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable

import pytest

from channels.message_limit import CUT_NOTE, MAX_MESSAGE_CHARACTERS
from tests.channels import test_facebook, test_slack, test_telegram, test_twilio
from tests.test_crisis import CRISIS_MESSAGE, crisis_reply
from tests.widget_socket import widget_socket

LONG_RUNS = {
    "letters": "a" * 50_000,
    "letters and dots": "a." * 25_000,
    "a long url": "https://example.com/" + "a/" * 25_000,
}
CRISIS_REPLY_SECONDS = 1.0  # a reply that still reads as immediate; it took ~30 s before the limit
NOTE_SECONDS = 30


def wait_for(found: Callable[[], list[str]], seconds: float = NOTE_SECONDS) -> list[str]:
    deadline = time.monotonic() + seconds
    while CUT_NOTE not in found() and time.monotonic() < deadline:
        time.sleep(0.1)
    return found()


def over_rest(rasa, platforms, text: str) -> list[str]:
    return [reply.get("text", "") for reply in rasa.say(f"long-{uuid.uuid4().hex[:8]}", text)]


def over_socketio(rasa, platforms, text: str) -> list[str]:
    with widget_socket(rasa) as socket:
        socket.send(text)
        return wait_for(lambda: [reply.get("text", "") for reply in socket.replies])


def over_telegram(rasa, platforms, text: str) -> list[str]:
    chat_id = random.randrange(10**9, 9 * 10**9)
    test_telegram.post(rasa, test_telegram.message_update(chat_id, text)).raise_for_status()
    return wait_for(lambda: [reply["text"] for reply in test_telegram.replies(platforms, chat_id)])


def over_slack(rasa, platforms, text: str) -> list[str]:
    user, channel = f"U{random.getrandbits(40):010X}", f"D{random.getrandbits(40):010X}"
    test_slack.post_event(rasa, test_slack.event(user, channel, text)).raise_for_status()
    return wait_for(
        lambda: [
            test_slack.shown_text(reply)
            for reply in platforms.received("slack", "chat.postMessage", lambda body: body.get("channel") == channel)
        ]
    )


def over_twilio(rasa, platforms, text: str) -> list[str]:
    number = test_twilio.new_number()
    test_twilio.post(rasa, test_twilio.incoming(number, text)).raise_for_status()
    return wait_for(lambda: [reply["Body"] for reply in test_twilio.replies(platforms, number)])


def over_messenger(rasa, platforms, text: str) -> list[str]:
    psid = str(random.randrange(10**15, 10**16))
    test_facebook.post(rasa, test_facebook.page_event(test_facebook.text_message(psid, text))).raise_for_status()
    return wait_for(lambda: [reply["message"]["text"] for reply in test_facebook.replies(platforms, psid)])


CHANNELS = {
    "rest": over_rest,
    "socket.io": over_socketio,
    "telegram": over_telegram,
    "slack": over_slack,
    "twilio": over_twilio,
    "messenger": over_messenger,
}


def stored_user_events(db, marker: str) -> list[dict]:
    with sqlite3.connect(db) as store:
        rows = store.execute("SELECT data FROM events WHERE type_name = 'user' AND data LIKE ?", (f"%{marker}%",))
        return [json.loads(data) for (data,) in rows]


@pytest.fixture(scope="module")
def warm_server(messaging_rasa):
    messaging_rasa.say("long-warm-up", "hello")  # the first message of a server loads lazily what it needs
    return messaging_rasa


@pytest.mark.parametrize("run", LONG_RUNS)
@pytest.mark.parametrize("channel", CHANNELS)
def test_a_crisis_reply_is_not_held_up_by_a_long_message_which_is_answered_and_stored_cut(
    warm_server, platforms, channel, run
):
    marker = f"ref{uuid.uuid4().hex[:10]}"
    message = f"{marker} {LONG_RUNS[run]}"
    long_replies: list[str] = []
    sending = threading.Thread(target=lambda: long_replies.extend(CHANNELS[channel](warm_server, platforms, message)))
    sending.start()
    time.sleep(0.3)  # the long message is in the server's hands

    started = time.monotonic()
    crisis = warm_server.say(f"crisis-{marker}", CRISIS_MESSAGE)
    waited = time.monotonic() - started
    sending.join(timeout=60)

    assert crisis_reply(crisis)
    assert waited < CRISIS_REPLY_SECONDS, f"the crisis reply took {waited:.2f} s"
    assert CUT_NOTE in long_replies, long_replies
    assert f"{MAX_MESSAGE_CHARACTERS:,}" in CUT_NOTE
    (stored,) = stored_user_events(warm_server.db, marker)
    assert stored["text"].startswith(marker) and len(stored["text"]) <= MAX_MESSAGE_CHARACTERS
    assert stored["metadata"]["cut_from_characters"] == len(message)


def test_a_message_at_the_limit_is_kept_whole_and_gets_no_note(warm_server):
    marker = f"ref{uuid.uuid4().hex[:10]}"
    message = f"{marker} " + "why " * ((MAX_MESSAGE_CHARACTERS - len(marker) - 1) // 4)
    assert len(message) <= MAX_MESSAGE_CHARACTERS
    assert CUT_NOTE not in over_rest(warm_server, None, message)
    (stored,) = stored_user_events(warm_server.db, marker)
    assert stored["text"] == message.strip() and "cut_from_characters" not in (stored.get("metadata") or {})
