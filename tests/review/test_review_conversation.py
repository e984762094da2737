"""One conversation's page: every message in order with its marks; notes, tags and the reviewed mark stay."""

from __future__ import annotations

import datetime
import re

import requests

from tests.review.conftest import Stack, csrf_of, listed, mark_reviewed, new_sender


def conversation_page(staff: requests.Session, stack: Stack, sender: str) -> str:
    answer = staff.get(f"{stack.review.url}/conversation", params={"id": sender})
    assert answer.status_code == 200, answer.text
    return answer.text


def messages_of(page: str) -> list[tuple[str, str]]:
    """(speaker, text) of every message on the page, in order."""
    found = re.findall(r'<li class="message (person|assistant)[^"]*"[^>]*>.*?<p class="text">(.*?)</p>', page, re.S)
    return [(speaker, text) for speaker, text in found]


def test_every_message_and_reply_is_shown_in_order_with_intent_topic_and_marks(stack: Stack, staff: requests.Session):
    sender = new_sender("page")
    for message in ("/greet", "/ect", "/distress", "/crisis"):
        stack.rasa.say(sender, message)
    page = conversation_page(staff, stack, sender)

    stored = [event for event in stack.rasa.tracker(sender)["events"] if event["event"] in ("user", "bot")]
    shown = messages_of(page)
    assert [speaker for speaker, _ in shown] == ["person" if e["event"] == "user" else "assistant" for e in stored]
    said = [text for speaker, text in shown if speaker == "person"]
    assert said[0].startswith("/greet") and "(a button)" in said[0]
    assert "intent ect (100%)" in page and "Topic: ECT" in page
    assert re.search(r'class="message person">.*?intent distress.*?<span class="mark distress">', page, re.S)
    assert re.search(r'class="message assistant crisis">.*?utter_crisis.*?<span class="mark crisis">', page, re.S)
    assert "Awaiting review" in page


def test_the_chat_opening_is_shown_as_such_and_is_not_counted_as_the_persons_message(
    stack: Stack, staff: requests.Session
):
    sender = new_sender("opened")
    stack.rasa.say(sender, "/start")  # what the widget sends when its panel first opens
    stack.rasa.say(sender, "what is ect")
    page = conversation_page(staff, stack, sender)
    said = [text for speaker, text in messages_of(page) if speaker == "person"]
    assert said == ['/start <span class="payload">(opened the chat)</span>', "what is ect"]
    assert "· 1 message ·" in page
    listing = staff.get(f"{stack.review.url}/conversations", params={"text": sender}).text
    assert re.findall(r'<td class="number" data-label="Messages">(\d+)</td>', listing) == ["1"]
    assert re.search(r'<a href="/conversation\?id=[^"]+">what is ect</a>', listing)


def to_the_second(timestamp: float) -> str:
    return datetime.datetime.fromtimestamp(timestamp, tz=datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")


def test_times_are_shown_to_the_second_on_the_conversation_and_in_the_list(stack: Stack, staff: requests.Session):
    sender = new_sender("seconds")
    stack.rasa.say(sender, "/greet")
    stored = [event["timestamp"] for event in stack.rasa.tracker(sender)["events"] if event["event"] in ("user", "bot")]
    page = conversation_page(staff, stack, sender)
    assert re.findall(r"<time>(.*?)</time>", page) == [to_the_second(timestamp) for timestamp in stored]
    listing = staff.get(f"{stack.review.url}/conversations", params={"text": sender}).text
    assert re.findall(r'<td class="time"[^>]*>(.*?)</td>', listing) == [to_the_second(max(stored))]


def test_conversation_text_is_shown_as_text_never_as_markup(stack: Stack, staff: requests.Session):
    sender = new_sender("escape")
    stack.rasa.say(sender, '<script>alert("x")</script><img src=x onerror=alert(1)>')
    page = conversation_page(staff, stack, sender)
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;" in page
    listing = staff.get(f"{stack.review.url}/conversations", params={"text": "onerror"}).text
    assert "<img src=x" not in listing and "&lt;img src=x" in listing


def up_to_of(page: requests.Response) -> str:
    return re.search(r'name="up_to" value="(\d+)"', page.text).group(1)


def test_notes_tags_and_the_reviewed_mark_are_kept_across_a_restart(stack: Stack, staff: requests.Session):
    sender = new_sender("kept")
    stack.rasa.say(sender, "/crisis")
    url = stack.review.url
    page_before = staff.get(f"{url}/conversation", params={"id": sender})
    token = csrf_of(page_before)
    note = "Called back <b>on Monday</b>; safe & with family."
    for form, data in (
        ("note", {"text": note}),
        ("tag", {"tag": "Follow up"}),
        ("tag", {"tag": "helpline given"}),
        ("untag", {"tag": "helpline given"}),
        ("reviewed", {"reviewed": "yes", "up_to": up_to_of(page_before)}),
    ):
        answer = staff.post(f"{url}/conversation/{form}", data={"csrf_token": token, "id": sender, **data})
        assert answer.status_code == 200 and answer.url.startswith(f"{url}/conversation?id="), answer.text

    stack.review.stop()
    stack.review.start()
    page = conversation_page(stack.review.login(), stack, sender)
    assert "Called back &lt;b&gt;on Monday&lt;/b&gt;; safe &amp; with family." in page
    assert "pat.reviewer" in page and "Reviewed by <strong>pat.reviewer</strong>" in page
    assert "<span>follow up</span>" in page and "helpline given" not in page
    assert (
        sender not in stack.review.login().get(f"{url}/conversations", params={"crisis": "yes", "reviewed": "no"}).text
    )


def test_a_conversation_can_be_marked_not_reviewed_again(stack: Stack, staff: requests.Session):
    sender = new_sender("unmark")
    stack.rasa.say(sender, "/crisis")
    url = stack.review.url
    token = csrf_of(staff.get(f"{url}/conversation", params={"id": sender}))
    for reviewed in ("yes", "no"):
        staff.post(f"{url}/conversation/reviewed", data={"csrf_token": token, "id": sender, "reviewed": reviewed})
    assert "Not reviewed yet" in conversation_page(staff, stack, sender)


def test_an_unknown_conversation_is_explained(stack: Stack, staff: requests.Session):
    answer = staff.get(f"{stack.review.url}/conversation", params={"id": "no-such-conversation"})
    assert answer.status_code == 404
    assert "There is no conversation with that id" in answer.text


def test_a_crisis_after_the_review_puts_the_conversation_back_in_the_queue(stack: Stack, staff: requests.Session):
    sender = new_sender("again")
    stack.rasa.say(sender, "/crisis")
    url = stack.review.url
    assert mark_reviewed(staff, url, sender).status_code == 200
    assert sender not in listed(staff, url, crisis="yes", reviewed="no")
    for message in ("thank you", "what is tms"):  # back later, talking of other things: still reviewed
        stack.rasa.say(sender, message)
    assert sender not in listed(staff, url, crisis="yes", reviewed="no")

    stack.rasa.say(sender, "/crisis")  # a new crisis
    waiting = listed(staff, url, crisis="yes", reviewed="no")
    assert sender in waiting
    assert listed(staff, url)[0] in waiting  # awaiting review: at the top of the list
    page = conversation_page(staff, stack, sender)
    assert "before a" in page and "later crisis" in page and "Mark reviewed" in page

    assert mark_reviewed(staff, url, sender).status_code == 200
    assert sender not in listed(staff, url, crisis="yes", reviewed="no")


def test_a_mark_covers_only_what_the_page_showed(stack: Stack, staff: requests.Session):
    sender = new_sender("stale")
    stack.rasa.say(sender, "/crisis")
    url = stack.review.url
    page = staff.get(f"{url}/conversation", params={"id": sender})
    stack.rasa.say(sender, "/crisis")  # arrives while the reviewer reads the older page
    data = {"csrf_token": csrf_of(page), "id": sender, "reviewed": "yes", "up_to": up_to_of(page)}
    staff.post(f"{url}/conversation/reviewed", data=data)
    assert sender in listed(staff, url, crisis="yes", reviewed="no")
