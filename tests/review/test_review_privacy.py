"""Contact details never reach the database; the review app cannot change conversations; a broken store stops Rasa."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import requests
import sqlalchemy as sa

from review.database import StoreUnavailableError, prepare, review_engine
from review.settings import Settings
from scripts.stack import LOGS, Server, sqlite_tracker, start_rasa
from tests.review.conftest import Stack, new_sender

PHONE = "07700 900461"
EMAIL = "jo.bloggs.trd@example.org"


def test_a_phone_number_or_e_mail_sent_in_a_message_is_nowhere_in_the_database(stack: Stack, staff: requests.Session):
    sender = new_sender("contact")
    metadata = {"email": EMAIL, "country": "GB"}
    stack.rasa.say(sender, f"please call me on {PHONE} or write to {EMAIL}", metadata=metadata)
    stack.rasa.say(sender, f"my number again: {PHONE.replace(' ', '')}")
    page = staff.get(f"{stack.review.url}/conversation", params={"id": sender}).text
    assert "please call me on [phone] or write to [email]" in page
    stored = stack.stored_text()
    assert sender in stored
    for detail in (PHONE, PHONE.replace(" ", ""), "900461", EMAIL, "jo.bloggs"):
        assert detail not in stored, detail


def test_the_crisis_detector_reads_the_message_before_its_contact_details_are_redacted(stack: Stack):
    sender = new_sender("crisis-contact")
    replies = stack.rasa.say(sender, f"i want to kill myself. call me on {PHONE}")
    assert any(reply.get("text", "").startswith("You matter") for reply in replies), replies
    with stack.owner.connect() as connection:
        stored = connection.execute(
            sa.text("SELECT intent_name, data FROM events WHERE sender_id = :sender AND type_name = 'user'"),
            {"sender": sender},
        ).one()
    assert stored.intent_name == "crisis"
    assert json.loads(stored.data)["text"] == "i want to kill myself. call me on [phone]"


def test_the_assistant_s_replies_with_the_crisis_lines_are_stored_as_sent(stack: Stack):
    sender = new_sender("lines")
    replies = stack.rasa.say(sender, "/crisis", metadata={"country": "GB"})
    with stack.owner.connect() as connection:
        rows = connection.execute(
            sa.text("SELECT data FROM events WHERE sender_id = :sender AND type_name = 'bot' ORDER BY id"),
            {"sender": sender},
        )
        stored = [json.loads(data)["text"] for (data,) in rows]
    sent = [reply["text"] for reply in replies if "text" in reply]
    assert any(re.search(r"\d{3}", text) for text in sent)
    assert stored[-len(sent) :] == sent


def review_settings(stack: Stack, **changes: str) -> Settings:
    return Settings.from_env({**stack.review.env, **changes})


def test_the_review_app_s_connection_cannot_change_the_conversations(stack: Stack):
    engine = review_engine(review_settings(stack))
    try:
        with engine.connect() as connection:
            assert connection.execute(sa.text("SELECT count(*) FROM events")).scalar() > 0
        for statement in ("DELETE FROM events", "UPDATE events SET data = ''", "DROP TABLE events"):
            refused = pytest.raises(sa.exc.DBAPIError, match="readonly|permission denied|must be owner")
            with refused, engine.begin() as connection:
                connection.execute(sa.text(statement))
    finally:
        engine.dispose()


def test_on_postgresql_the_app_refuses_a_role_that_could_change_conversations(postgresql_stack: Stack):
    owner = postgresql_stack.review.env["TRACKER_DB_USER"]
    with pytest.raises(StoreUnavailableError, match="can change the conversations"):
        prepare(review_settings(postgresql_stack, REVIEW_DB_USER=owner))


POSTGRES = {
    "TRACKER_DB_DIALECT": "postgresql",
    "TRACKER_DB_HOST": "127.0.0.1",
    "TRACKER_DB_PORT": "5432",
    "TRACKER_DB_USER": "postgres",
    "TRACKER_DB_PASSWORD": "",
}


@pytest.mark.parametrize(
    ("tracker", "says"),
    [
        (sqlite_tracker(Path("/nonexistent-folder/conversations.db")), "unable to open database file"),
        ({**POSTGRES, "TRACKER_DB": "no_such_database_for_trd"}, 'database "no_such_database_for_trd" does not exist'),
        ({**POSTGRES, "TRACKER_DB": "trd", "TRACKER_DB_PORT": "5"}, "Connection refused"),
        ({**sqlite_tracker(Path("unused.db")), "TRACKER_DB_DIALECT": "postgress"}, "it must be one of sqlite"),
    ],
    ids=["sqlite-folder-missing", "postgresql-database-missing", "postgresql-not-listening", "dialect-misspelt"],
)
def test_a_misconfigured_store_stops_rasa_with_a_clear_message(action_server: Server, tmp_path, tracker, says):
    with pytest.raises(RuntimeError, match="exited early"):
        start_rasa("rasa-bad-store", tmp_path, f"{action_server.url}/webhook", tracker=tracker)
    log = " ".join((LOGS / "test-rasa-bad-store.log").read_text().split())
    assert "ConversationStoreUnavailable: Cannot open the conversation store" in log or "TRACKER_DB_DIALECT is" in log
    assert says in log
    assert "InMemoryTrackerStore" not in log
