"""Facebook Messenger: Rasa's connector, with the app-secret signature checked as Meta requires now.

Rasa's connector checks the old SHA-1 X-Hub-Signature and answers a bad one with a 200 "not
validated"; it handles only the first message of a batch, answers a re-delivered message again, and
sends with a blocking client through a Graph API version Meta has retired. Here:
- a request without a valid X-Hub-Signature-256 (HMAC-SHA256 of the body with the app secret) gets a
  403 and reaches no conversation;
- every message of a batch is handled, and a message id (mid) already handled is not answered again;
- choices become quick replies (at most 13, titles cut to Messenger's 20 characters), links are
  written out in the text (Messenger makes them tappable), long texts are split at sentences into
  Messenger's 2,000-character messages;
- sends happen off the event loop, so one slow call to Meta does not hold up every other chat;
- the conversation is named by a keyed hash of the page-scoped id, never the id itself
  (channels/conversation_ids.py).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import requests
from fbmessenger import MessengerClient
from rasa.core.channels import facebook
from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels.conversation_ids import Readdressed, conversation_id
from channels.deliveries import Deliveries
from channels.formatting import choices, is_link, link_line, split_at_sentences, with_lines
from channels.message_limit import limited
from channels.settings import OffChannel, app_is_on, platform_url

logger = logging.getLogger(__name__)

API_URL = "https://graph.facebook.com/v25.0"
REQUIRED = ("verify", "secret", "page-access-token")
MESSAGE_LIMIT = 2000  # characters of one message's text
QUICK_REPLIES_LIMIT = 13
TITLE_LIMIT = 20  # characters of a quick reply's title
SIGNATURE_HEADER = "X-Hub-Signature-256"


def quick_reply(button: dict[str, Any]) -> dict[str, Any]:
    title = button["title"] if len(button["title"]) <= TITLE_LIMIT else button["title"][: TITLE_LIMIT - 1] + "…"
    return {"content_type": "text", "title": title, "payload": button["payload"]}


class MessengerBot(facebook.MessengerBot):
    async def call(self, send: Callable[..., dict[str, Any]], *arguments: Any) -> None:
        """A call to the Send API, off the event loop; a failure is logged, as Meta will not retry it."""
        try:
            answer = await asyncio.to_thread(send, *arguments)
        except requests.RequestException as error:
            answer = {"error": str(error)}
        if "error" in answer:
            logger.error("Messenger did not take a message or action: %s", answer["error"])

    async def post(self, recipient_id: str, message: dict[str, Any]) -> None:
        await self.call(self.messenger_client.send, message, recipient_id, "RESPONSE")

    async def send_action(self, recipient_id: str, sender_action: str) -> None:
        await self.call(self.messenger_client.send_action, sender_action, recipient_id)

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        await self.send_text_with_buttons(recipient_id, text, [])

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        text = with_lines(text, [link_line(button) for button in buttons if is_link(button)])
        *first, last = split_at_sentences(text, MESSAGE_LIMIT)
        for part in first:
            await self.post(recipient_id, {"text": part})
        offered = [quick_reply(button) for button in choices(buttons)[:QUICK_REPLIES_LIMIT]]
        await self.post(recipient_id, {"text": last, **({"quick_replies": offered} if offered else {})})

    async def send_quick_replies(
        self, recipient_id: str, text: str, quick_replies: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        await self.send_text_with_buttons(recipient_id, text, quick_replies)


@dataclass
class Incoming:
    sender_id: str
    text: str
    mid: str


def incoming(event: dict[str, Any]) -> Incoming | None:
    """What one messaging event says to the assistant: a tapped quick reply, a text, or a postback."""
    message, postback = event.get("message") or {}, event.get("postback") or {}
    if message.get("is_echo"):
        return None  # the page's own replies, sent back to the webhook
    text = (message.get("quick_reply") or {}).get("payload") or message.get("text") or postback.get("payload")
    mid = message.get("mid") or postback.get("mid")
    return Incoming(event["sender"]["id"], text, mid) if text and mid else None


class FacebookInput(facebook.FacebookInput):
    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        if not app_is_on("Messenger", credentials, REQUIRED):
            return OffChannel(cls.name())
        return cls(
            credentials["verify"],
            credentials["secret"],
            credentials["page-access-token"],
            platform_url(credentials, API_URL),
        )

    def __init__(self, fb_verify: str, fb_secret: str, fb_access_token: str, api_url: str) -> None:
        super().__init__(fb_verify, fb_secret, fb_access_token)
        self.client = MessengerClient(fb_access_token)
        self.client.graph_url = api_url
        self.output = MessengerBot(self.client)
        self.deliveries = Deliveries("facebook")

    def get_output_channel(self) -> MessengerBot:
        return self.output

    def signed(self, request: Request) -> bool:
        expected = "sha256=" + hmac.new(self.fb_secret.encode(), request.body, hashlib.sha256).hexdigest()
        return hmac.compare_digest(request.headers.get(SIGNATURE_HEADER, "").encode(), expected.encode())

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        on_new_message = limited(on_new_message)
        blueprint = Blueprint("fb_webhook", __name__)

        @blueprint.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @blueprint.route("/webhook", methods=["GET"])
        async def subscription_check(request: Request) -> HTTPResponse:
            token = request.args.get("hub.verify_token", "")
            if request.args.get("hub.mode") == "subscribe" and hmac.compare_digest(
                token.encode(), self.fb_verify.encode()
            ):
                return response.text(request.args.get("hub.challenge", ""))
            logger.warning("Rejected a Messenger subscription check with a wrong verify token.")
            return response.text("The verify token is wrong.", status=403)

        @blueprint.route("/webhook", methods=["POST"])
        async def webhook(request: Request) -> HTTPResponse:
            if not self.signed(request):
                logger.warning("Rejected a Messenger request without a valid X-Hub-Signature-256.")
                return response.text("The signature is missing or wrong.", status=403)
            body = request.json if isinstance(request.json, dict) else {}
            events = [event for entry in body.get("entry", []) for event in entry.get("messaging", [])]
            for said in filter(None, map(incoming, events)):
                await self.handle(request, said, on_new_message)
            return response.text("EVENT_RECEIVED")

        return blueprint

    async def handle(
        self, request: Request, said: Incoming, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> None:
        message_id = self.deliveries.message_id(said.mid)
        conversation = conversation_id(self.name(), said.sender_id, self.fb_secret)
        if not await self.deliveries.first_time(request.app.ctx.agent, conversation, message_id):
            logger.info("Messenger re-delivered %s; it was answered already.", said.mid)
            return
        await asyncio.gather(
            self.output.send_action(said.sender_id, "mark_seen"), self.output.send_action(said.sender_id, "typing_on")
        )
        message = UserMessage(
            said.text,
            Readdressed(self.output, said.sender_id),
            conversation,
            input_channel=self.name(),
            message_id=message_id,
        )
        try:
            await on_new_message(message)
        except Exception:
            self.deliveries.let_go(message_id)  # so that Meta's retry is answered
            raise
        finally:
            await self.output.send_action(said.sender_id, "typing_off")
