"""The conversation list: each filter finds exactly its conversations, crisis ones awaiting review first."""

from __future__ import annotations

import csv
import datetime
import io
import json
import re

import pytest
import requests

from review.conversation_facts import UNANSWERED_INTENTS
from tests.review.conftest import Stack, listed, new_sender

PHONE = "07700 900461"


def seeded_in(stack: Stack, ids: list[str]) -> set[str]:
    """Which of the seeded conversations (by kind) are among these ids; others' tests add their own."""
    return {kind for kind, sender in stack.seeded.items() if sender in ids}


ALL = {
    "crisis_open", "crisis_done", "distress", "fallback", "out_of_scope", "outside_content", "ect", "old", "tms_widget",
}  # fmt: skip


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({}, ALL),
        ({"crisis": "yes"}, {"crisis_open", "crisis_done"}),
        ({"crisis": "yes", "reviewed": "no"}, {"crisis_open"}),
        ({"reviewed": "yes"}, {"crisis_done"}),
        ({"distress": "yes"}, {"distress"}),
        ({"unanswered": "yes"}, {"fallback", "out_of_scope", "outside_content"}),
        ({"channel": "socketio"}, {"tms_widget"}),
        ({"channel": "rest"}, ALL - {"tms_widget"}),
        ({"topic": "ect"}, {"ect"}),
        ({"topic": "tms"}, {"tms_widget"}),
        ({"text": "FIZZLE"}, {"fallback"}),
        ({"crisis": "yes", "channel": "socketio"}, set()),
    ],
)
def test_each_filter_finds_exactly_its_conversations(stack: Stack, staff: requests.Session, filters, expected):
    assert seeded_in(stack, listed(staff, stack.review.url, **filters)) == expected


def test_the_date_range_counts_days_in_utc_with_both_ends_included(stack: Stack, staff: requests.Session, today):
    ten_days_ago = (today - datetime.timedelta(days=10)).isoformat()
    url = stack.review.url
    assert seeded_in(stack, listed(staff, url, date_from=ten_days_ago, date_to=ten_days_ago)) == {"old"}
    assert seeded_in(stack, listed(staff, url, date_from=today.isoformat())) == ALL - {"old"}
    assert seeded_in(stack, listed(staff, url, date_to=(today - datetime.timedelta(days=1)).isoformat())) == {"old"}
    tomorrow = (today + datetime.timedelta(days=1)).isoformat()
    assert seeded_in(stack, listed(staff, url, date_from=tomorrow)) == set()


def test_a_wrong_date_is_explained_in_plain_words(stack: Stack, staff: requests.Session):
    answer = staff.get(f"{stack.review.url}/conversations", params={"date_from": "last tuesday"})
    assert answer.status_code == 400
    assert "write dates like 2025-03-31" in answer.text


def test_crisis_conversations_awaiting_review_come_first_and_are_counted_in_the_header(
    stack: Stack, staff: requests.Session
):
    page = staff.get(f"{stack.review.url}/conversations").text
    rows = re.findall(r'<tr class="(pinned|)">.*?<span class="id">(.*?)</span>', page, re.S)
    pinned = [sender for kind, sender in rows if kind == "pinned"]
    assert stack.seeded["crisis_open"] in pinned
    assert stack.seeded["crisis_done"] not in pinned
    first_unpinned = next(position for position, (kind, _) in enumerate(rows) if kind != "pinned")
    assert all(kind == "pinned" for kind, _ in rows[:first_unpinned])
    assert all(kind != "pinned" for kind, _ in rows[first_unpinned:])
    waiting = listed(staff, stack.review.url, crisis="yes", reviewed="no")
    count = re.search(r'<span class="count"[^>]*>(\d+)</span>', page).group(1)
    assert int(count) == len(waiting) == len(pinned)


def exported(staff: requests.Session, stack: Stack, file_format: str, **filters: str) -> list[dict]:
    answer = staff.get(f"{stack.review.url}/export", params={"format": file_format, **filters})
    assert answer.status_code == 200
    assert "attachment" in answer.headers["Content-Disposition"]
    if file_format == "csv":
        return list(csv.DictReader(io.StringIO(answer.text)))
    return [json.loads(line) for line in answer.text.splitlines()]


def stored_messages(stack: Stack, sender: str) -> list[tuple[str, str]]:
    """The person's and the assistant's messages as the Rasa server holds them."""
    events = stack.rasa.tracker(sender)["events"]
    return [
        ("person" if event["event"] == "user" else "assistant", event["text"])
        for event in events
        if event["event"] in ("user", "bot")
    ]


@pytest.mark.parametrize("file_format", ["csv", "jsonl"])
def test_an_export_holds_every_message_of_exactly_the_filtered_conversations(
    stack: Stack, staff: requests.Session, file_format
):
    rows = exported(staff, stack, file_format, unanswered="yes")
    ids = [row["conversation_id"] for row in rows]
    assert seeded_in(stack, ids) == {"fallback", "out_of_scope", "outside_content"}
    for kind in ("fallback", "out_of_scope", "outside_content"):
        sender = stack.seeded[kind]
        mine = [(row["speaker"], row["text"]) for row in rows if row["conversation_id"] == sender]
        assert mine == stored_messages(stack, sender)
    fallback = next(
        row for row in rows if row["conversation_id"] == stack.seeded["fallback"] and row["speaker"] == "person"
    )
    assert fallback["intent"] == "nlu_fallback" and fallback["channel"] == "rest"


def test_an_export_of_the_crisis_queue_marks_the_crisis_reply(stack: Stack, staff: requests.Session):
    rows = exported(staff, stack, "jsonl", crisis="yes", reviewed="no")
    assert seeded_in(stack, [row["conversation_id"] for row in rows]) == {"crisis_open"}
    mine = [row for row in rows if row["conversation_id"] == stack.seeded["crisis_open"]]
    assert any(row["response"] == "utter_crisis" for row in mine)
    assert all(row["crisis_flagged"] is True and row["reviewed"] is False for row in mine)


def test_the_audit_log_says_who_viewed_and_exported_what(stack: Stack, staff: requests.Session):
    sender = stack.seeded["distress"]
    staff.get(f"{stack.review.url}/conversation", params={"id": sender})
    exported(staff, stack, "csv", distress="yes")
    views = staff.get(f"{stack.review.url}/audit", params={"action": "view_conversation"}).text
    assert re.search(
        rf"pat\.reviewer</td>.*?view_conversation</td>\s*<td><a [^>]*>{re.escape(sender)}</a>", views, re.S
    )
    exports = staff.get(f"{stack.review.url}/audit", params={"action": "export"}).text
    details = re.findall(r'<td class="details">(.*?)</td>', exports, re.S)
    assert "pat.reviewer" in exports
    assert re.match(r"as CSV; \d+ conversations?; filtered by distress$", details[0]), details[0]
    assert not any("{" in line or "&#34;" in line for line in details), details


def test_the_audit_log_words_a_search_and_shows_the_words_searched_for_as_text(stack: Stack, staff: requests.Session):
    staff.get(f"{stack.review.url}/conversations", params={"text": "<i>blorp</i>", "crisis": "yes", "reviewed": "no"})
    searches = staff.get(f"{stack.review.url}/audit", params={"action": "search"}).text
    newest = re.search(r'<td class="details">(.*?)</td>', searches, re.S).group(1)
    assert newest == "filtered by crisis, not reviewed, words “&lt;i&gt;blorp&lt;/i&gt;”"


def test_a_crisis_conversation_is_listed_by_its_crisis_message_redacted_not_its_first(
    stack: Stack, staff: requests.Session
):
    sender = new_sender("crisis-preview")
    for message in ("hello, just looking around", f"i want to kill myself. call me on {PHONE} <i>now</i>", "/ect"):
        stack.rasa.say(sender, message)
    page = staff.get(f"{stack.review.url}/conversations", params={"text": sender}).text
    shown = re.search(rf'<td class="first">\s*<a href="([^"]*)">(.*?)</a>\s*<span class="id">{sender}<', page)
    assert shown, page
    assert shown.group(2) == "i want to kill myself. call me on [phone] &lt;i&gt;now&lt;/i&gt;"
    assert "just looking around" not in page and PHONE not in page


def test_unanswered_questions_are_grouped_by_wording_with_counts(stack: Stack, staff: requests.Session):
    sender = stack.seeded["fallback"] + "-again"
    for message in ("Blorp fizzle wugs!", "blorp, fizzle wug?", "qwxz vrrp"):
        stack.rasa.say(sender, message)
    intents = [
        event["parse_data"]["intent"]["name"]
        for event in stack.rasa.tracker(sender)["events"]
        if event["event"] == "user"
    ]
    assert set(intents) == {"nlu_fallback"}, intents
    page = staff.get(f"{stack.review.url}/unanswered").text
    groups = re.findall(r'<td class="number">(\d+)</td>\s*<td><p class="text">(.*?)</p>(.*?)</td>', page, re.S)
    blorp = [(int(count), wording, others) for count, wording, others in groups if "blorp" in wording.lower()]
    # with the seeded conversation's "blorp fizzle wug": three wordings in one group
    assert len(blorp) == 1
    count, _, others = blorp[0]
    assert count == 3 and others.count("<li>") == 2
    assert any(int(count) == 1 and wording == "qwxz vrrp" for count, wording, _ in groups)


def test_blank_messages_are_not_listed_as_unanswered_questions(stack: Stack, staff: requests.Session):
    sender = stack.seeded["fallback"] + "-blank"
    for message in ("", "   ", "\n\t"):
        stack.rasa.say(sender, message)
    intents = {e["parse_data"]["intent"]["name"] for e in stack.rasa.tracker(sender)["events"] if e["event"] == "user"}
    assert intents <= set(UNANSWERED_INTENTS), intents  # stored as questions the assistant could not answer
    page = staff.get(f"{stack.review.url}/unanswered").text
    wordings = re.findall(r'<p class="text">(.*?)</p>', page, re.S)
    assert wordings and all(wording.strip() for wording in wordings), wordings
