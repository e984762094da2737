"""Retention: old conversations go, recent ones stay, and crisis ones stay until someone has reviewed them."""

from __future__ import annotations

import requests
import sqlalchemy as sa

from tests.review.conftest import Stack, csrf_of, listed, mark_reviewed, new_sender


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
