"""The widget's conversations belong to their owner: the server issues each session id, signed; a
socket can resume only a session it was given, and its messages go to its own conversation only."""

from __future__ import annotations

import time
import uuid

from channels.socketio import signed
from tests.replies import texts
from tests.widget_socket import widget_socket

GREETING = "hi"


def stored_texts(rasa, conversation_id: str) -> list[str]:
    events = rasa.tracker(conversation_id)["events"]
    return [event.get("text") for event in events if event["event"] == "user"]


def test_the_server_issues_a_signed_session_id_and_resumes_it(rasa):
    with widget_socket(rasa) as first:
        assert first.say(GREETING)
    conversation_id, signature = first.session_id.split(".")
    assert len(conversation_id) == 32 and len(signature) == 32
    with widget_socket(rasa, session_id=first.session_id) as again:
        assert again.session_id == first.session_id
        again.say("what is trd")
    assert stored_texts(rasa, first.conversation_id) == [GREETING, "what is trd"]


def test_a_session_id_the_client_made_up_is_not_taken(rasa):
    chosen = uuid.uuid4().hex
    with widget_socket(rasa, session_id=chosen) as socket:
        assert socket.conversation_id != chosen
        socket.say(GREETING)
    assert stored_texts(rasa, chosen) == []


def test_no_one_can_join_another_persons_conversation_with_its_id_or_a_forged_signature(rasa):
    with widget_socket(rasa) as owner:
        owner.say(GREETING)
        for attempt in (owner.conversation_id, signed(owner.conversation_id, "not-the-servers-secret")):
            with widget_socket(rasa, session_id=attempt) as intruder:
                assert intruder.conversation_id != owner.conversation_id
                owner.say("i want to kill myself")
                time.sleep(0.5)
                assert intruder.replies == [], "another person's live replies reached this socket"


def test_a_message_naming_another_conversation_goes_to_the_senders_own(rasa):
    with widget_socket(rasa) as owner:
        owner.say(GREETING)
    with widget_socket(rasa) as intruder:
        intruder.send("written into someone else's conversation?", session_id=owner.session_id)
        deadline = time.monotonic() + 30
        while not intruder.replies and time.monotonic() < deadline:
            time.sleep(0.1)
        assert texts(intruder.replies), "the sender gets the reply, on its own socket"
    assert stored_texts(rasa, owner.conversation_id) == [GREETING]
    assert stored_texts(rasa, intruder.conversation_id) == ["written into someone else's conversation?"]
