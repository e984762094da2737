"""Retention: old conversations go, recent ones stay, and crisis ones stay until someone has reviewed them; a
conversation goes whole or not at all; old audit lines lose whom they were about; SQLite zeroes what it deletes."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator

import requests
import sqlalchemy as sa

from review.database import audit as audit_log
from review.database import own_tables_engine
from review.retention import deleting_engine
from review.settings import Settings
from tests.review.conftest import DAY, Stack, csrf_of, listed, mark_reviewed, new_sender


def stored_conversations(stack: Stack) -> set[str]:
    with stack.owner.connect() as connection:
        return set(connection.execute(sa.text("SELECT DISTINCT sender_id FROM events")).scalars())


def test_the_retention_command_deletes_old_conversations_but_keeps_unreviewed_crisis_ones(
    stack: Stack, staff: requests.Session
):
    old, recent, old_crisis, old_crisis_reviewed = (
        new_sender(kind) for kind in ("old", "recent", "old-crisis", "old-crisis-reviewed")
    )
    for sender, message in (
        (old, "/greet"),
        (recent, "/greet"),
        (old_crisis, "/crisis"),
        (old_crisis_reviewed, "/crisis"),
    ):
        stack.rasa.say(sender, message)
    url = stack.review.url
    page = staff.get(f"{url}/conversation", params={"id": old})
    token = csrf_of(page)
    staff.post(f"{url}/conversation/note", data={"csrf_token": token, "id": old, "text": "nothing to follow up"})
    mark_reviewed(staff, url, old_crisis_reviewed)
    for sender in (old, old_crisis, old_crisis_reviewed):
        stack.age(sender, 100)

    done = stack.review.command("review.retention", "--days", "30")
    assert done.returncode == 0, done.stderr
    assert "Kept 1 older crisis conversations that no one has marked reviewed yet." in done.stdout

    kept = stored_conversations(stack)
    assert recent in kept and old_crisis in kept
    assert old not in kept and old_crisis_reviewed not in kept
    assert stack.seeded["old"] in kept  # ten days old: within the 30 days
    for gone in (old, old_crisis_reviewed):
        assert staff.get(f"{url}/conversation", params={"id": gone}).status_code == 404
    assert old not in listed(staff, url) and old_crisis in listed(staff, url, crisis="yes", reviewed="no")
    assert not stack.app_rows_of(old)
    assert "retention" in staff.get(f"{url}/audit", params={"action": "retention"}).text


def test_a_dry_run_deletes_nothing(stack: Stack):
    sender = new_sender("dry")
    stack.rasa.say(sender, "/greet")
    stack.age(sender, 400)
    done = stack.review.command("review.retention", "--days", "365", "--dry-run")
    assert done.returncode == 0, done.stderr
    assert "Would delete" in done.stdout
    assert sender in stored_conversations(stack)


def test_a_crisis_after_the_review_keeps_the_conversation_from_retention(stack: Stack, staff: requests.Session):
    sender = new_sender("second-crisis")
    stack.rasa.say(sender, "/crisis")
    mark_reviewed(staff, stack.review.url, sender)
    stack.rasa.say(sender, "i want to end my life")  # a new crisis, after the review
    stack.age(sender, 100)
    done = stack.review.command("review.retention", "--days", "30")
    assert done.returncode == 0, done.stderr
    assert sender in stored_conversations(stack)


@contextlib.contextmanager
def app_tables(stack: Stack) -> Iterator[sa.engine.Connection]:
    """The review app's own tables, as the app reaches them."""
    engine = own_tables_engine(Settings.from_env(stack.review.env))
    try:
        with engine.begin() as connection:
            yield connection
    finally:
        engine.dispose()


def test_audit_lines_older_than_the_retention_period_lose_the_conversation_and_the_words_searched_for(
    stack: Stack, staff: requests.Session
):
    sender, words = new_sender("audited"), f"pills{uuid.uuid4().hex[:8]}"
    stack.rasa.say(sender, "/greet")
    url = stack.review.url
    assert staff.get(f"{url}/conversation", params={"id": sender}).status_code == 200
    listed(staff, url, text=words)
    about_them = sa.or_(audit_log.c.conversation_id == sender, audit_log.c.details.contains(words))
    with app_tables(stack) as connection:
        old_ids = list(connection.execute(sa.select(audit_log.c.id).where(about_them)).scalars())
        connection.execute(audit_log.update().where(about_them).values(at=audit_log.c.at - 100 * DAY))
    listed(staff, url, text=words)  # a search within the period keeps its words

    done = stack.review.command("review.retention", "--days", "30")
    assert done.returncode == 0, done.stderr

    with app_tables(stack) as connection:
        old = connection.execute(sa.select(audit_log).where(audit_log.c.id.in_(old_ids))).all()
        recent = connection.execute(sa.select(audit_log).where(audit_log.c.details.contains(words))).all()
    assert {line.action for line in old} == {"view_conversation", "search"}  # the lines stay
    assert all(line.username == "pat.reviewer" and line.conversation_id is None for line in old)
    assert all(words not in (line.details or "") for line in old)
    assert [line.action for line in recent] == ["search"] and recent[0].id not in old_ids


@contextlib.contextmanager
def deletion_refused(stack: Stack, sender: str) -> Iterator[None]:
    """A trigger that refuses to delete this conversation's notes, which retention deletes after its events,
    its index row and its mark: a failure midway."""
    if stack.dialect == "sqlite":
        engine = sa.create_engine(f"sqlite:///{stack.review.env['REVIEW_DB']}")
        create = [
            f"CREATE TRIGGER keep_notes BEFORE DELETE ON review_notes WHEN old.sender_id = '{sender}' "
            "BEGIN SELECT RAISE(ABORT, 'kept by the test'); END"
        ]
        drop = ["DROP TRIGGER keep_notes"]
    else:
        engine = stack.owner
        create = [
            "CREATE FUNCTION keep_notes() RETURNS trigger LANGUAGE plpgsql AS "
            "$$BEGIN RAISE EXCEPTION 'kept by the test'; END$$",
            "CREATE TRIGGER keep_notes BEFORE DELETE ON review.review_notes FOR EACH ROW "
            f"WHEN (OLD.sender_id = '{sender}') EXECUTE FUNCTION keep_notes()",
        ]
        drop = ["DROP TRIGGER keep_notes ON review.review_notes", "DROP FUNCTION keep_notes()"]
    with engine.begin() as connection:
        for statement in create:
            connection.exec_driver_sql(statement)
    try:
        yield
    finally:
        with engine.begin() as connection:
            for statement in drop:
                connection.exec_driver_sql(statement)
        if engine is not stack.owner:
            engine.dispose()


def events_of(stack: Stack, sender: str) -> int:
    with stack.owner.connect() as connection:
        query = sa.text("SELECT count(*) FROM events WHERE sender_id = :sender")
        return connection.execute(query, {"sender": sender}).scalar()


def test_a_conversation_whose_deletion_fails_midway_is_kept_whole(stack: Stack, staff: requests.Session):
    sender = new_sender("refused")
    stack.rasa.say(sender, "/greet")
    url = stack.review.url
    page = staff.get(f"{url}/conversation", params={"id": sender})
    staff.post(f"{url}/conversation/note", data={"csrf_token": csrf_of(page), "id": sender, "text": "call back"})
    mark_reviewed(staff, url, sender)
    assert sender in listed(staff, url)  # indexed
    stack.age(sender, 100)
    stored, app_rows = events_of(stack, sender), stack.app_rows_of(sender)
    assert stored and len(app_rows) == 3  # the index row, the mark, the note

    with deletion_refused(stack, sender):
        done = stack.review.command("review.retention", "--days", "30")
    assert done.returncode != 0 and "kept by the test" in done.stderr, done.stderr
    assert events_of(stack, sender) == stored
    assert len(stack.app_rows_of(sender)) == len(app_rows)

    done = stack.review.command("review.retention", "--days", "30")
    assert done.returncode == 0, done.stderr
    assert events_of(stack, sender) == 0 and not stack.app_rows_of(sender)


def test_on_sqlite_the_deleting_connection_overwrites_what_it_deletes(sqlite_stack: Stack):
    settings = Settings.from_env(sqlite_stack.review.env)
    engine = deleting_engine(settings)
    try:
        with engine.connect() as connection:
            for schema in ("main", "app"):  # the conversation file, and the app's attached to it
                assert connection.exec_driver_sql(f"PRAGMA {schema}.secure_delete").scalar() == 1, schema
    finally:
        engine.dispose()

    # letters only, so that no redaction pattern changes them before they are stored
    sender = new_sender("overwritten")
    words = "nobody should read " + "".join(chr(ord("a") + int(digit, 16)) for digit in uuid.uuid4().hex)
    sqlite_stack.rasa.say(sender, words)
    sqlite_stack.age(sender, 100)
    stored_files = list(settings.tracker_file.parent.glob(f"{settings.tracker_file.name}*"))
    assert any(words.encode() in stored.read_bytes() for stored in stored_files)
    done = sqlite_stack.review.command("review.retention", "--days", "30")
    assert done.returncode == 0, done.stderr
    # neither in the file nor in its write-ahead log (which retention empties into the file)
    for stored in settings.tracker_file.parent.glob(f"{settings.tracker_file.name}*"):
        assert words.encode() not in stored.read_bytes(), stored.name
