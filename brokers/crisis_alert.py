"""Tells staff when a conversation shows a crisis: a signed webhook call with the conversation id and time.

It is a Rasa event broker, so it sees every conversation on every channel inside the Rasa server,
with no dependence on the action server. The reply to the person never waits for it: the alert is
kept in the conversation store's database (brokers/alert_outbox.py) and sent by a background task,
again and again with a growing pause, until the receiver acknowledges it with a 2xx; a restarted
server sends what is still pending. It carries no message text, only which conversation and when.

The body is signed with HMAC-SHA256 under CRISIS_ALERT_SECRET, over the timestamp header, a dot and
the body as sent, so a receiver can tell a real alert from a forged or replayed one (README, "Crisis
alerts"). A server will not start without a receiver unless alerts are turned off by name
(CRISIS_ALERT_URL=off): alerts silently off is the fault this prevents.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import hashlib
import hmac
import json
import logging
import time
from typing import Any

import aiohttp
import sqlalchemy as sa
from rasa.core.brokers.broker import EventBroker
from rasa.shared.exceptions import RasaException
from rasa.utils.endpoints import EndpointConfig
from sqlalchemy.pool import StaticPool

from brokers.alert_outbox import AlertOutbox, PendingAlert
from brokers.alert_setting import ALERTS_OFF, alert_receiver, alerts_off
from content_library.load import CRISIS_REPLY

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Crisis-Alert-Signature"
TIMESTAMP_HEADER = "X-Crisis-Alert-Timestamp"
SHORTEST_SECRET = 16


class AlertReceiverMissing(RasaException):
    """No receiver, or no secret to sign for it: the server must not start so."""


def signature(secret: str, timestamp: str, body: bytes) -> str:
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def is_crisis_reply(event: dict[str, Any]) -> bool:
    """True for the bot's crisis reply, however it was reached (detector, check-in, button)."""
    return event.get("event") == "bot" and (event.get("metadata") or {}).get("utter_action") == CRISIS_REPLY


def alert_for(event: dict[str, Any]) -> dict[str, Any]:
    conversation_id, timestamp = event.get("sender_id"), event.get("timestamp") or 0
    moment = datetime.datetime.fromtimestamp(timestamp, tz=datetime.timezone.utc)
    # the same reply gives the same id: a receiver can drop a repeat, the outbox keeps it once
    alert_id = hashlib.sha256(f"{conversation_id}\n{timestamp!r}".encode()).hexdigest()[:32]
    return {"alert": "crisis", "alert_id": alert_id, "conversation_id": conversation_id, "time": moment.isoformat()}


def memory_outbox() -> AlertOutbox:
    return AlertOutbox(sa.create_engine("sqlite://", poolclass=StaticPool, connect_args={"check_same_thread": False}))


class CrisisAlertBroker(EventBroker):
    def __init__(
        self,
        url: str | None,
        secret: str | None = None,
        first_pause: float = 0.5,
        longest_pause: float = 300.0,
        timeout: float = 5.0,
        look_every: float = 2.0,
    ) -> None:
        if not alerts_off(url) and not alert_receiver(url):
            raise AlertReceiverMissing(
                "CRISIS_ALERT_URL is not set: set it to the staff webhook that receives crisis alerts, "
                f"or to '{ALERTS_OFF}' to run with no one alerted."
            )
        self.url = alert_receiver(url)
        self.secret = secret or ""
        if self.url and len(self.secret) < SHORTEST_SECRET:
            raise AlertReceiverMissing(
                f"CRISIS_ALERT_SECRET must be at least {SHORTEST_SECRET} characters: crisis alerts are signed "
                "with it, and the receiver checks the signature with the same secret."
            )
        self.first_pause, self.longest_pause = float(first_pause), float(longest_pause)
        self.timeout, self.look_every = float(timeout), float(look_every)
        # until the tracker store hands over its database (keep_pending_in), and for an alert that the
        # database would not take: in memory, sent the same way, lost with the process
        self.kept = self.unkept = memory_outbox()
        self._wake = asyncio.Event()
        self._sender: asyncio.Task | None = None
        self._pending_writes: set[asyncio.Task] = set()
        if not self.url:
            logger.warning("Crisis alerts to staff are off (CRISIS_ALERT_URL=off): no one is alerted of a crisis.")

    @classmethod
    async def from_endpoint_config(
        cls, broker_config: EndpointConfig | None, event_loop: asyncio.AbstractEventLoop | None = None
    ) -> CrisisAlertBroker:
        if broker_config is None:
            return cls(None)
        return cls(broker_config.url, **broker_config.kwargs)

    def keep_pending_in(self, engine: sa.engine.Engine) -> None:
        """Called by the tracker store with its database: pending alerts are kept there from now on."""
        if self.url:
            self.kept = AlertOutbox(engine)
            self._start_sending()  # what an earlier run left pending goes now

    def _start_sending(self) -> None:
        if self._sender is None:
            self._sender = asyncio.get_running_loop().create_task(self._send_forever())

    def publish(self, event: dict[str, Any]) -> None:
        if self.url and is_crisis_reply(event):
            alert = alert_for(event)
            task = asyncio.get_running_loop().create_task(self._keep(alert["alert_id"], json.dumps(alert)))
            # keep a reference until done, or the task may be collected mid-flight
            self._pending_writes.add(task)
            task.add_done_callback(self._pending_writes.discard)
            self._start_sending()

    async def _keep(self, alert_id: str, body: str) -> None:
        try:
            await asyncio.to_thread(self.kept.keep, alert_id, body, time.time())
        except sa.exc.SQLAlchemyError as error:
            logger.error(
                "Crisis alert %s could not be kept in the database (%s); it is sent from memory.", alert_id, error
            )
            await asyncio.to_thread(self.unkept.keep, alert_id, body, time.time())
        self._wake.set()

    async def _send_forever(self) -> None:
        while True:
            await self._send_due()
            with contextlib.suppress(asyncio.TimeoutError):  # a look every so often: retries, other servers
                await asyncio.wait_for(self._wake.wait(), timeout=self.look_every)
            self._wake.clear()

    async def _send_due(self) -> None:
        for outbox in {self.kept, self.unkept}:
            try:
                due = await asyncio.to_thread(outbox.claim_due, time.time(), self.timeout * 2)
            except sa.exc.SQLAlchemyError as error:
                logger.warning("Pending crisis alerts could not be read from the database: %s", error)
                continue
            await asyncio.gather(*(self._send(outbox, alert) for alert in due))

    async def _send(self, outbox: AlertOutbox, alert: PendingAlert) -> None:
        body, timestamp = alert.body.encode(), str(int(time.time()))
        headers = {
            "Content-Type": "application/json",
            TIMESTAMP_HEADER: timestamp,
            SIGNATURE_HEADER: signature(self.secret, timestamp, body),
        }
        conversation_id = json.loads(alert.body)["conversation_id"]
        try:
            async with (
                aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self.timeout)) as session,
                session.post(self.url, data=body, headers=headers) as response,
            ):
                response.raise_for_status()
        except (aiohttp.ClientError, asyncio.TimeoutError) as error:
            pause = min(self.first_pause * 2**alert.attempts, self.longest_pause)
            logger.warning(
                "Crisis alert for conversation %s not acknowledged (attempt %d; next in %.0f s): %s",
                conversation_id,
                alert.attempts + 1,
                pause,
                error or type(error).__name__,
            )
            await asyncio.to_thread(outbox.retry_at, alert, time.time() + pause)
            return
        await asyncio.to_thread(outbox.acknowledged, alert.alert_id)
        logger.info("Crisis alert sent for conversation %s.", conversation_id)

    def is_ready(self) -> bool:
        return True

    async def close(self) -> None:
        """What is not acknowledged stays pending in the database, for the next start."""
        if self._pending_writes:
            await asyncio.wait(self._pending_writes, timeout=self.timeout)
        if self._sender:
            self._sender.cancel()
