"""Telegram, end to end: updates as Telegram posts them (Bot API "Update" objects) to the real server,
replies read where Telegram would receive them (the stand-in's sendMessage)."""

from __future__ import annotations

import json
import random
from itertools import count

import pytest
import requests

from channels.conversation_ids import conversation_id
from tests.channels.conftest import CREDENTIALS, everything_stored, saved_tracker
from tests.replies import TOPICS, said

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
update_ids = count(random.randrange(10**8, 9 * 10**8))


@pytest.fixture
def chat_id() -> int:
    return random.randrange(10**9, 9 * 10**9)


def person(chat_id: int) -> dict:
    return {"id": chat_id, "is_bot": False, "first_name": "Sam", "language_code": "en"}


def message_update(chat_id: int, text: str) -> dict:
    message = {
        "message_id": random.randrange(1, 10**6),
        "from": person(chat_id),
        "chat": {"id": chat_id, "first_name": "Sam", "type": "private"},
        "date": 1763700000,
        "text": text,
    }
    if text.startswith("/"):
        message["entities"] = [{"offset": 0, "length": len(text.split()[0]), "type": "bot_command"}]
    return {"update_id": next(update_ids), "message": message}


def button_tap(chat_id: int, data: str) -> dict:
    shown = {
        "message_id": random.randrange(1, 10**6),
        "from": {"id": 123456789, "is_bot": True, "first_name": "TRD assistant", "username": "trd_info_bot"},
        "chat": {"id": chat_id, "first_name": "Sam", "type": "private"},
        "date": 1763700000,
        "text": "an earlier reply",
    }
    query = {
        "id": f"{random.getrandbits(63)}",
        "from": person(chat_id),
        "message": shown,
        "chat_instance": "-81",
        "data": data,
    }
    return {"update_id": next(update_ids), "callback_query": query}


def post(rasa, update: dict, secret: str | None = CREDENTIALS["TELEGRAM_SECRET_TOKEN"]) -> requests.Response:
    headers = {SECRET_HEADER: secret} if secret is not None else {}
    return requests.post(f"{rasa.url}/webhooks/telegram/webhook", json=update, headers=headers, timeout=30)


def conversation_of(chat_id: int) -> str:
    return conversation_id("telegram", str(chat_id), CREDENTIALS["TELEGRAM_SECRET_TOKEN"])


def replies(platforms, chat_id: int) -> list[dict]:
    return platforms.received("telegram", "sendMessage", lambda body: body["chat_id"] == str(chat_id))


def keyboard(reply: dict) -> list[dict]:
    markup = json.loads(reply.get("reply_markup") or "{}")
    return [button for row in markup.get("inline_keyboard", []) for button in row]


def test_the_webhook_is_registered_with_its_secret_token_at_start(messaging_rasa, platforms):
    registered = platforms.received("telegram", "setWebhook", lambda body: True)
    assert registered and registered[-1]["url"] == CREDENTIALS["TELEGRAM_WEBHOOK_URL"]
    assert registered[-1]["secret_token"] == CREDENTIALS["TELEGRAM_SECRET_TOKEN"]
    assert "callback_query" in json.loads(registered[-1]["allowed_updates"])


def test_a_question_gets_its_answer_as_plain_text_with_an_inline_keyboard(messaging_rasa, platforms, chat_id):
    assert post(messaging_rasa, message_update(chat_id, "how does electroconvulsive therapy work")).status_code == 200
    [answer] = [reply for reply in replies(platforms, chat_id) if TOPICS["ect"].short in reply["text"]]
    assert answer["text"] == TOPICS["ect"].answer_text
    assert "parse_mode" not in answer  # plain text: nothing Telegram would read as markup
    buttons = keyboard(answer)
    assert {f"/{topic}" for topic in TOPICS["ect"].related} <= {button.get("callback_data") for button in buttons}
    assert all(len(row) == 1 for row in json.loads(answer["reply_markup"])["inline_keyboard"])


def test_a_tapped_button_is_acknowledged_and_answered(messaging_rasa, platforms, chat_id):
    tap = button_tap(chat_id, "/tms")
    assert post(messaging_rasa, tap).status_code == 200
    acknowledged = platforms.received("telegram", "answerCallbackQuery", lambda body: True)
    assert tap["callback_query"]["id"] in [body["callback_query_id"] for body in acknowledged]
    assert any(reply["text"] == TOPICS["tms"].answer_text for reply in replies(platforms, chat_id))


@pytest.mark.parametrize(
    ("command", "reply"),
    [
        ("/start", ["utter_intro", "utter_starters"]),
        ("/start@TheBot hello", ["utter_intro", "utter_starters"]),
        ("/help", ["utter_intro", "utter_capabilities"]),  # as the first message of a chat
    ],
)
def test_telegrams_own_commands_are_answered(messaging_rasa, platforms, chat_id, command, reply):
    post(messaging_rasa, message_update(chat_id, command))
    assert [" ".join(sent["text"].split()) for sent in replies(platforms, chat_id)] == [said(name) for name in reply]


def test_the_crisis_reply_carries_the_numbers_in_text_and_no_dial_button(messaging_rasa, platforms, chat_id):
    post(messaging_rasa, message_update(chat_id, "i want to kill myself"))
    [crisis] = [reply for reply in replies(platforms, chat_id) if reply["text"].startswith("You matter")]
    assert "call or text 988" in crisis["text"] and "911" in crisis["text"]
    assert "Call 988 Suicide & Crisis Lifeline: 988" in crisis["text"]
    sent_back = [button.get("callback_data", "") for button in keyboard(crisis)]
    assert not any(data.startswith(("tel:", "sms:", "http")) for data in sent_back)


@pytest.mark.parametrize("secret", [None, "not-the-secret"])
def test_an_update_without_the_secret_token_is_refused_and_answered_by_nobody(
    messaging_rasa, platforms, chat_id, secret
):
    response = post(messaging_rasa, message_update(chat_id, "what is tms"), secret=secret)
    assert response.status_code == 403
    assert replies(platforms, chat_id) == []
    events = messaging_rasa.tracker(conversation_of(chat_id))["events"]
    assert [event for event in events if event["event"] == "user"] == []


def test_a_redelivered_update_is_answered_once(messaging_rasa, platforms, chat_id):
    update = message_update(chat_id, "what is ketamine")
    post(messaging_rasa, update)
    answered = len(replies(platforms, chat_id))
    assert answered >= 1
    assert post(messaging_rasa, update).status_code == 200
    assert len(replies(platforms, chat_id)) == answered


def test_the_conversation_is_named_by_a_keyed_hash_and_the_chat_id_is_stored_nowhere(
    messaging_rasa, platforms, chat_id
):
    post(messaging_rasa, message_update(chat_id, "i want to kill myself"))
    assert replies(platforms, chat_id)
    tracker = saved_tracker(messaging_rasa, conversation_of(chat_id), "i want to kill myself")
    assert tracker["slots"]["crisis_flagged"] is True
    assert str(chat_id) not in everything_stored(messaging_rasa)
    # Knowing the chat id is not enough to read the conversation through another channel
    assert messaging_rasa.tracker(str(chat_id))["slots"]["crisis_flagged"] is not True
