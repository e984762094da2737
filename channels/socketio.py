"""Rasa's socket.io channel (the website widget's), with two things made to work as configured.

Origins. Rasa creates its socket.io server with `cors_allowed_origins=[]`, which turns engine.io's
own Origin check off and leaves CORS to Sanic (`rasa run --cors`). Sanic's CORS only adds or omits
response headers on the HTTP long-polling requests; the WebSocket handshake is never checked, so a
page on any site can open the socket and talk to the assistant. Here engine.io checks the Origin of
every handshake, polling and WebSocket alike, against `cors_allowed_origins` from credentials.yml
and refuses any other with a 400. Left out or empty, only pages served by the Rasa server itself
may connect. Clients that send no Origin (programs, not browsers) are not concerned.

Sessions belong to their owner. In Rasa's channel the browser names its session id, so anyone who
knows (or guesses) one can join its room and read another person's replies live, or write into their
conversation. Here the server issues the session id, signed (HMAC-SHA256 under `session_secret`):
`<conversation id>.<signature>`. A `session_request` with a valid signed id resumes that
conversation (a page reload, a reconnection); any other starts a new one. The socket is bound to its
conversation then, and every message it sends goes there, whatever `session_id` the message names.
The conversation id stored and shown to staff is the part before the dot.

Session rooms. With `session_persistence`, replies go to a room named after the conversation, which
the socket joins in `session_request`. Rasa calls `sio.enter_room()` without awaiting it, and in
python-socketio 5.18 (ours) that is a coroutine, so the socket never joins and no reply ever arrives
(RasaHQ/rasa#13027). `session_request` is handled here with the join awaited.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import uuid
from typing import Any

from rasa.core.channels import socketio
from rasa.shared.exceptions import RasaException
from sanic import Blueprint

from channels.failures import answered_if_failed
from channels.message_limit import limited

logger = logging.getLogger(__name__)

SHORTEST_SECRET = 16


class SessionSecretMissing(RasaException):
    """Without a secret the widget's sessions cannot be signed; the server must not start so."""


def signed(conversation_id: str, secret: str) -> str:
    mac = hmac.new(secret.encode(), conversation_id.encode(), hashlib.sha256).hexdigest()[:32]
    return f"{conversation_id}.{mac}"


def conversation_of(session_id: Any, secret: str) -> str | None:
    """The conversation a signed session id names, or None for anything else."""
    if not isinstance(session_id, str) or session_id.count(".") != 1:
        return None
    conversation_id = session_id.split(".")[0]
    return conversation_id if hmac.compare_digest(signed(conversation_id, secret), session_id) else None


def allowed_origins(configured: Any) -> list[str] | str | None:
    """`cors_allowed_origins` as engine.io takes it: a list of origins, "*", or None (same origin only).

    An empty list becomes None: to engine.io [] would mean "check nothing", the opposite of what an
    empty list of allowed sites says.
    """
    if configured is None or configured == "*":
        return configured
    origins = configured.split() if isinstance(configured, str) else list(configured)
    return [origin.rstrip("/") for origin in origins] or None


class SocketIOInput(socketio.SocketIOInput):
    cors_allowed_origins: list[str] | str | None = None
    session_secret: str = ""

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> SocketIOInput:
        channel = super().from_credentials(credentials)
        channel.cors_allowed_origins = allowed_origins((credentials or {}).get("cors_allowed_origins"))
        channel.session_secret = str((credentials or {}).get("session_secret") or "")
        if len(channel.session_secret) < SHORTEST_SECRET:
            raise SessionSecretMissing(
                f"WIDGET_SESSION_SECRET must be at least {SHORTEST_SECRET} characters: the website widget's "
                "sessions are signed with it, so that no one can join another person's conversation."
            )
        return channel

    def blueprint(self, on_new_message: Any) -> Blueprint:
        blueprint = super().blueprint(limited(answered_if_failed(on_new_message)))
        self.sio.eio.cors_allowed_origins = self.cors_allowed_origins
        self.sio.on("session_request", self.session_request, namespace=self.namespace)
        handlers = self.sio.handlers[self.namespace or "/"]
        self.rasa_message_handler = handlers[self.user_message_evt]
        self.sio.on(self.user_message_evt, self.user_message, namespace=self.namespace)
        return blueprint

    async def session_request(self, sid: str, data: Any) -> None:
        requested = data.get("session_id") if isinstance(data, dict) else None
        conversation_id = conversation_of(requested, self.session_secret) or uuid.uuid4().hex
        await self.sio.save_session(sid, {"conversation_id": conversation_id}, namespace=self.namespace)
        if self.session_persistence:
            await self.sio.enter_room(sid, conversation_id, namespace=self.namespace)
        confirmed = signed(conversation_id, self.session_secret)
        await self.sio.emit("session_confirm", confirmed, room=sid, namespace=self.namespace)

    async def user_message(self, sid: str, data: Any) -> None:
        """Rasa's handler, given the conversation this socket was bound to instead of the one it names."""
        conversation_id = (await self.sio.get_session(sid, namespace=self.namespace)).get("conversation_id")
        if conversation_id is None or not isinstance(data, dict):
            logger.warning("A widget message came before its session was confirmed, or was not an object: dropped.")
            return
        await self.rasa_message_handler(sid, {**data, "session_id": conversation_id})
