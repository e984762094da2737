"""Slack, end to end: Events API and interactivity requests as Slack posts them (signed with the app's
signing secret), replies read where Slack would receive them (the stand-in's chat.postMessage)."""

from __future__ import annotations

import hashlib
import hmac
import json
import random
import time
from urllib.parse import urlencode

import pytest
import requests

from channels.conversation_ids import conversation_id
from tests.channels.conftest import CREDENTIALS, everything_stored, saved_tracker
from tests.replies import TOPICS

TEAM, BOT_USER = "T061EG9R6", "U0BOTUSER1"


@pytest.fixture
def person() -> tuple[str, str]:
    """A Slack user and their direct-message channel with the app."""
    return f"U{random.getrandbits(40):010X}", f"D{random.getrandbits(40):010X}"


def signed_headers(body: str, secret: str = CREDENTIALS["SLACK_SIGNING_SECRET"], at: float | None = None) -> dict:
    timestamp = str(int(at or time.time()))
    digest = hmac.new(secret.encode(), f"v0:{timestamp}:{body}".encode(), hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": timestamp, "X-Slack-Signature": f"v0={digest}"}


def event(user: str, channel: str, text: str) -> dict:
    ts = f"{time.time():.6f}"
    return {
        "token": "Jhj5dZrVaK7ZwHHjRyZWjbDl",
        "team_id": TEAM,
        "api_app_id": "A0PNCHHK2",
        "event": {
            "type": "message",
            "client_msg_id": f"{random.getrandbits(64):016x}",
            "user": user,
            "text": text,
            "ts": ts,
            "team": TEAM,
            "channel": channel,
            "event_ts": ts,
            "channel_type": "im",
        },
        "type": "event_callback",
        "event_id": f"Ev{random.getrandbits(40):010X}",
        "event_time": int(time.time()),
        "authorizations": [{"enterprise_id": None, "team_id": TEAM, "user_id": BOT_USER, "is_bot": True}],
        "is_ext_shared_channel": False,
    }


def post_event(rasa, body: dict, headers: dict | None = None, secret: str | None = None) -> requests.Response:
    text = json.dumps(body)
    headers = {**(signed_headers(text, secret) if secret else signed_headers(text)), **(headers or {})}
    return requests.post(
        f"{rasa.url}/webhooks/slack/webhook",
        data=text,
        headers={"Content-Type": "application/json", **headers},
        timeout=30,
    )


def post_tap(rasa, user: str, channel: str, value: str) -> requests.Response:
    payload = {
        "type": "block_actions",
        "user": {"id": user, "username": "sam", "team_id": TEAM},
        "api_app_id": "A0PNCHHK2",
        "token": "Jhj5dZrVaK7ZwHHjRyZWjbDl",
        "container": {
            "type": "message",
            "message_ts": "1763700000.000300",
            "channel_id": channel,
            "is_ephemeral": False,
        },
        "trigger_id": f"{random.getrandbits(40)}.{random.getrandbits(40)}",
        "team": {"id": TEAM, "domain": "example"},
        "channel": {"id": channel, "name": "directmessage"},
        "message": {"type": "message", "user": BOT_USER, "ts": "1763700000.000300", "text": "an earlier reply"},
        "response_url": "https://hooks.slack.com/actions/T061EG9R6/1/abc",
        "actions": [
            {
                "action_id": "0Qw",
                "block_id": "b1",
                "text": {"type": "plain_text", "text": "a topic"},
                "value": value,
                "type": "button",
                "action_ts": f"{time.time():.6f}",
            }
        ],
    }
    body = urlencode({"payload": json.dumps(payload)})
    return requests.post(
        f"{rasa.url}/webhooks/slack/webhook",
        data=body,
        headers={"Content-Type": "application/x-www-form-urlencoded", **signed_headers(body)},
        timeout=30,
    )


def replies(platforms, channel: str, count: int = 1) -> list[dict]:
    return platforms.wait_for("slack", "chat.postMessage", lambda body: body["channel"] == channel, count)


def shown_text(reply: dict) -> str:
    return "\n\n".join(block["text"]["text"] for block in reply["blocks"] if block["type"] == "section")


def buttons(reply: dict) -> list[dict]:
    return [element for block in reply["blocks"] if block["type"] == "actions" for element in block["elements"]]


def answer_to(platforms, channel: str, opening: str) -> dict:
    found = platforms.wait_for(
        "slack", "chat.postMessage", lambda body: body["channel"] == channel and shown_text(body).startswith(opening)
    )
    assert found, f"no reply starting {opening!r}"
    return found[0]


def test_slacks_url_check_gets_its_challenge_back(messaging_rasa):
    check = {
        "token": "Jhj5dZrVaK7ZwHHjRyZWjbDl",
        "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P",
        "type": "url_verification",
    }
    response = post_event(messaging_rasa, check)
    assert response.status_code == 200 and response.json() == {"challenge": check["challenge"]}


def test_a_direct_message_gets_its_answer_in_plain_text_blocks_with_buttons(messaging_rasa, platforms, person):
    user, channel = person
    assert (
        post_event(messaging_rasa, event(user, channel, "how does electroconvulsive therapy work")).status_code == 200
    )
    answer = answer_to(platforms, channel, TOPICS["ect"].short)
    assert shown_text(answer) == TOPICS["ect"].answer_text
    assert all(block["text"]["type"] == "plain_text" for block in answer["blocks"] if block["type"] == "section")
    assert {f"/{topic}" for topic in TOPICS["ect"].related} <= {button.get("value") for button in buttons(answer)}


def test_a_tapped_button_is_answered(messaging_rasa, platforms, person):
    user, channel = person
    assert post_tap(messaging_rasa, user, channel, "/tms").status_code == 200
    assert shown_text(answer_to(platforms, channel, TOPICS["tms"].short)) == TOPICS["tms"].answer_text


def test_the_crisis_reply_carries_the_numbers_in_text_and_no_button_that_sends_them(messaging_rasa, platforms, person):
    user, channel = person
    post_event(messaging_rasa, event(user, channel, "i want to kill myself"))
    crisis = answer_to(platforms, channel, "You matter")
    assert "call or text 988" in shown_text(crisis) and "Call 911 (emergency): 911" in shown_text(crisis)
    assert not any(button.get("value", "").startswith(("tel:", "sms:", "http")) for button in buttons(crisis))


@pytest.mark.parametrize("wrong", ["secret", "timestamp", "unsigned"])
def test_a_badly_signed_request_is_refused_and_answered_by_nobody(messaging_rasa, platforms, person, wrong):
    user, channel = person
    body = event(user, channel, "what is tms")
    text = json.dumps(body)
    headers = {
        "secret": signed_headers(text, secret="0" * 32),
        "timestamp": signed_headers(text, at=time.time() - 3600),  # a replayed request
        "unsigned": {},
    }[wrong]
    response = requests.post(
        f"{messaging_rasa.url}/webhooks/slack/webhook",
        data=text,
        headers={"Content-Type": "application/json", **headers},
        timeout=30,
    )
    assert 400 <= response.status_code < 500
    # Messages of one conversation are handled in turn: once a later, well signed message is answered,
    # an answer to the refused one would have come before it.
    post_event(messaging_rasa, event(user, channel, "what is ect"))
    answer_to(platforms, channel, TOPICS["ect"].short)
    assert not any(TOPICS["tms"].short in shown_text(reply) for reply in replies(platforms, channel))


def test_a_retried_event_is_answered_once(messaging_rasa, platforms, person):
    user, channel = person
    body = event(user, channel, "what is ketamine")
    post_event(messaging_rasa, body)
    answer_to(platforms, channel, TOPICS["ketamine"].short)
    retry = post_event(messaging_rasa, body, headers={"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_error"})
    assert retry.status_code == 200
    # as above: a second answer to the retry would have come before the answer to the next message
    post_event(messaging_rasa, event(user, channel, "what is tms"))
    answer_to(platforms, channel, TOPICS["tms"].short)
    answers = platforms.received(
        "slack", "chat.postMessage", lambda b: b["channel"] == channel and TOPICS["ketamine"].short in shown_text(b)
    )
    assert len(answers) == 1


def test_the_conversation_is_named_by_a_keyed_hash_and_neither_member_nor_channel_id_is_stored(
    messaging_rasa, platforms, person
):
    user, channel = person
    post_event(messaging_rasa, event(user, channel, "i want to kill myself"))
    assert replies(platforms, channel)
    conversation = conversation_id("slack", user, CREDENTIALS["SLACK_SIGNING_SECRET"])
    assert saved_tracker(messaging_rasa, conversation, "i want to kill myself")["slots"]["crisis_flagged"] is True
    stored = everything_stored(messaging_rasa)
    assert user not in stored and channel not in stored  # neither the conversation's id nor a message's
    assert messaging_rasa.tracker(user)["slots"]["crisis_flagged"] is not True
