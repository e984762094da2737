"""The conversation store's database restarted, stopped, or failing a save, under a running Rasa server:
no turn is lost, no conversation starts again blank, and a message that cannot be stored is answered in
plain words instead of from memory. The database is a PostgreSQL server of this module's own
(scripts/stack.py), so stopping it touches no other test."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from channels.failures import FAILED
from scripts.stack import PostgresServer, Rasa, start_rasa, throwaway_postgresql_server
from tests.replies import TOPICS, texts
from tests.test_crisis import CRISIS_MESSAGE


@pytest.fixture(scope="module")
def database() -> Iterator[PostgresServer]:
    with throwaway_postgresql_server() as server:
        yield server


@pytest.fixture(scope="module")
def rasa_on_it(action_server, database, tmp_path_factory) -> Iterator[Rasa]:
    server = start_rasa(
        "rasa-database-blip",
        tmp_path_factory.mktemp("blip"),
        f"{action_server.url}/webhook",
        tracker=database.tracker(),
    )
    yield server
    server.stop()


def run_sql(database: PostgresServer, *statements: str) -> list[tuple]:
    engine = sa.create_engine(database.url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            results = [connection.exec_driver_sql(statement) for statement in statements]
            return results[-1].fetchall() if results[-1].returns_rows else []
    finally:
        engine.dispose()


def stored_messages(database: PostgresServer, sender: str) -> list[str]:
    rows = run_sql(database, f"SELECT data FROM events WHERE sender_id = '{sender}' AND type_name = 'user' ORDER BY id")
    return [json.loads(data)["text"] for (data,) in rows]


def test_a_restart_of_the_database_loses_no_turn_and_keeps_the_crisis_flag(rasa_on_it, database, sender):
    rasa_on_it.say(sender, CRISIS_MESSAGE)
    database.restart()  # every pooled connection of the server is now dead
    assert TOPICS["tms"].answer_text in texts(rasa_on_it.say(sender, "what is tms"))
    assert rasa_on_it.tracker(sender)["slots"]["crisis_flagged"] is True
    assert stored_messages(database, sender) == [CRISIS_MESSAGE, "what is tms"]


def test_a_message_while_the_database_is_down_is_answered_in_plain_words_and_nothing_is_kept_in_memory(
    rasa_on_it, database, sender
):
    rasa_on_it.say(sender, CRISIS_MESSAGE)
    database.stop()
    try:
        replies = rasa_on_it.say(sender, "what is tms", timeout=60)
    finally:
        database.start()
    assert texts(replies) == [FAILED]
    log = rasa_on_it.log.read_text()
    assert f"Could not read conversation {sender} in the conversation store" in log
    assert "what is tms" not in log  # the log names the conversation, never what was said
    assert "InMemoryTrackerStore" not in log  # Rasa's fail-safe, which restarts the conversation blank
    # the database back, the conversation is the one it was: flagged, and nothing of the lost turn
    assert TOPICS["ect"].answer_text in texts(rasa_on_it.say(sender, "what is ect"))
    assert rasa_on_it.tracker(sender)["slots"]["crisis_flagged"] is True
    assert stored_messages(database, sender) == [CRISIS_MESSAGE, "what is ect"]


def test_a_save_that_fails_once_is_tried_again_and_stores_the_turn_once(rasa_on_it, database, sender):
    rasa_on_it.say(sender, "hello")
    # The next row written to the events table fails, as a save does whose connection is cut under it;
    # a sequence counts the writes, since a flag cleared inside the failing transaction is rolled back.
    run_sql(
        database,
        "CREATE SEQUENCE event_writes",
        """CREATE FUNCTION fail_first_write() RETURNS trigger AS $$ BEGIN
             IF nextval('event_writes') = 1 THEN
               RAISE EXCEPTION 'terminating connection due to administrator command' USING ERRCODE = '57P01';
             END IF;
             RETURN NEW;
           END $$ LANGUAGE plpgsql""",
        "CREATE TRIGGER fail_first_write BEFORE INSERT ON events FOR EACH ROW EXECUTE FUNCTION fail_first_write()",
    )
    try:
        assert TOPICS["tms"].answer_text in texts(rasa_on_it.say(sender, "what is tms"))
    finally:
        run_sql(
            database,
            "DROP TRIGGER fail_first_write ON events",
            "DROP FUNCTION fail_first_write",
            "DROP SEQUENCE event_writes",
        )
    assert stored_messages(database, sender) == ["hello", "what is tms"]
    assert f"The conversation store failed to store conversation {sender}" in rasa_on_it.log.read_text()


def test_a_save_that_keeps_failing_is_answered_in_plain_words_and_logs_nothing_the_person_wrote(
    rasa_on_it, database, sender
):
    message = "tell me about tms, my sister keeps asking"
    run_sql(
        database,
        """CREATE FUNCTION refuse_writes() RETURNS trigger AS $$ BEGIN
             RAISE EXCEPTION 'writes refused';
           END $$ LANGUAGE plpgsql""",
        "CREATE TRIGGER refuse_writes BEFORE INSERT ON events FOR EACH ROW EXECUTE FUNCTION refuse_writes()",
    )
    try:
        replies = texts(rasa_on_it.say(sender, message))
    finally:
        run_sql(database, "DROP TRIGGER refuse_writes ON events", "DROP FUNCTION refuse_writes")
    assert replies[-1] == FAILED
    log = rasa_on_it.log.read_text()
    assert f"Could not store conversation {sender} in the conversation store: writes refused" in log
    # SQLAlchemy's error names the statement's parameters: the event, with the person's words
    assert "my sister keeps asking" not in log
