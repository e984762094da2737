"""Starting the real servers as processes on free ports: for the tests and the benchmarks."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

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


def start_rasa(name: str, tmp: Path, action_url: str, alert_url: str = "", model: Path = MODEL) -> Rasa:
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
        str(model),
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


def start_actions(name: str = "actions") -> Server:
    port = free_port()
    command = [str(BIN / "rasa"), "run", "actions", "--actions", "actions", "--port", str(port)]
    return start(name, command, f"http://127.0.0.1:{port}/health", base_env())
