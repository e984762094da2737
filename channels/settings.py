"""Whether a messaging app is on, read from its section of credentials.yml.

Every secret in credentials.yml comes from an environment variable, and Rasa refuses to start when
one it names is unset, so `make run` sets them all to empty by default. An app whose credentials are
all empty is off: the server starts without it and its webhook answers 404. An app with some but not
all of them set is a mistake that would fail on the first message (or, worse, skip a signature
check), so the server refuses to start and says which ones are missing.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.shared.exceptions import InvalidConfigException
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

logger = logging.getLogger(__name__)


def app_is_on(app: str, credentials: dict[str, Any] | None, required: tuple[str, ...]) -> bool:
    credentials = credentials or {}
    missing = [key for key in required if not credentials.get(key)]
    if len(missing) == len(required):
        logger.info("%s is off: its credentials are not set (see the README, Messaging apps).", app)
        return False
    if missing:
        raise InvalidConfigException(
            f"{app} is only half configured: its section of credentials.yml has no {', '.join(missing)}. "
            f"Set the environment variables that section names (see the README, Messaging apps), "
            f"or leave them all empty to turn {app} off."
        )
    return True


def platform_url(credentials: dict[str, Any], default: str) -> str:
    """The platform's API address: its own unless credentials say otherwise (a local stand-in in the tests)."""
    return (credentials.get("api_url") or default).rstrip("/")


class OffChannel(InputChannel):
    """Stands in for a messaging app that is not configured: only its health route answers, with "off"."""

    def __init__(self, app_name: str) -> None:
        self.app_name = app_name

    def url_prefix(self) -> str:
        return self.app_name

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        blueprint = Blueprint(f"{self.app_name}_off")

        @blueprint.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "off"})

        return blueprint
