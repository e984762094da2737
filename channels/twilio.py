"""SMS and WhatsApp through Twilio: Rasa's connector, with Twilio's signature checked.

Rasa's connector takes any request to its webhook, answers a re-delivered message again, and sends
replies with Twilio's blocking client. Here:
- a request without a valid X-Twilio-Signature (an HMAC of the public webhook URL and the form, with
  the account's auth token) gets a 403 and reaches no conversation;
- a MessageSid already handled is not answered again;
- the country of the sender's number goes to the NLU as metadata, for the crisis lines;
- buttons become numbered choices, and a reply with a number is read as that choice;
- the reply comes from the number the person wrote to, so one webhook serves an SMS number and a
  WhatsApp sender alike ("whatsapp:+1..." addresses);
- the conversation is not named after the person's phone number, which the conversation store must
  not hold, but after a keyed hash of it ("sms_4f0c..."): the same number always finds its
  conversation (and its crisis flag), and the store reveals no number. The key is the auth token,
  so a new auth token starts new conversations;
- long texts are split at sentences into Twilio's 1,600-character messages.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qs

from rasa.core.channels import twilio
from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request, RequestParameters
from sanic.response import HTTPResponse
from twilio.base.exceptions import TwilioRestException
from twilio.http.async_http_client import AsyncTwilioHttpClient
from twilio.request_validator import RequestValidator

from channels.conversation_ids import conversation_id
from channels.country import WHATSAPP_PREFIX, country_of
from channels.deliveries import Deliveries
from channels.formatting import is_link, link_line, split_at_sentences, with_lines
from channels.message_limit import limited
from channels.numbered_choices import as_chosen, numbered
from channels.settings import OffChannel, app_is_on, platform_url

logger = logging.getLogger(__name__)

API_URL = "https://api.twilio.com"
REQUIRED = ("account_sid", "auth_token", "webhook_url")
MESSAGE_LIMIT = 1600  # characters of one message's body
SIGNATURE_HEADER = "X-Twilio-Signature"
# Twilio's client logs every request at INFO; its failures are what is worth a line here.
logging.getLogger("twilio.async_http_client").setLevel(logging.WARNING)

NO_REPLY = '<?xml version="1.0" encoding="UTF-8"?><Response/>'  # the replies go out through the API


def form_as_sent(request: Request) -> RequestParameters:
    """The form with its empty fields: Twilio signs them ("FromZip=", "FromCity="), and Sanic's
    `request.form` drops them, so a genuine request would fail the check against that."""
    return RequestParameters(parse_qs(request.body.decode("utf-8", errors="replace"), keep_blank_values=True))


class TwilioOutput(twilio.TwilioOutput):
    """One turn's replies to one person, from the number they wrote to.

    Rasa addresses replies to the conversation, which is not named after the person's number, so
    the output knows the number itself."""

    def __init__(
        self,
        credentials: tuple[str, str],
        our_number: str,
        their_number: str,
        http_client: AsyncTwilioHttpClient,
        api_url: str,
    ) -> None:
        super().__init__(*credentials, our_number)
        self.their_number = their_number
        self.http_client = http_client
        self.api.base_url = api_url
        self.choices_so_far = 0

    async def _send_message(self, message_data: dict[str, Any]) -> None:
        try:
            await self.messages.create_async(**message_data)
        except TwilioRestException as error:
            logger.error("Twilio did not take a reply: %s", error)

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        for part in split_at_sentences(text, MESSAGE_LIMIT):
            await self._send_message({"to": self.their_number, "from_": self.twilio_number, "body": part})

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        offered = numbered(buttons, first_number=self.choices_so_far + 1)
        self.choices_so_far += len(offered)
        if offered:
            text = with_lines(text, ["Reply with a number:", *offered])
        links = [link_line(button) for button in buttons if is_link(button)]
        await self.send_text_message(recipient_id, with_lines(text, links))


class TwilioInput(twilio.TwilioInput):
    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        if not app_is_on("Twilio", credentials, REQUIRED):
            return OffChannel(cls.name())
        return cls(
            credentials["account_sid"],
            credentials["auth_token"],
            credentials["webhook_url"],
            platform_url(credentials, API_URL),
        )

    def __init__(self, account_sid: str, auth_token: str, webhook_url: str, api_url: str) -> None:
        super().__init__(account_sid, auth_token, twilio_number=None, debug_mode=False)
        # Twilio signs the URL it was given, which behind a proxy is not the one this server sees.
        self.webhook_url = webhook_url
        self.api_url = api_url
        self.validator = RequestValidator(auth_token)
        self.deliveries = Deliveries("twilio")
        self.http_client: AsyncTwilioHttpClient | None = None

    def output_for(self, request: Request) -> TwilioOutput:
        credentials = (self.account_sid, self.auth_token)
        return TwilioOutput(credentials, request.form["To"], request.form["From"], self.http_client, self.api_url)

    def conversation_id(self, address: str) -> str:
        kind = "whatsapp" if address.startswith(WHATSAPP_PREFIX) else "sms"
        return conversation_id(kind, address, self.auth_token)

    def signed(self, request: Request) -> bool:
        signature = request.headers.get(SIGNATURE_HEADER, "")
        return self.validator.validate(self.webhook_url, form_as_sent(request), signature)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        on_new_message = limited(on_new_message)
        blueprint = Blueprint("twilio_webhook", __name__)

        @blueprint.listener("after_server_start")
        async def start(*_: Any) -> None:
            # One HTTP session for the server's life, made inside its event loop.
            self.http_client = AsyncTwilioHttpClient()

        @blueprint.listener("before_server_stop")
        async def stop(*_: Any) -> None:
            await self.http_client.close()

        @blueprint.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @blueprint.route("/webhook", methods=["POST"])
        async def webhook(request: Request) -> HTTPResponse:
            if not self.signed(request):
                logger.warning("Rejected a Twilio request without a valid signature.")
                return response.text("The signature is missing or wrong.", status=403)
            sender, text, sid = (request.form.get(key) for key in ("From", "Body", "MessageSid"))
            if not (sender and text and sid):
                return response.text(NO_REPLY, content_type="text/xml")  # a picture or a location
            agent, conversation_id = request.app.ctx.agent, self.conversation_id(sender)
            message_id = self.deliveries.message_id(sid)
            if not await self.deliveries.first_time(agent, conversation_id, message_id):
                logger.info("Twilio re-delivered %s; it was answered already.", sid)
                return response.text(NO_REPLY, content_type="text/xml")
            country = country_of(sender)
            message = UserMessage(
                await as_chosen(agent, conversation_id, text.replace("¡", "@")),  # some carriers turn @ into ¡
                self.output_for(request),
                conversation_id,
                input_channel=self.name(),
                message_id=message_id,
                metadata={"country": country} if country else None,
            )
            try:
                await on_new_message(message)
            except Exception:
                self.deliveries.let_go(message_id)  # so that Twilio's retry is answered
                raise
            return response.text(NO_REPLY, content_type="text/xml")

        return blueprint
