"""GET /webhooks/ready/: whether this Rasa server can answer and keep conversations right now.

For a load balancer's or Kubernetes' readiness probe, and for staff. It is a channel only because a
channel is Rasa's way to add a route to its server; it takes no messages. It answers 200 when the
conversation store answers, 503 when it does not (a message would not be stored). Redis being down
or hung is reported but does not make the server unready: messages are then served under the
server's own lock (stores/lock_store.py), and taking every server out of the balancer because the
shared lock is away would silence crisis replies too.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import sqlalchemy as sa
from rasa.core.channels.channel import InputChannel
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels.message_limit import Handler

logger = logging.getLogger(__name__)

CHECK_SECONDS = 3


def database_answers(engine: sa.engine.Engine) -> None:
    with engine.connect() as connection:
        connection.execute(sa.text("SELECT 1"))


async def conversation_store_state(agent: Any) -> str:
    # Rasa wraps the configured store in a fail-safe one that hides it; the check needs the real one
    store = getattr(agent.tracker_store, "_tracker_store", agent.tracker_store)
    engine = getattr(store, "engine", None)
    if engine is None:
        return "not a database"
    try:
        await asyncio.wait_for(asyncio.to_thread(database_answers, engine), CHECK_SECONDS)
    except (sa.exc.SQLAlchemyError, asyncio.TimeoutError) as error:
        logger.error("Readiness: the conversation store does not answer: %s", error or "no answer in time")
        return "unreachable"
    return "reachable"


async def lock_store_state(agent: Any) -> str:
    check = getattr(agent.lock_store, "shared_store_state", None)
    return await asyncio.to_thread(check) if check else "in memory"


class ReadinessInput(InputChannel):
    @classmethod
    def name(cls) -> str:
        return "ready"

    def blueprint(self, on_new_message: Handler) -> Blueprint:
        blueprint = Blueprint("readiness", __name__)

        @blueprint.route("/", methods=["GET"])
        async def ready(request: Request) -> HTTPResponse:
            agent = request.app.ctx.agent
            states = {
                "conversation_store": await conversation_store_state(agent),
                "lock_store": await lock_store_state(agent),
            }
            ready = states["conversation_store"] != "unreachable" and agent.is_ready()
            return response.json({"ready": ready, **states}, status=200 if ready else 503)

        return blueprint
