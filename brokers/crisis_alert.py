"""Tells staff when a conversation shows a crisis: a webhook call with the conversation id and time.

It is a Rasa event broker, so it sees every conversation on every channel inside the Rasa server,
with no dependence on the action server. The call runs as a background task: the reply to the
person never waits for it. It carries no message text, only which conversation and when. A failed
call is retried with a growing pause and logged; it never raises into the conversation.
"""

from __future__ import annotations

import asyncio
import datetime
import logging
from typing import Any

import aiohttp
from rasa.core.brokers.broker import EventBroker
from rasa.utils.endpoints import EndpointConfig

from content_library.load import CRISIS_REPLY

logger = logging.getLogger(__name__)


def is_crisis_reply(event: dict[str, Any]) -> bool:
    """True for the bot's crisis reply, however it was reached (detector, check-in, button)."""
    return event.get("event") == "bot" and (event.get("metadata") or {}).get("utter_action") == CRISIS_REPLY


def alert_for(event: dict[str, Any]) -> dict[str, Any]:
    moment = datetime.datetime.fromtimestamp(event.get("timestamp") or 0, tz=datetime.timezone.utc)
    return {"alert": "crisis", "conversation_id": event.get("sender_id"), "time": moment.isoformat()}


class CrisisAlertBroker(EventBroker):
    def __init__(self, url: str | None, attempts: int = 4, first_pause: float = 1.0, timeout: float = 5.0) -> None:
        self.url = url or None
        self.attempts = int(attempts)
        self.first_pause = float(first_pause)
        self.timeout = float(timeout)
        self._pending: set[asyncio.Task] = set()
        if not self.url:
            logger.warning("Crisis alerts to staff are off: set CRISIS_ALERT_URL to a webhook to turn them on.")

    @classmethod
    async def from_endpoint_config(
        cls, broker_config: EndpointConfig | None, event_loop: asyncio.AbstractEventLoop | None = None
    ) -> CrisisAlertBroker:
        if broker_config is None:
            return cls(None)
        return cls(broker_config.url, **broker_config.kwargs)

    def publish(self, event: dict[str, Any]) -> None:
        if self.url and is_crisis_reply(event):
            task = asyncio.get_running_loop().create_task(self._deliver(alert_for(event)))
            # keep a reference until done, or the task may be collected mid-flight
            self._pending.add(task)
            task.add_done_callback(self._pending.discard)

    async def _deliver(self, alert: dict[str, Any]) -> None:
        pause = self.first_pause
        for attempt in range(1, self.attempts + 1):
            try:
                timeout = aiohttp.ClientTimeout(total=self.timeout)
                async with (
                    aiohttp.ClientSession(timeout=timeout) as session,
                    session.post(self.url, json=alert) as response,
                ):
                    response.raise_for_status()
                logger.info("Crisis alert sent for conversation %s.", alert["conversation_id"])
                return
            except (aiohttp.ClientError, asyncio.TimeoutError) as error:
                logger.warning(
                    "Crisis alert for conversation %s failed (attempt %d of %d): %s",
                    alert["conversation_id"],
                    attempt,
                    self.attempts,
                    error,
                )
            if attempt < self.attempts:
                await asyncio.sleep(pause)
                pause *= 2
        logger.error(
            "Crisis alert for conversation %s was not delivered; staff must check the review queue.",
            alert["conversation_id"],
        )

    def is_ready(self) -> bool:
        return True

    async def close(self) -> None:
        if self._pending:
            await asyncio.wait(self._pending, timeout=self.timeout)
