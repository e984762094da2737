"""Each app's output driven directly, through its real client to the platform stand-in, for what the
assistant's content does not reach today: link buttons to a web page (only the international crisis
reply has one, and it needs a country that no chat app tells) and answers longer than a message."""

from __future__ import annotations

import asyncio
import json
import random

from fbmessenger import MessengerClient
from twilio.http.async_http_client import AsyncTwilioHttpClient

from channels.facebook import MessengerBot
from channels.slack import SlackBot
from channels.telegram import TelegramOutput
from channels.twilio import TwilioOutput
from tests.channels.conftest import CREDENTIALS
from tests.replies import TOPICS

TEXT = "You matter. People can help right now."
BUTTONS = [
    {"title": "Call Samaritans", "payload": "tel:116123"},
    {"title": "Text Shout", "payload": "sms:85258"},
    {"title": "Find A Helpline", "payload": "https://findahelpline.com"},
    {"title": "Crisis lines", "payload": "/crisis"},
]
PHONE_LINES = "Call Samaritans: 116123\nText Shout: 85258"


def test_telegram_shows_a_web_link_as_a_url_button_and_phone_numbers_as_text(platforms):
    chat_id = str(random.randrange(10**9, 9 * 10**9))
    output = TelegramOutput(CREDENTIALS["TELEGRAM_BOT_TOKEN"], f"{platforms.url}/telegram")

    async def send() -> None:
        await output.send_text_with_buttons(chat_id, TEXT, [dict(button) for button in BUTTONS])
        await output.session.close()

    asyncio.run(send())
    [sent] = platforms.received("telegram", "sendMessage", lambda body: body["chat_id"] == chat_id)
    assert sent["text"] == f"{TEXT}\n\n{PHONE_LINES}"
    rows = json.loads(sent["reply_markup"])["inline_keyboard"]
    assert [button for row in rows for button in row] == [
        {"text": "Crisis lines", "callback_data": "/crisis"},
        {"text": "Find A Helpline", "url": "https://findahelpline.com"},
    ]


def test_slack_shows_a_web_link_as_a_link_button_and_phone_numbers_as_text(platforms):
    channel = f"D{random.getrandbits(40):010X}"
    output = SlackBot(CREDENTIALS["SLACK_BOT_TOKEN"], f"{platforms.url}/slack/api/", channel, None)
    asyncio.run(output.send_text_with_buttons(channel, TEXT, [dict(button) for button in BUTTONS]))
    [sent] = platforms.received("slack", "chat.postMessage", lambda body: body["channel"] == channel)
    assert sent["blocks"][0]["text"] == {"type": "plain_text", "text": f"{TEXT}\n\n{PHONE_LINES}"}
    elements = sent["blocks"][-1]["elements"]
    assert [(element["text"]["text"], element.get("value"), element.get("url")) for element in elements] == [
        ("Crisis lines", "/crisis", None),
        ("Find A Helpline", None, "https://findahelpline.com"),
    ]


def test_messenger_writes_every_link_out_and_offers_only_choices_as_quick_replies(platforms):
    psid = str(random.randrange(10**15, 10**16))
    client = MessengerClient(CREDENTIALS["FACEBOOK_PAGE_ACCESS_TOKEN"])
    client.graph_url = f"{platforms.url}/facebook/v25.0"
    asyncio.run(MessengerBot(client).send_text_with_buttons(psid, TEXT, [dict(button) for button in BUTTONS]))
    [sent] = platforms.received("facebook", "messages", lambda body: body["recipient"]["id"] == psid)
    assert sent["message"]["text"] == f"{TEXT}\n\n{PHONE_LINES}\nFind A Helpline: https://findahelpline.com"
    assert sent["message"]["quick_replies"] == [{"content_type": "text", "title": "Crisis lines", "payload": "/crisis"}]


def test_a_long_sms_answer_is_split_at_sentences_into_twilios_message_size(platforms):
    number = f"+447700{random.randrange(10**6):06d}"
    long_answer = " ".join(topic.detail for topic in TOPICS.values())
    choice = [{"title": "Tell me more", "payload": "/more_detail"}]

    async def send() -> None:
        http_client = AsyncTwilioHttpClient()
        credentials = (CREDENTIALS["TWILIO_ACCOUNT_SID"], CREDENTIALS["TWILIO_AUTH_TOKEN"])
        output = TwilioOutput(credentials, "+14155238886", number, http_client, f"{platforms.url}/twilio")
        await output.send_text_with_buttons("sms_conversation", long_answer, choice)
        await http_client.close()

    asyncio.run(send())
    bodies = [body["Body"] for body in platforms.received("twilio", "Messages.json", lambda body: body["To"] == number)]
    assert len(bodies) > 1 and all(len(body) <= 1600 for body in bodies)
    assert all(body.endswith((".", "!", "?", ")", '"')) for body in bodies[:-1])
    assert " ".join(bodies).split() == f"{long_answer} Reply with a number: 1. Tell me more".split()
