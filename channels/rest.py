"""Rasa's REST channel with its request body checked first.

Rasa's own REST input answers a body that is JSON but not an object with a 500, and a missing
message with an empty 200 after an error in the logs. Here such requests get a 400 that says in
plain words what is wrong, are logged for staff, and never reach a conversation.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa.core.channels import rest
from sanic.exceptions import InvalidUsage as BadRequest  # Sanic 21.12 names its 400 so
from sanic.request import Request

logger = logging.getLogger(__name__)

MAX_MESSAGE_CHARACTERS = 50_000
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
    async def _extract_sender(self, request: Request) -> str | None:
        sender = checked_body(request).get("sender")
        if sender is not None and (not isinstance(sender, str) or not 0 < len(sender) <= MAX_SENDER_CHARACTERS):
            raise rejected(f'"sender" must be a text of 1 to {MAX_SENDER_CHARACTERS} characters.')
        return sender

    def _extract_message(self, request: Request) -> str:
        message = checked_body(request).get("message")
        if not isinstance(message, str):
            raise rejected('"message" must be a text (it may be empty).')
        if len(message) > MAX_MESSAGE_CHARACTERS:
            raise rejected(f"The message is too long: please keep it under {MAX_MESSAGE_CHARACTERS:,} characters.")
        return message

    def get_metadata(self, request: Request) -> dict[str, Any] | None:
        metadata = checked_body(request).get("metadata")
        if metadata is not None and not isinstance(metadata, dict):
            raise rejected('"metadata" must be a JSON object.')
        return metadata
