"""Real servers for the tests: the action server and Rasa servers as processes, on free ports.

Servers are shared by the whole run (starting Rasa takes a while); each test uses its own
conversation id, so they do not see each other's state.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import requests

PROJECT = Path(__file__).resolve().parent.parent
MODEL = PROJECT / "models" / "current.tar.gz"
BIN = Path(sys.executable).parent
LOGS = PROJECT / "logs"
STARTUP_SECONDS = 180


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url} exited early with {process.returncode}; see {log}")
        try:
            if requests.get(url, timeout=2).status_code == 200:
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"{url} did not come up in {STARTUP_SECONDS} s; see {log}")


def base_env(**overrides: str) -> dict[str, str]:
    env = {
        **os.environ,
        "RASA_TELEMETRY_ENABLED": "false",
        "TF_CPP_MIN_LOG_LEVEL": "2",
        "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
        "CRISIS_ALERT_URL": "",
    }
    env.update(overrides)
    return env


@dataclass
class Server:
    url: str
    process: subprocess.Popen
    log: Path

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()


def start(name: str, command: list[str], health_url: str, env: dict[str, str]) -> Server:
    LOGS.mkdir(exist_ok=True)
    log = LOGS / f"test-{name}.log"
    with log.open("w") as output:
        process = subprocess.Popen(command, cwd=PROJECT, env=env, stdout=output, stderr=subprocess.STDOUT)
    wait_until_up(health_url, process, log)
    return Server(health_url.rsplit("/", 1)[0], process, log)


@dataclass
class Rasa(Server):
    token: str = ""
    db: Path = Path()

    def say(self, sender: str, text: str, metadata: dict | None = None, timeout: float = 30) -> list[dict]:
        body = {"sender": sender, "message": text}
        if metadata:
            body["metadata"] = metadata
        response = requests.post(f"{self.url}/webhooks/rest/webhook", json=body, timeout=timeout)
        response.raise_for_status()
        return response.json()

    def tracker(self, sender: str) -> dict:
        response = requests.get(f"{self.url}/conversations/{sender}/tracker", params={"token": self.token}, timeout=10)
        response.raise_for_status()
        return response.json()


def start_rasa(name: str, tmp: Path, action_url: str, alert_url: str = "") -> Rasa:
    port, token, db = free_port(), uuid.uuid4().hex, tmp / f"{name}.db"
    env = base_env(
        ACTION_SERVER_URL=action_url,
        TRACKER_DB_DIALECT="sqlite",
        TRACKER_DB=str(db),
        CRISIS_ALERT_URL=alert_url,
    )
    command = [
        str(BIN / "rasa"),
        "run",
        "--model",
        str(MODEL),
        "--enable-api",
        "--auth-token",
        token,
        "--port",
        str(port),
        "--endpoints",
        "endpoints.yml",
        "--credentials",
        "credentials.yml",
    ]
    server = start(name, command, f"http://127.0.0.1:{port}/status?token={token}", env)
    return Rasa(f"http://127.0.0.1:{port}", server.process, server.log, token=token, db=db)


@dataclass
class AlertReceiver:
    """A local stand-in for the staff alert webhook: records what it is sent, or hangs."""

    hang_seconds: float = 0
    received: list[dict] = field(default_factory=list)
    url: str = ""

    def start(self) -> AlertReceiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                if receiver.hang_seconds:
                    time.sleep(receiver.hang_seconds)
                receiver.received.append(json.loads(body))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{server.server_address[1]}/alerts"
        return self

    def wait_for(self, conversation_id: str, seconds: float = 15) -> list[dict]:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            found = [alert for alert in self.received if alert.get("conversation_id") == conversation_id]
            if found:
                return found
            time.sleep(0.2)
        return []


@pytest.fixture(scope="session")
def action_server() -> Server:
    port = free_port()
    command = [str(BIN / "rasa"), "run", "actions", "--actions", "actions", "--port", str(port)]
    server = start("actions", command, f"http://127.0.0.1:{port}/health", base_env())
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
