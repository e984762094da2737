"""Real servers for the tests: the action server and Rasa servers as processes, on free ports.

Servers are shared by the whole run (starting Rasa takes a while); each test uses its own
conversation id, so they do not see each other's state.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from brokers.crisis_alert import SIGNATURE_HEADER, TIMESTAMP_HEADER, signature
from scripts.stack import ALERT_SECRET, Rasa, Server, free_port, start_actions, start_rasa


@dataclass
class AlertReceiver:
    """A local stand-in for the staff alert webhook: checks each alert's signature as a receiver must,
    records the genuine ones, answers 503 to a conversation's first `refusals[id]` alerts, or hangs."""

    hang_seconds: float = 0
    received: list[dict] = field(default_factory=list)
    refusals: dict[str, int] = field(default_factory=dict)  # conversation id: alerts still to refuse
    refused: list[dict] = field(default_factory=list)
    forged: list[bytes] = field(default_factory=list)  # bodies whose signature did not match
    url: str = ""

    def start(self) -> AlertReceiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                if receiver.hang_seconds:
                    time.sleep(receiver.hang_seconds)
                timestamp = self.headers.get(TIMESTAMP_HEADER, "")
                if self.headers.get(SIGNATURE_HEADER) != signature(ALERT_SECRET, timestamp, body):
                    receiver.forged.append(body)
                    self.send_response(401)
                    self.end_headers()
                    return
                alert = json.loads(body)
                if receiver.refusals.get(alert["conversation_id"], 0) > 0:
                    receiver.refusals[alert["conversation_id"]] -= 1
                    receiver.refused.append(alert)
                    self.send_response(503)
                else:
                    receiver.received.append(alert)
                    self.send_response(204)
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{server.server_address[1]}/alerts"
        return self

    def alerts_for(self, conversation_id: str) -> list[dict]:
        return [alert for alert in self.received if alert.get("conversation_id") == conversation_id]

    def refused_for(self, conversation_id: str) -> list[dict]:
        return [alert for alert in self.refused if alert.get("conversation_id") == conversation_id]

    def wait_for(self, conversation_id: str, count: int = 1, seconds: float = 15) -> list[dict]:
        """The conversation's alerts once there are `count` of them (or what came within `seconds`)."""
        deadline = time.monotonic() + seconds
        while len(self.alerts_for(conversation_id)) < count and time.monotonic() < deadline:
            time.sleep(0.2)
        return self.alerts_for(conversation_id)


@pytest.fixture(scope="session")
def action_server() -> Server:
    server = start_actions()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def alert_receiver() -> AlertReceiver:
    return AlertReceiver().start()


@pytest.fixture(scope="session")
def rasa(action_server: Server, alert_receiver: AlertReceiver, tmp_path_factory) -> Rasa:
    server = start_rasa("rasa", tmp_path_factory.mktemp("rasa"), f"{action_server.url}/webhook", alert_receiver.url)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def hanging_receiver() -> AlertReceiver:
    return AlertReceiver(hang_seconds=60).start()


@pytest.fixture(scope="session")
def rasa_without_actions(hanging_receiver: AlertReceiver, tmp_path_factory) -> Rasa:
    """A Rasa server whose action server is down and whose alert webhook never answers."""
    dead_action_url = f"http://127.0.0.1:{free_port()}/webhook"
    server = start_rasa("rasa-no-actions", tmp_path_factory.mktemp("rasa"), dead_action_url, hanging_receiver.url)
    yield server
    server.stop()


@pytest.fixture
def sender() -> str:
    """A fresh conversation id for each test."""
    return f"test-{uuid.uuid4().hex[:12]}"
