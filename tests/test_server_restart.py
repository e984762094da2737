"""A Rasa server of its own on a PostgreSQL database of its own, stopped and started again, and then
the database lost under it: a crisis alert still pending at the stop is sent by the server started
after it, and the readiness check (GET /webhooks/ready/) says ready while the database answers and
not ready once it is gone. One database and two server starts serve both, in this order."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import requests
import sqlalchemy as sa

from brokers.alert_outbox import pending_alerts
from scripts.stack import POSTGRES_SERVER, Rasa, postgresql_tracker, start_rasa, throwaway_postgresql_database
from tests.test_crisis import CRISIS_MESSAGE


@dataclass
class Restarted:
    database: str
    sender: str  # whose crisis alert was pending when the first server stopped
    pending_at_stop: int  # that conversation's alerts pending in the database then
    delivered_before_restart: int
    server: Rasa  # the one started after the stop, on the same database


def pending_for(database: str, sender: str) -> int:
    engine = sa.create_engine(f"{POSTGRES_SERVER}/{database}")
    try:
        with engine.connect() as connection:
            return sum(sender in row.body for row in connection.execute(sa.select(pending_alerts)))
    finally:
        engine.dispose()


def readiness(rasa: Rasa) -> requests.Response:
    return requests.get(f"{rasa.url}/webhooks/ready/", timeout=10)


@pytest.fixture(scope="module")
def restarted(action_server, alert_receiver, tmp_path_factory) -> Iterator[Restarted]:
    sender = f"restart-{uuid.uuid4().hex[:12]}"
    with throwaway_postgresql_database("restart") as database:
        tracker, tmp = postgresql_tracker(database), tmp_path_factory.mktemp("restart")
        alert_receiver.refusals[sender] = 10**6  # the receiver is down for as long as the first server runs
        first = start_rasa(
            "rasa-before-restart", tmp, f"{action_server.url}/webhook", alert_receiver.url, tracker=tracker
        )
        try:
            first.say(sender, CRISIS_MESSAGE)
            deadline = time.monotonic() + 15
            while not alert_receiver.refused_for(sender) and time.monotonic() < deadline:
                time.sleep(0.2)
            pending = pending_for(database, sender)
        finally:
            first.stop()
        delivered = len(alert_receiver.alerts_for(sender))
        alert_receiver.refusals[sender] = 0
        second = start_rasa(
            "rasa-after-restart", tmp, f"{action_server.url}/webhook", alert_receiver.url, tracker=tracker
        )
        try:
            yield Restarted(database, sender, pending, delivered, second)
        finally:
            second.stop()


def test_an_alert_pending_when_the_server_stops_is_sent_when_it_starts_again(restarted, alert_receiver):
    assert restarted.pending_at_stop == 1 and restarted.delivered_before_restart == 0
    assert len(alert_receiver.wait_for(restarted.sender, seconds=30)) == 1
    assert pending_for(restarted.database, restarted.sender) == 0  # acknowledged: no longer pending


def test_the_server_is_ready_while_its_database_answers_and_not_once_it_is_gone(restarted):
    answer = readiness(restarted.server)
    assert answer.status_code == 200
    assert answer.json() == {"ready": True, "conversation_store": "reachable", "lock_store": "in memory"}
    admin = sa.create_engine(f"{POSTGRES_SERVER}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'DROP DATABASE "{restarted.database}" WITH (FORCE)')
    admin.dispose()
    answer = readiness(restarted.server)
    assert answer.status_code == 503
    assert answer.json()["ready"] is False and answer.json()["conversation_store"] == "unreachable"
    assert "the conversation store does not answer" in restarted.server.log.read_text()
