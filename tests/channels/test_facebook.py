"""Facebook Messenger, end to end: webhook events as Meta posts them (signed with X-Hub-Signature-256),
replies read where Meta would receive them (the stand-in's Send API, /me/messages)."""

from __future__ import annotations

import hashlib
import hmac
import json
import random
import time

import pytest
import requests

from channels.conversation_ids import conversation_id
from tests.channels.conftest import CREDENTIALS, everything_stored, saved_tracker
from tests.replies import TOPICS

PAGE_ID = "1067280970047460"


@pytest.fixture
def psid() -> str:
    """A person's page-scoped id."""
    return str(random.randrange(10**15, 10**16))


def messaging(psid: str, **content: dict) -> dict:
    return {"sender": {"id": psid}, "recipient": {"id": PAGE_ID}, "timestamp": int(time.time() * 1000), **content}


def text_message(psid: str, text: str, quick_reply: str | None = None) -> dict:
    message = {"mid": f"m_{random.getrandbits(128):032x}", "text": text}
    if quick_reply:
        message["quick_reply"] = {"payload": quick_reply}
    return messaging(psid, message=message)


def page_event(*events: dict) -> dict:
    return {"object": "page", "entry": [{"id": PAGE_ID, "time": int(time.time() * 1000), "messaging": list(events)}]}


def signed(body: str, secret: str = CREDENTIALS["FACEBOOK_APP_SECRET"]) -> str:
    return "sha256=" + hmac.new(secret.encode(), body.encode(), hashlib.sha256).hexdigest()


def post(rasa, body: dict, signature: str | None = None, header: str = "X-Hub-Signature-256") -> requests.Response:
    text = json.dumps(body)
    headers = {"Content-Type": "application/json", header: signed(text) if signature is None else signature}
    return requests.post(f"{rasa.url}/webhooks/facebook/webhook", data=text, headers=headers, timeout=30)


def replies(platforms, psid: str) -> list[dict]:
    return platforms.received(
        "facebook", "messages", lambda body: body["recipient"]["id"] == psid and "message" in body
    )


def answer_to(platforms, psid: str, opening: str) -> dict:
    found = [reply for reply in replies(platforms, psid) if reply["message"]["text"].startswith(opening)]
    assert found, f"no reply starting {opening!r}"
    return found[0]


def test_the_subscription_check_gets_its_challenge_back_with_the_right_token_only(messaging_rasa):
    url = f"{messaging_rasa.url}/webhooks/facebook/webhook"
    check = {
        "hub.mode": "subscribe",
        "hub.challenge": "1158201444",
        "hub.verify_token": CREDENTIALS["FACEBOOK_VERIFY_TOKEN"],
    }
    accepted = requests.get(url, params=check, timeout=10)
    assert accepted.status_code == 200 and accepted.text == "1158201444"
    assert requests.get(url, params={**check, "hub.verify_token": "guess"}, timeout=10).status_code == 403


def test_a_question_gets_its_answer_with_quick_replies(messaging_rasa, platforms, psid):
    assert (
        post(messaging_rasa, page_event(text_message(psid, "how does electroconvulsive therapy work"))).status_code
        == 200
    )
    answer = answer_to(platforms, psid, TOPICS["ect"].short)["message"]
    assert answer["text"] == TOPICS["ect"].answer_text
    quick = answer["quick_replies"]
    assert {f"/{topic}" for topic in TOPICS["ect"].related} <= {reply["payload"] for reply in quick}
    assert all(reply["content_type"] == "text" and len(reply["title"]) <= 20 for reply in quick)
    actions = platforms.received(
        "facebook", "messages", lambda body: body["recipient"]["id"] == psid and "sender_action" in body
    )
    assert {"mark_seen", "typing_on", "typing_off"} <= {body["sender_action"] for body in actions}


def test_a_tapped_quick_reply_and_a_postback_are_answered(messaging_rasa, platforms, psid):
    post(messaging_rasa, page_event(text_message(psid, "TMS", quick_reply="/tms")))
    assert answer_to(platforms, psid, TOPICS["tms"].short)["message"]["text"] == TOPICS["tms"].answer_text
    postback = messaging(psid, postback={"mid": f"m_{random.getrandbits(64):x}", "title": "ECT", "payload": "/ect"})
    post(messaging_rasa, page_event(postback))
    assert answer_to(platforms, psid, TOPICS["ect"].short)


def test_every_message_of_a_batch_is_answered(messaging_rasa, platforms, psid):
    other = str(int(psid) + 1)
    post(messaging_rasa, page_event(text_message(psid, "what is tms"), text_message(other, "what is ect")))
    assert answer_to(platforms, psid, TOPICS["tms"].short) and answer_to(platforms, other, TOPICS["ect"].short)


def test_the_crisis_reply_carries_the_numbers_in_text(messaging_rasa, platforms, psid):
    post(messaging_rasa, page_event(text_message(psid, "i want to kill myself")))
    crisis = answer_to(platforms, psid, "You matter")["message"]
    assert "call or text 988" in crisis["text"] and "Call 911 (emergency): 911" in crisis["text"]
    assert not any(reply["payload"].startswith(("tel:", "sms:", "http")) for reply in crisis.get("quick_replies", []))


@pytest.mark.parametrize("wrong", ["secret", "sha1 only", "unsigned"])
def test_a_badly_signed_request_is_refused_and_answered_by_nobody(messaging_rasa, platforms, psid, wrong):
    body = page_event(text_message(psid, "what is tms"))
    text = json.dumps(body)
    if wrong == "secret":
        response = post(messaging_rasa, body, signature=signed(text, secret="0" * 32))
    elif wrong == "sha1 only":  # the old header Rasa's connector reads
        sha1 = "sha1=" + hmac.new(CREDENTIALS["FACEBOOK_APP_SECRET"].encode(), text.encode(), hashlib.sha1).hexdigest()
        response = post(messaging_rasa, body, signature=sha1, header="X-Hub-Signature")
    else:
        response = post(messaging_rasa, body, signature="")
    assert response.status_code == 403
    assert replies(platforms, psid) == []


def test_a_redelivered_message_is_answered_once(messaging_rasa, platforms, psid):
    body = page_event(text_message(psid, "what is ketamine"))
    post(messaging_rasa, body)
    answered = len(replies(platforms, psid))
    assert answered >= 1
    assert post(messaging_rasa, body).status_code == 200
    assert len(replies(platforms, psid)) == answered


def test_the_conversation_is_named_by_a_keyed_hash_and_the_page_scoped_id_is_stored_nowhere(
    messaging_rasa, platforms, psid
):
    post(messaging_rasa, page_event(text_message(psid, "i want to kill myself")))
    assert replies(platforms, psid)
    conversation = conversation_id("facebook", psid, CREDENTIALS["FACEBOOK_APP_SECRET"])
    assert saved_tracker(messaging_rasa, conversation, "i want to kill myself")["slots"]["crisis_flagged"] is True
    assert psid not in everything_stored(messaging_rasa)
    assert messaging_rasa.tracker(psid)["slots"]["crisis_flagged"] is not True
