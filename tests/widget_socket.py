"""The website widget's channel as a test client: socket.io over polling, from a site that
credentials.yml allows, asking for a session as the widget does and sending under it."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import socketio
import yaml

from scripts.stack import CREDENTIALS, Rasa

CONFIRM_SECONDS = 10


def widget_origin() -> str:
    """A site that credentials.yml lets open the widget's connection."""
    channels = yaml.safe_load(CREDENTIALS.read_text(encoding="utf-8"))
    socket_io = next(settings for name, settings in channels.items() if "socketio" in name.lower())
    return socket_io["cors_allowed_origins"][0]


@dataclass
class WidgetSocket:
    client: socketio.Client
    session_id: str = ""  # as the server confirmed it (signed)
    replies: list[dict] = field(default_factory=list)

    @property
    def conversation_id(self) -> str:
        """The id the conversation is stored under: the session id without its signature."""
        return self.session_id.split(".")[0]

    def send(self, text: str, session_id: str | None = None) -> None:
        """A message naming `session_id` (the confirmed one unless another is given)."""
        self.client.emit("user_uttered", {"message": text, "session_id": session_id or self.session_id})

    def say(self, text: str, seconds: float = 30) -> list[dict]:
        """The replies to one message: those that came until half a second after the first."""
        before = len(self.replies)
        self.send(text)
        deadline = time.monotonic() + seconds
        while len(self.replies) == before and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(0.5)
        return self.replies[before:]


@contextmanager
def widget_socket(rasa: Rasa, session_id: str | None = None) -> Iterator[WidgetSocket]:
    """A connection whose session the server has confirmed; `session_id` is the one it asks to resume."""
    socket = WidgetSocket(socketio.Client())
    socket.client.on("bot_uttered", socket.replies.append)
    socket.client.on("session_confirm", lambda confirmed: setattr(socket, "session_id", confirmed))
    socket.client.connect(
        rasa.url,
        headers={"Origin": widget_origin()},
        socketio_path="/socket.io",
        transports=["polling"],
        wait_timeout=10,
    )
    try:
        socket.client.emit("session_request", {"session_id": session_id})
        deadline = time.monotonic() + CONFIRM_SECONDS
        while not socket.session_id and time.monotonic() < deadline:
            time.sleep(0.05)
        assert socket.session_id, "the server did not confirm a session"
        yield socket
    finally:
        # engine.io's close, without waiting: over polling the client's read loop would otherwise wait
        # for the server's next ping, about 25 s, before it ends
        socket.client.eio.disconnect(abort=True)
