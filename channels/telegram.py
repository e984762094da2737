"""Telegram: Rasa's connector, with the webhook's secret token checked and retries answered once.

Rasa's own connector takes any request to its webhook (it only asks Telegram for the bot's name),
answers an update again when Telegram re-delivers it, leaves a tapped button spinning, and reads
Telegram's "/start" as an unknown intent. Here:
- the webhook is registered at start with a secret token, and a request without that token in
  X-Telegram-Bot-Api-Secret-Token gets a 403 and reaches no conversation;
- an update_id already handled is not answered again;
- a tapped button is acknowledged (answerCallbackQuery) and its payload read as the message;
- /start and /help, which Telegram shows every bot's users, introduce the assistant with topics to
  start from (the intent `start`, as the widget's panel opening) and say what it does;
- the conversation is named by a keyed hash of the chat id, never the id itself
  (channels/conversation_ids.py).
"""

from __future__ import annotations

import hmac
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiogram.bot.api import TelegramAPIServer
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.exceptions import TelegramAPIError
from rasa.core.channels import telegram
from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels.conversation_ids import Readdressed, conversation_id
from channels.deliveries import Deliveries
from channels.formatting import choices, is_phone_link, is_web_link, link_line, split_at_sentences, with_lines
from channels.message_limit import limited
from channels.settings import OffChannel, app_is_on, platform_url

logger = logging.getLogger(__name__)

API_URL = "https://api.telegram.org"
REQUIRED = ("access_token", "secret_token", "webhook_url")
MESSAGE_LIMIT = 4096  # characters of one message's text
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
UPDATES = ["message", "edited_message", "callback_query"]
# "/start@TheBot payload" in a group is read as the command alone
COMMANDS = {"/start": "/start", "/help": "/capabilities"}


class TelegramOutput(telegram.TelegramOutput):
    """Plain text; choices as an inline keyboard, one per row; web links as URL buttons; phone numbers
    as text (a Telegram button cannot dial)."""

    def __init__(self, access_token: str, api_url: str) -> None:
        super().__init__(access_token)
        self.server = TelegramAPIServer.from_base(api_url)

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        for part in split_at_sentences(text, MESSAGE_LIMIT):
            await self.send_message(recipient_id, part)

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        keyboard = InlineKeyboardMarkup()
        for button in choices(buttons):
            keyboard.row(InlineKeyboardButton(button["title"], callback_data=button["payload"]))
        for button in filter(is_web_link, buttons):
            keyboard.row(InlineKeyboardButton(button["title"], url=button["payload"]))
        text = with_lines(text, [link_line(button) for button in buttons if is_phone_link(button)])
        *first, last = split_at_sentences(text, MESSAGE_LIMIT)
        for part in first:
            await self.send_message(recipient_id, part)
        await self.send_message(recipient_id, last, reply_markup=keyboard if keyboard.inline_keyboard else None)


@dataclass
class Incoming:
    chat_id: str
    text: str
    callback_query_id: str | None = None


def incoming(update: dict[str, Any]) -> Incoming | None:
    """What an update says to the assistant, if anything (a sticker or a photo says nothing it can read)."""
    if "callback_query" in update:
        query = update["callback_query"]
        chat = (query.get("message") or {}).get("chat") or query["from"]
        return Incoming(str(chat["id"]), query["data"], query["id"]) if query.get("data") else None
    message = update.get("message") or update.get("edited_message") or {}
    text = message.get("text")
    if not text:
        return None
    command = text.split()[0].split("@")[0]  # "/start@TheBot payload" in a group
    return Incoming(str(message["chat"]["id"]), COMMANDS.get(command, text))


class TelegramInput(telegram.TelegramInput):
    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        if not app_is_on("Telegram", credentials, REQUIRED):
            return OffChannel(cls.name())
        return cls(
            credentials["access_token"],
            credentials["secret_token"],
            credentials["webhook_url"],
            platform_url(credentials, API_URL),
        )

    def __init__(self, access_token: str, secret_token: str, webhook_url: str, api_url: str) -> None:
        super().__init__(access_token, verify=None, webhook_url=webhook_url, debug_mode=False)
        self.secret_token = secret_token
        # One client for the server's life: Rasa's makes one per call, each with its own HTTP session.
        self.output = TelegramOutput(access_token, api_url)
        self.deliveries = Deliveries("telegram")

    def get_output_channel(self) -> TelegramOutput:
        return self.output

    async def register_webhook(self) -> None:
        # A failure is logged, not fatal: the webhook registered last time still works, and the
        # assistant's other channels should not go down with Telegram.
        try:
            await self.output.request(
                "setWebhook",
                {"url": self.webhook_url, "secret_token": self.secret_token, "allowed_updates": json.dumps(UPDATES)},
            )
            logger.info("Telegram sends updates to %s.", self.webhook_url)
        except TelegramAPIError as error:
            logger.error("Could not register the Telegram webhook %s: %s", self.webhook_url, error)

    def signed(self, request: Request) -> bool:
        token = request.headers.get(SECRET_HEADER, "")
        return hmac.compare_digest(token.encode(), self.secret_token.encode())

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        on_new_message = limited(on_new_message)
        blueprint = Blueprint("telegram_webhook", __name__)

        @blueprint.listener("after_server_start")
        async def start(*_: Any) -> None:
            await self.register_webhook()

        @blueprint.listener("before_server_stop")
        async def stop(*_: Any) -> None:
            await self.output.session.close()

        @blueprint.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @blueprint.route("/webhook", methods=["POST"])
        async def webhook(request: Request) -> HTTPResponse:
            if not self.signed(request):
                logger.warning("Rejected a Telegram update without the webhook's secret token.")
                return response.text("The secret token is missing or wrong.", status=403)
            update = request.json
            said = incoming(update) if isinstance(update, dict) else None
            if said is None:
                return response.text("")
            message_id = self.deliveries.message_id(str(update.get("update_id")))
            conversation = conversation_id(self.name(), said.chat_id, self.secret_token)
            if not await self.deliveries.first_time(request.app.ctx.agent, conversation, message_id):
                logger.info("Telegram re-delivered update %s; it was answered already.", update.get("update_id"))
                return response.text("")
            if said.callback_query_id:
                await self.acknowledge(said.callback_query_id)
            message = UserMessage(
                said.text,
                Readdressed(self.output, said.chat_id),
                conversation,
                input_channel=self.name(),
                message_id=message_id,
            )
            try:
                await on_new_message(message)
            except Exception:
                self.deliveries.let_go(message_id)  # so that Telegram's retry is answered
                raise
            return response.text("")

        return blueprint

    async def acknowledge(self, callback_query_id: str) -> None:
        """Stops the tapped button's spinner; the reply itself follows as a message."""
        try:
            await self.output.answer_callback_query(callback_query_id)
        except TelegramAPIError as error:
            logger.warning("Could not acknowledge a Telegram button tap: %s", error)
