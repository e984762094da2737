"""Slack: Rasa's connector (which checks Slack's signing secret), with retries answered once.

Rasa's connector drops Slack's retries only when Slack says it timed out, and answers any other
retry again; it also answers a message twice when Slack sends it both as a message and as an
app_mention. Here a message is answered once, whatever Slack re-sends: its channel and time stamp
identify it. Rasa's answer to Slack's URL check (a JSON string) is not what Slack asks for; here it
is {"challenge": ...}, after the signature check like everything else. The conversation is named by
a keyed hash of the member id, never the id itself, and the message's delivery id (which holds a
direct message's channel id) is stored as a keyed hash too (channels/conversation_ids.py).

Replies are Block Kit: the text as plain_text sections (Slack would read *, _ and <...> in a plain
message as formatting), choices as buttons, web links as link buttons, phone numbers as text.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from http import HTTPStatus
from typing import Any

from rasa.core.channels import slack
from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from slack_sdk.web.async_client import AsyncWebClient

from channels.conversation_ids import Readdressed, conversation_id, keyed_digest
from channels.deliveries import Deliveries
from channels.failures import answered_if_failed
from channels.formatting import choices, is_phone_link, is_web_link, link_line, split_at_sentences, with_lines
from channels.message_limit import limited
from channels.settings import OffChannel, app_is_on, platform_url

logger = logging.getLogger(__name__)

API_URL = "https://slack.com/api/"
REQUIRED = ("slack_token", "slack_signing_secret")
SECTION_LIMIT = 3000  # characters of a section block's text
BUTTONS_LIMIT = 25  # elements of an actions block
ADDRESSES = ("out_channel", "users")  # of Rasa's metadata for a Slack message


def escaped(text: str) -> str:
    """Text for Slack's `text` field, which reads &, < and > as markup."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def button(title: str, **target: str) -> dict[str, Any]:
    return {"type": "button", "text": {"type": "plain_text", "text": title[:75]}, **target}


class SlackBot(slack.SlackBot):
    def __init__(self, token: str, api_url: str, slack_channel: str | None, thread_id: str | None) -> None:
        super().__init__(token, slack_channel, thread_id)
        self.client = AsyncWebClient(token, base_url=api_url)

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        await self.send_text_with_buttons(recipient_id, text, [])

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        text = with_lines(text, [link_line(item) for item in buttons if is_phone_link(item)])
        blocks = [
            {"type": "section", "text": {"type": "plain_text", "text": part}}
            for part in split_at_sentences(text, SECTION_LIMIT)
        ]
        elements = [button(item["title"], value=item["payload"]) for item in choices(buttons)]
        elements += [button(item["title"], url=item["payload"]) for item in buttons if is_web_link(item)]
        if elements:
            blocks.append({"type": "actions", "elements": elements[:BUTTONS_LIMIT]})
        # `text` is what notifications and screen readers show when there are blocks.
        await self._post_message(channel=self.slack_channel or recipient_id, text=escaped(text), blocks=blocks)


def delivery(request: Request) -> str:
    """What identifies a message across Slack's re-sends: its channel and time stamp, or a tap's time.
    A direct message's channel is the member's own, so this is stored only as a keyed digest."""
    if request.headers.get("content-type") == "application/json":
        event = request.json.get("event", {})
        return f"{event.get('channel')}_{event.get('ts')}"
    return f"tap_{json.loads(request.form['payload'][0])['actions'][0].get('action_ts')}"


class SlackInput(slack.SlackInput):
    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        if not app_is_on("Slack", credentials, REQUIRED):
            return OffChannel(cls.name())
        return cls(credentials["slack_token"], credentials["slack_signing_secret"], platform_url(credentials, API_URL))

    def __init__(self, slack_token: str, slack_signing_secret: str, api_url: str) -> None:
        super().__init__(slack_token, slack_signing_secret=slack_signing_secret)
        self.api_url = api_url + "/"
        self.deliveries = Deliveries("slack")

    def get_output_channel(self, channel: str | None = None, thread_id: str | None = None) -> OutputChannel:
        return SlackBot(self.slack_token, self.api_url, channel or self.slack_channel, thread_id)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        blueprint = super().blueprint(limited(answered_if_failed(on_new_message)))

        @blueprint.middleware("request")
        async def url_check(request: Request) -> HTTPResponse | None:
            body = request.json if request.headers.get("content-type") == "application/json" else None
            is_url_check = isinstance(body, dict) and body.get("type") == "url_verification"
            if is_url_check and self.is_request_from_slack_authentic(request):
                return response.json({"challenge": body.get("challenge")})
            return None  # everything else, badly signed URL checks too, goes to Rasa's route

        return blueprint

    async def process_message(
        self,
        request: Request,
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
        text: str,
        sender_id: str | None,
        metadata: dict | None,
    ) -> Any:
        """Rasa's, with any re-sent message turned away instead of only the timed-out ones."""
        if not sender_id:
            return response.text("")  # an event from no member (a bot's own message) says nothing to answer
        message_id = self.deliveries.message_id(keyed_digest(delivery(request), self.slack_signing_secret))
        conversation = conversation_id(self.name(), sender_id, self.slack_signing_secret)
        if not await self.deliveries.first_time(request.app.ctx.agent, conversation, message_id):
            logger.info("Slack re-sent %s; it was answered already.", message_id)
            return response.text("", status=HTTPStatus.OK, headers={"X-Slack-No-Retry": "1"})
        metadata = metadata or {}
        message = UserMessage(
            text,
            Readdressed(self.get_output_channel(metadata.get("out_channel")), sender_id),
            conversation,
            input_channel=self.name(),
            # the channel and members are addresses, needed for this turn's replies only: not stored
            metadata={key: value for key, value in metadata.items() if key not in ADDRESSES},
            message_id=message_id,
        )
        # Slack wants an answer within 3 seconds, so the reply is sent from a task of its own.
        task = asyncio.create_task(on_new_message(message))
        self._background_tasks.add(task)
        task.add_done_callback(self._background_tasks.discard)
        task.add_done_callback(lambda done: self.let_go_if_failed(done, message_id))
        return response.text("")

    def let_go_if_failed(self, task: asyncio.Task, message_id: str) -> None:
        """So that Slack's retry of a message whose handling failed is answered."""
        if task.cancelled() or task.exception():
            self.deliveries.let_go(message_id)
