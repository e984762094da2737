"""Rasa's REST channel with its request body checked first.

Rasa's own REST input answers a body that is JSON but not an object with a 500, a missing message
with an empty 200 after an error in the logs, and a missing sender by joining one shared `default`
conversation (mixing people's state). Here such requests get a 400 that says in plain words what is
wrong, are logged for staff, and never reach a conversation. The channel a message came in on is
this one, whatever the body says (Rasa takes `input_channel` from it). A message longer than the
limit of every channel is cut, not refused (channels/message_limit.py). A `sender` with an "@" in it
(an e-mail address, a handle) is refused: it would be stored as the conversation's id, which
redaction does not touch. A message whose handling fails is answered in plain words and
logged with its conversation id only (channels/failures.py): Rasa's own handler would log the text.

Whoever may post here may name any `sender`, and so read that conversation's replies and write into
it: the channel is for the team's own trusted programs, never for the public. With `token` set
(REST_TOKEN) every request must carry `Authorization: Bearer <token>` or gets a 401; a deployment
sets it (deploy/ will not start without), and `make run` leaves it open on this machine for the demo
and the tests (README, "Who may use the REST channel").
"""

from __future__ import annotations

import hmac
import logging
from typing import Any

from rasa.core.channels import rest
from sanic import Blueprint, response
from sanic.exceptions import InvalidUsage as BadRequest  # Sanic 21.12 names its 400 so
from sanic.request import Request
from sanic.response import HTTPResponse

from channels.failures import answered_if_failed
from channels.message_limit import Handler, limited

logger = logging.getLogger(__name__)

MAX_SENDER_CHARACTERS = 255  # the tracker store's column for conversation ids


def rejected(reason: str) -> BadRequest:
    logger.warning("Rejected a REST request: %s", reason)
    return BadRequest(reason)


def checked_body(request: Request) -> dict[str, Any]:
    body = request.json
    if not isinstance(body, dict):
        raise rejected('The request body must be a JSON object like {"sender": "...", "message": "..."}.')
    return body


class RestInput(rest.RestInput):
    def __init__(self, token: str | None = None) -> None:
        self.token = token or ""

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> RestInput:
        return cls((credentials or {}).get("token"))

    def blueprint(self, on_new_message: Handler) -> Blueprint:
        blueprint = super().blueprint(limited(answered_if_failed(on_new_message)))

        @blueprint.middleware("request")
        async def token_checked(request: Request) -> HTTPResponse | None:
            given = request.headers.get("Authorization", "")
            if self.token and not hmac.compare_digest(given.encode(), f"Bearer {self.token}".encode()):
                logger.warning("Refused a REST request without the channel's token.")
                return response.json(
                    {"status": 401, "message": "This channel needs its token: Authorization: Bearer <token>."},
                    status=401,
                )
            return None

        @blueprint.exception(BadRequest)
        async def explained(_: Request, error: BadRequest) -> HTTPResponse:
            # JSON whatever the request's headers (Sanic would choose an HTML page for some clients)
            return response.json({"status": 400, "message": str(error)}, status=400)

        return blueprint

    async def _extract_sender(self, request: Request) -> str | None:
        sender = checked_body(request).get("sender")
        if not isinstance(sender, str) or not 0 < len(sender) <= MAX_SENDER_CHARACTERS:
            raise rejected(f'"sender" is required: a text of 1 to {MAX_SENDER_CHARACTERS} characters.')
        if "@" in sender:
            raise rejected('"sender" must be an id of your own, not an e-mail address or handle.')
        return sender

    def _extract_input_channel(self, request: Request) -> str:
        return self.name()

    def _extract_message(self, request: Request) -> str:
        message = checked_body(request).get("message")
        if not isinstance(message, str):
            raise rejected('"message" must be a text (it may be empty).')
        return message

    def get_metadata(self, request: Request) -> dict[str, Any] | None:
        metadata = checked_body(request).get("metadata")
        if metadata is not None and not isinstance(metadata, dict):
            raise rejected('"metadata" must be a JSON object.')
        return metadata
