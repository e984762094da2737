"""Rasa's socket.io channel (the website widget's), with two things made to work as configured.

Origins. Rasa creates its socket.io server with `cors_allowed_origins=[]`, which turns engine.io's
own Origin check off and leaves CORS to Sanic (`rasa run --cors`). Sanic's CORS only adds or omits
response headers on the HTTP long-polling requests; the WebSocket handshake is never checked, so a
page on any site can open the socket and talk to the assistant. Here engine.io checks the Origin of
every handshake, polling and WebSocket alike, against `cors_allowed_origins` from credentials.yml
and refuses any other with a 400. Left out or empty, only pages served by the Rasa server itself
may connect. Clients that send no Origin (programs, not browsers) are not concerned.

Session rooms. With `session_persistence`, replies go to a room named after the session id, which
the socket joins in `session_request`. Rasa calls `sio.enter_room()` without awaiting it, and in
python-socketio 5.18 (ours) that is a coroutine, so the socket never joins and no reply ever arrives
(RasaHQ/rasa#13027). `session_request` is handled here with the join awaited.
"""

from __future__ import annotations

import uuid
from typing import Any

from rasa.core.channels import socketio
from sanic import Blueprint

from channels.message_limit import limited


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

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> SocketIOInput:
        channel = super().from_credentials(credentials)
        channel.cors_allowed_origins = allowed_origins((credentials or {}).get("cors_allowed_origins"))
        return channel

    def blueprint(self, on_new_message: Any) -> Blueprint:
        blueprint = super().blueprint(limited(on_new_message))
        self.sio.eio.cors_allowed_origins = self.cors_allowed_origins
        self.sio.on("session_request", self.session_request, namespace=self.namespace)
        return blueprint

    async def session_request(self, sid: str, data: Any) -> None:
        requested = data.get("session_id") if isinstance(data, dict) else None
        session_id = requested if isinstance(requested, str) and requested else uuid.uuid4().hex
        if self.session_persistence:
            await self.sio.enter_room(sid, session_id, namespace=self.namespace)
        await self.sio.emit("session_confirm", session_id, room=sid, namespace=self.namespace)
