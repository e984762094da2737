"""The review app on real stores: a Rasa server writing conversations, the review app reading them.

Each stack runs twice over: on SQLite (files in a temporary folder) and on PostgreSQL (a throwaway
database and review role made for this run on 127.0.0.1:5432, dropped afterwards). Conversations
are driven through the Rasa server over REST and socket.io; the safety marks are reached with the
payloads the assistant's own buttons send ("/crisis"), so the tests do not hang on how one model
words its guesses.
"""

from __future__ import annotations

import contextlib
import datetime
import html
import re
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests
import sqlalchemy as sa

from review import roles
from review.database import PER_CONVERSATION, own_tables_engine
from review.settings import Settings
from scripts.stack import (
    POSTGRES_SERVER,
    PROJECT,
    Rasa,
    Server,
    base_env,
    free_port,
    postgresql_tracker,
    sqlite_tracker,
    start,
    start_rasa,
    throwaway_postgresql_database,
)
from tests.widget_socket import widget_socket

STAFF = "pat.reviewer"
PASSWORD = "a long staff passphrase"
DAY = 24 * 60 * 60
ROW_ID = re.compile(r'<span class="id">(.*?)</span>')
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass
class ReviewApp:
    url: str
    env: dict[str, str]
    server: Server | None = None

    def start(self) -> ReviewApp:
        port = int(self.url.rsplit(":", 1)[1])
        command = [sys.executable, "-m", "review", "--port", str(port)]
        self.server = start(f"review-{port}", command, f"{self.url}/login", self.env)
        return self

    def stop(self) -> None:
        if self.server:
            self.server.stop()

    def command(self, *args: str, stdin: str = "") -> subprocess.CompletedProcess:
        """One of the app's commands (python -m review.staff ...), in the app's environment."""
        return subprocess.run(
            [sys.executable, "-m", *args], cwd=PROJECT, env=self.env, input=stdin, capture_output=True, text=True
        )

    def login(self, username: str = STAFF, password: str = PASSWORD) -> requests.Session:
        browser = requests.Session()
        form = browser.get(f"{self.url}/login")
        answer = browser.post(
            f"{self.url}/login",
            data={"csrf_token": CSRF.search(form.text).group(1), "username": username, "password": password},
        )
        assert answer.status_code == 200 and answer.url.endswith("/conversations"), answer.text
        return browser


def csrf_of(page: requests.Response) -> str:
    return CSRF.search(page.text).group(1)


def mark_reviewed(browser: requests.Session, url: str, conversation_id: str) -> requests.Response:
    """Open the conversation and press "Mark reviewed", as staff do: the mark covers what the page showed."""
    page = browser.get(f"{url}/conversation", params={"id": conversation_id})
    up_to = re.search(r'name="up_to" value="(\d+)"', page.text).group(1)
    data = {"csrf_token": csrf_of(page), "id": conversation_id, "reviewed": "yes", "up_to": up_to}
    return browser.post(f"{url}/conversation/reviewed", data=data)


def listed(browser: requests.Session, url: str, **filters: str) -> list[str]:
    """The conversation ids on the list page with these filters, in the order shown."""
    page = browser.get(f"{url}/conversations", params=filters)
    assert page.status_code == 200, page.text
    return [html.unescape(found) for found in ROW_ID.findall(page.text)]


@dataclass
class Stack:
    dialect: str
    rasa: Rasa
    review: ReviewApp
    owner: sa.engine.Engine  # the conversation store as its owner, for what the tests must see or change
    seeded: dict[str, str] = field(default_factory=dict)

    def age(self, sender_id: str, days: float) -> None:
        """Moves a conversation back in time, as if it had happened `days` ago."""
        with self.owner.begin() as connection:
            connection.execute(
                sa.text("UPDATE events SET timestamp = timestamp - :shift WHERE sender_id = :sender"),
                {"shift": days * DAY, "sender": sender_id},
            )

    def stored_text(self) -> str:
        """Everything in the database (conversations and the app's own tables), as one text."""
        texts = []
        with self.owner.connect() as connection:
            for table in self.tables(connection):
                for row in connection.execute(sa.text(f"SELECT * FROM {table}")):
                    texts.append(" ".join(str(value) for value in row))
        return "\n".join(texts)

    def app_rows_of(self, sender_id: str) -> list:
        """The app's own rows (index, notes, tags, mark) about one conversation."""
        engine = own_tables_engine(Settings.from_env(self.review.env))
        try:
            with engine.connect() as connection:
                return [
                    row
                    for table in PER_CONVERSATION
                    for row in connection.execute(sa.select(table).where(table.c.sender_id == sender_id))
                ]
        finally:
            engine.dispose()

    def tables(self, connection: sa.engine.Connection) -> list[str]:
        if self.dialect == "sqlite":
            review_file = self.review.env["REVIEW_DB"]
            connection.execute(sa.text("ATTACH DATABASE :file AS app"), {"file": review_file})
            names = connection.execute(sa.text("SELECT name FROM sqlite_master WHERE type = 'table'")).scalars()
            app_names = connection.execute(sa.text("SELECT name FROM app.sqlite_master WHERE type = 'table'")).scalars()
            return [*names, *(f"app.{name}" for name in app_names)]
        query = sa.text(
            "SELECT table_schema || '.' || table_name FROM information_schema.tables "
            "WHERE table_schema IN ('public', 'review')"
        )
        return list(connection.execute(query).scalars())


def socketio_say(rasa: Rasa, messages: list[str]) -> str:
    """A conversation over the widget's channel; its id, as stored."""
    with widget_socket(rasa) as socket:
        for message in messages:
            assert socket.say(message), f"no reply over socket.io to {message!r}"
        return socket.conversation_id


def seed(stack: Stack) -> None:
    """Conversations whose marks are known, one kind each, named so that the tests can find them."""
    run = uuid.uuid4().hex[:8]
    conversations = {
        "crisis_open": ["hi", "/crisis"],
        "crisis_done": ["/crisis"],
        "distress": ["/distress"],
        "fallback": ["blorp fizzle wug"],
        "out_of_scope": ["/out_of_scope"],
        "outside_content": ["/outside_content"],
        "ect": ["/ect"],
        "old": ["/greet"],
    }
    for kind, messages in conversations.items():
        sender = stack.seeded[kind] = f"seed-{run}-{kind}"
        for message in messages:
            stack.rasa.say(sender, message)
    stack.seeded["tms_widget"] = socketio_say(stack.rasa, ["/tms"])
    # dated before the app first reads it: the app indexes a conversation when its events are new
    stack.age(stack.seeded["old"], 10)

    mark_reviewed(stack.review.login(), stack.review.url, stack.seeded["crisis_done"])


def start_review(tmp: Path, env: dict[str, str]) -> ReviewApp:
    review = ReviewApp(f"http://127.0.0.1:{free_port()}", base_env(**env))
    # an administrator: the tests of every page, exports and the audit log among them, sign in as STAFF
    added = review.command("review.staff", "add", STAFF, "--role", roles.ADMINISTRATOR, stdin=PASSWORD + "\n")
    assert added.returncode == 0, added.stderr
    return review.start()


@contextlib.contextmanager
def postgresql_review_store(prefix: str) -> Iterator[dict[str, str]]:
    """A throwaway database with a review role of its own, set up as `python -m review.postgres` does: the
    settings of both (the role is dropped with the database)."""
    role = f"trd_review_{uuid.uuid4().hex[:8]}"
    with throwaway_postgresql_database(prefix, role=role) as database:
        env = base_env(**postgresql_tracker(database), REVIEW_DB_USER=role, REVIEW_DB_PASSWORD="")
        granted = subprocess.run(
            [sys.executable, "-m", "review.postgres", "--create-role"],
            cwd=PROJECT,
            env=env,
            capture_output=True,
            text=True,
        )
        assert granted.returncode == 0, granted.stderr
        yield env


@pytest.fixture(scope="session")
def sqlite_stack(action_server: Server, tmp_path_factory) -> Iterator[Stack]:
    tmp = tmp_path_factory.mktemp("review-sqlite")
    tracker = sqlite_tracker(tmp / "conversations.db")
    rasa = start_rasa("rasa-review-sqlite", tmp, f"{action_server.url}/webhook", tracker=tracker)
    review = start_review(tmp, {**tracker, "REVIEW_DB": str(tmp / "review.db")})
    owner = sa.create_engine(f"sqlite:///{tracker['TRACKER_DB']}")
    stack = Stack("sqlite", rasa, review, owner)
    try:
        seed(stack)
        yield stack
    finally:
        review.stop()
        rasa.stop()
        owner.dispose()


@pytest.fixture(scope="session")
def postgresql_stack(action_server: Server, tmp_path_factory) -> Iterator[Stack]:
    with postgresql_review_store("trd_review_test") as env:
        tracker = postgresql_tracker(env["TRACKER_DB"])
        owner = sa.create_engine(f"{POSTGRES_SERVER}/{env['TRACKER_DB']}")
        rasa = review = None
        try:
            tmp = tmp_path_factory.mktemp("review-postgres")
            rasa = start_rasa("rasa-review-postgres", tmp, f"{action_server.url}/webhook", tracker=tracker)
            review = start_review(tmp, env)
            stack = Stack("postgresql", rasa, review, owner)
            seed(stack)
            yield stack
        finally:
            for server in (review, rasa):
                if server:
                    server.stop()
            owner.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def stack(request) -> Stack:
    return request.getfixturevalue(f"{request.param}_stack")


@pytest.fixture
def staff(stack: Stack) -> requests.Session:
    """A signed-in staff member's browser session."""
    return stack.review.login()


@pytest.fixture
def today() -> datetime.date:
    return datetime.datetime.now(datetime.timezone.utc).date()


def new_sender(kind: str) -> str:
    return f"{kind}-{uuid.uuid4().hex[:10]}x"
