"""Starting the real servers as processes on free ports: for the tests and the benchmarks."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import requests
import sqlalchemy as sa

from brokers.alert_setting import ALERTS_OFF

PROJECT = Path(__file__).resolve().parent.parent
MODEL = PROJECT / "models" / "current.tar.gz"
CREDENTIALS = PROJECT / "credentials.yml"
SETTINGS = PROJECT / "settings.env"
BIN = Path(sys.executable).parent
LOGS = PROJECT / "logs"
# this machine's PostgreSQL server (trust authentication), for the tests and benchmarks that need one
POSTGRES_SERVER = "postgresql://postgres@127.0.0.1:5432"
STARTUP_SECONDS = 180
# the secret the test servers sign crisis alerts with; the stand-in receivers check it
ALERT_SECRET = "test-alert-signing-secret"
WIDGET_SESSION_SECRET = "test-widget-session-secret"
# Sanic closes a new connection on which no request arrives within its keep-alive timeout (5 s). A Rasa
# server under heavy load can take longer than that between connecting to the action server and writing
# the request; the action then fails and the turn's reply is lost. For start_actions(extra_env=...).
ACTION_SERVER_UNDER_LOAD = {"SANIC_KEEP_ALIVE_TIMEOUT": "75"}


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


def in_memory_lock_store() -> dict[str, str]:
    """The LOCK_STORE_* variables of endpoints.yml for a server on its own: Rasa's in-memory lock store.
    A test of several servers sharing conversations passes lock_store_on_redis's in start_rasa's `extra_env`."""
    names = ("HOST", "PORT", "DB", "PASSWORD", "KEY_PREFIX")
    return {"LOCK_STORE_TYPE": "in_memory", **{f"LOCK_STORE_{name}": "" for name in names}}


def lock_store_on_redis(port: int, db: int, key_prefix: str) -> dict[str, str]:
    """The LOCK_STORE_* variables of endpoints.yml for servers sharing conversations: a Redis on this
    machine, without a password, under its own key prefix."""
    settings = {"HOST": "127.0.0.1", "PORT": str(port), "DB": str(db), "PASSWORD": "", "KEY_PREFIX": key_prefix}
    return {"LOCK_STORE_TYPE": "redis", **{f"LOCK_STORE_{name}": value for name, value in settings.items()}}


def settings() -> dict[str, str]:
    """settings.env's defaults, which `make` exports: the same for a server started without make."""
    lines = SETTINGS.read_text(encoding="utf-8").splitlines()
    return dict(line.split("=", 1) for line in lines if re.match(r"[A-Z][A-Z0-9_]*=", line))


def base_env(**overrides: str) -> dict[str, str]:
    env = {
        **settings(),
        **os.environ,
        # as `make run`: alerts off by name, unless a server is given a receiver
        "CRISIS_ALERT_URL": ALERTS_OFF,
        "CRISIS_ALERT_SECRET": ALERT_SECRET,
        "WIDGET_SESSION_SECRET": WIDGET_SESSION_SECRET,
        "REST_TOKEN": "",
        **in_memory_lock_store(),
    }
    env.update(overrides)
    return env


def messaging_apps_off() -> dict[str, str]:
    """Every messaging app's variable in credentials.yml, empty: a server started here never reaches a real
    platform, whatever the shell has set. A test that wants an app on passes its variables to start_rasa."""
    names = re.findall(r"\$\{((?:TELEGRAM|SLACK|TWILIO|FACEBOOK)_\w+)\}", CREDENTIALS.read_text(encoding="utf-8"))
    return dict.fromkeys(names, "")


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
    server = Server(health_url.rsplit("/", 1)[0], process, log)
    try:
        wait_until_up(health_url, process, log)
    except RuntimeError:
        server.stop()  # one that is still starting would hold its port and memory after the caller gives up
        raise
    return server


@dataclass
class Rasa(Server):
    token: str = ""
    db: Path = Path()
    rest_token: str = ""  # the REST channel's (REST_TOKEN), when the server has one

    def say(self, sender: str, text: str, metadata: dict | None = None, timeout: float = 30) -> list[dict]:
        body = {"sender": sender, "message": text}
        if metadata:
            body["metadata"] = metadata
        headers = {"Authorization": f"Bearer {self.rest_token}"} if self.rest_token else {}
        response = requests.post(f"{self.url}/webhooks/rest/webhook", json=body, headers=headers, timeout=timeout)
        response.raise_for_status()
        return response.json()

    def tracker(self, sender: str) -> dict:
        response = requests.get(f"{self.url}/conversations/{sender}/tracker", params={"token": self.token}, timeout=10)
        response.raise_for_status()
        return response.json()


def sqlite_tracker(db: Path) -> dict[str, str]:
    """The TRACKER_DB_* variables of endpoints.yml for conversations in a SQLite file."""
    return {
        "TRACKER_DB_DIALECT": "sqlite",
        "TRACKER_DB": str(db),
        "TRACKER_DB_HOST": "",
        "TRACKER_DB_PORT": "",
        "TRACKER_DB_USER": "",
        "TRACKER_DB_PASSWORD": "",
    }


def postgresql_tracker(database: str) -> dict[str, str]:
    """The TRACKER_DB_* variables of endpoints.yml for conversations in a database of POSTGRES_SERVER."""
    url = sa.engine.make_url(f"{POSTGRES_SERVER}/{database}")
    return {
        "TRACKER_DB_DIALECT": "postgresql",
        "TRACKER_DB": database,
        "TRACKER_DB_HOST": url.host,
        "TRACKER_DB_PORT": str(url.port),
        "TRACKER_DB_USER": url.username,
        "TRACKER_DB_PASSWORD": "",
    }


@contextlib.contextmanager
def throwaway_postgresql_database(prefix: str, role: str | None = None) -> Iterator[str]:
    """A new database on POSTGRES_SERVER, named `prefix` and a random suffix; dropped afterwards, with its
    connections, and then `role` if one is named (a role made for it, which the database's grants need)."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(f"{POSTGRES_SERVER}/postgres", isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
        yield name
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            if role:
                connection.exec_driver_sql(f'DROP ROLE IF EXISTS "{role}"')
        admin.dispose()


@dataclass
class RedisServer:
    """A Redis server process of a test's own (no persistence, a free port) that the test may stop, pause
    (as a hung server: connections open, no answers) or start again on the same port."""

    port: int
    folder: Path
    process: subprocess.Popen | None = None

    def start(self) -> RedisServer:
        command = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        self.process = subprocess.Popen([*command, "--dir", str(self.folder)], stdout=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port), timeout=1):
                return self
            time.sleep(0.05)
        raise RuntimeError(f"redis-server did not start on port {self.port}")

    def stop(self) -> None:
        self.resume()
        self.process.terminate()
        self.process.wait(timeout=10)

    def pause(self) -> None:
        self.process.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        self.process.send_signal(signal.SIGCONT)


@contextlib.contextmanager
def throwaway_redis_server(folder: Path) -> Iterator[RedisServer]:
    server = RedisServer(free_port(), folder).start()
    try:
        yield server
    finally:
        if server.process.poll() is None:
            server.stop()


def postgresql_binary(name: str) -> str:
    """Debian keeps PostgreSQL's server programs out of PATH, under its version's folder."""
    found = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"))
    if not found:
        raise RuntimeError(f"PostgreSQL's {name} is not installed (apt-get install postgresql)")
    return str(found[-1])


class PostgresProgramError(RuntimeError):
    """initdb or pg_ctl failed; the message holds what it and the server said."""


@dataclass
class PostgresServer:
    """A PostgreSQL server process of a test's own (a new cluster in a temporary folder, trust auth, a free
    port) that the test may stop, start and restart. PostgreSQL refuses to run as root, so its programs
    run as the `postgres` user when the tests run as root."""

    port: int
    folder: Path

    def _run(self, program: str, *arguments: str) -> None:
        command = [postgresql_binary(program), *arguments]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        done = subprocess.run(command, capture_output=True, text=True, timeout=60)
        if done.returncode != 0:
            # what the program said, and the server's own log, are what tell a failed start's cause
            log = self.folder / "server.log"
            server_said = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise PostgresProgramError(f"{program} failed ({done.returncode}): {done.stderr.strip()}\n{server_said}")

    @property
    def data(self) -> Path:
        return self.folder / "data"

    def create(self) -> PostgresServer:
        self.folder.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres", "postgres")
        self._run("initdb", "--auth=trust", "--username=postgres", "-D", str(self.data))
        return self.start()

    def start(self) -> PostgresServer:
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.folder}"
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.folder / "server.log"), "-o", options, "-w", "start")
        return self

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    def restart(self) -> None:
        # with its log named again: else the server would write to pg_ctl's output, held open for ever
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.folder / "server.log"), "-m", "fast", "-w", "restart")

    def tracker(self) -> dict[str, str]:
        """The TRACKER_DB_* variables of endpoints.yml for conversations in this server's `postgres` database."""
        return {
            "TRACKER_DB_DIALECT": "postgresql",
            "TRACKER_DB": "postgres",
            "TRACKER_DB_HOST": "127.0.0.1",
            "TRACKER_DB_PORT": str(self.port),
            "TRACKER_DB_USER": "postgres",
            "TRACKER_DB_PASSWORD": "",
        }

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"


@contextlib.contextmanager
def throwaway_postgresql_server() -> Iterator[PostgresServer]:
    # A folder of its own under /tmp: pytest's temporary folders are root's alone, and PostgreSQL
    # runs as the postgres user.
    folder = Path(tempfile.mkdtemp(prefix="throwaway-postgres-"))
    os.chmod(folder, 0o755)
    server = PostgresServer(free_port(), folder).create()
    try:
        yield server
    finally:
        with contextlib.suppress(PostgresProgramError):
            server.stop()
        shutil.rmtree(folder, ignore_errors=True)


def start_rasa(
    name: str,
    tmp: Path,
    action_url: str,
    alert_url: str = ALERTS_OFF,
    model: Path = MODEL,
    *,
    port: int | None = None,
    db: Path | None = None,
    credentials: Path | str = "credentials.yml",
    endpoints: Path | str = "endpoints.yml",
    cors: list[str] | None = None,
    tracker: dict[str, str] | None = None,
    extra_env: dict[str, str] | None = None,
) -> Rasa:
    """A Rasa server; `port` and `db` given again restart the same server, `cors` are its HTTP API's origins.

    Conversations go to the SQLite file `db`, or where `tracker` (the TRACKER_DB_* variables) says.
    Messaging apps are off unless `extra_env` (added to the server's environment) sets their variables.
    """
    port, token, db = port or free_port(), uuid.uuid4().hex, db or tmp / f"{name}.db"
    env = {
        **base_env(
            **messaging_apps_off(),
            ACTION_SERVER_URL=action_url,
            CRISIS_ALERT_URL=alert_url,
            **(tracker or sqlite_tracker(db)),
        ),
        **(extra_env or {}),
    }
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
        str(endpoints),
        "--credentials",
        str(credentials),
    ]
    if cors:
        command += ["--cors", *cors]
    server = start(name, command, f"http://127.0.0.1:{port}/status?token={token}", env)
    return Rasa(
        f"http://127.0.0.1:{port}", server.process, server.log, token=token, db=db, rest_token=env["REST_TOKEN"]
    )


def start_actions(name: str = "actions", *, extra_env: dict[str, str] | None = None) -> Server:
    """The action server; `extra_env` is added to its environment (e.g. Sanic's SANIC_* settings)."""
    port = free_port()
    command = [str(BIN / "rasa"), "run", "actions", "--actions", "actions", "--port", str(port)]
    return start(name, command, f"http://127.0.0.1:{port}/health", base_env(**(extra_env or {})))
