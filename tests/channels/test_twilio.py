"""SMS and WhatsApp through Twilio, end to end: webhooks as Twilio posts them (form fields, signed with
X-Twilio-Signature), replies read where Twilio would receive them (the stand-in's Messages API)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import random
import re
from itertools import count

import pytest
import requests

from content_library.next_steps import load_next_steps
from tests.channels.conftest import CREDENTIALS, everything_stored
from tests.replies import TOPICS

OUR_NUMBER = "+14155238886"
message_numbers = count(random.randrange(10**9))


def signature(url: str, fields: dict[str, str], token: str = CREDENTIALS["TWILIO_AUTH_TOKEN"]) -> str:
    """Twilio's documented scheme: HMAC-SHA1 of the URL followed by each field's name and value, sorted by name."""
    signed = url + "".join(name + fields[name] for name in sorted(fields))
    return base64.b64encode(hmac.new(token.encode(), signed.encode(), hashlib.sha1).digest()).decode()


def incoming(sender: str, body: str, to: str = OUR_NUMBER) -> dict[str, str]:
    sid = f"SM{next(message_numbers):032x}"
    fields = {
        "ToCountry": "US",
        "ToState": "CA",
        "SmsMessageSid": sid,
        "NumMedia": "0",
        "ToCity": "SAN FRANCISCO",
        "SmsSid": sid,
        "SmsStatus": "received",
        "Body": body,
        "To": to,
        "NumSegments": "1",
        "MessageSid": sid,
        "AccountSid": CREDENTIALS["TWILIO_ACCOUNT_SID"],
        "From": sender,
        "ApiVersion": "2010-04-01",
        # Twilio sends (and signs) these empty when it knows no place for the number: most mobiles
        "FromCity": "",
        "FromState": "",
        "FromZip": "",
        "FromCountry": "GB" if sender.startswith("+44") else "",
        "ToZip": "",
    }
    if sender.startswith("whatsapp:"):
        fields |= {"ProfileName": "Sam", "WaId": sender.removeprefix("whatsapp:+"), "MessageType": "text"}
    return fields


def post(rasa, fields: dict[str, str], signed: str | None = None) -> requests.Response:
    signed = signature(CREDENTIALS["TWILIO_WEBHOOK_URL"], fields) if signed is None else signed
    return requests.post(
        f"{rasa.url}/webhooks/twilio/webhook", data=fields, headers={"X-Twilio-Signature": signed}, timeout=30
    )


def replies(platforms, number: str) -> list[dict]:
    return platforms.received("twilio", "Messages.json", lambda body: body["To"] == number)


def new_number(pattern: str = "+447700######") -> str:
    """A phone number of the pattern's country, each # a random digit (a new person each time)."""
    return re.sub("#", lambda _: str(random.randrange(10)), pattern)


def test_an_sms_question_gets_its_answer_with_numbered_choices(messaging_rasa, platforms):
    number = new_number()
    response = post(messaging_rasa, incoming(number, "how does electroconvulsive therapy work"))
    assert response.status_code == 200 and "<Response" in response.text
    [answer] = [reply for reply in replies(platforms, number) if TOPICS["ect"].short in reply["Body"]]
    assert answer["Body"].startswith(TOPICS["ect"].answer_text)
    assert answer["From"] == OUR_NUMBER
    related = [TOPICS[topic].label for topic in TOPICS["ect"].related]
    listed = re.findall(r"^(\d+)\. (.+)$", answer["Body"], re.MULTILINE)
    assert [title for _, title in listed][: len(related)] == related
    assert [int(number) for number, _ in listed] == list(range(1, len(listed) + 1))


def test_a_reply_with_a_number_is_read_as_that_choice(messaging_rasa, platforms):
    number = new_number()
    post(messaging_rasa, incoming(number, "what is ect"))
    offered = dict(re.findall(r"^(\d+)\. (.+)$", replies(platforms, number)[-1]["Body"], re.MULTILINE))
    chosen = next(topic for topic in TOPICS.values() if topic.label == offered["2"])
    post(messaging_rasa, incoming(number, "2"))
    assert replies(platforms, number)[-1]["Body"].startswith(chosen.answer_text)


def test_the_number_and_a_redelivery_are_read_from_the_conversation_not_from_server_memory(
    messaging_rasa, second_messaging_rasa, platforms
):
    number = new_number()
    first = incoming(number, "what is ect")
    post(messaging_rasa, first)
    offered = dict(re.findall(r"^(\d+)\. (.+)$", replies(platforms, number)[-1]["Body"], re.MULTILINE))
    chosen = next(topic for topic in TOPICS.values() if topic.label == offered["1"])
    # The answer, and then Twilio's late re-delivery of the first message, reach another server.
    post(second_messaging_rasa, incoming(number, "1"))
    assert replies(platforms, number)[-1]["Body"].startswith(chosen.answer_text)
    answered = len(replies(platforms, number))
    assert post(second_messaging_rasa, first).status_code == 200
    assert len(replies(platforms, number)) == answered


@pytest.mark.parametrize(
    ("pattern", "lines", "not_these"),
    [
        ("+447700######", ["Samaritans: call 116 123", "Call Samaritans: 116123", "call 999"], "988"),
        ("+3538512#####", ["Samaritans Ireland", "50808", "112"], "988"),
        ("+61412######", ["Lifeline: call 13 11 14", "000"], "988"),
        ("+6421######", ["1737", "111"], "988"),
        ("+1604555####", ["9-8-8 Suicide Crisis Helpline", "911"], "Lifeline"),
        ("+1415555####", ["988 Suicide & Crisis Lifeline", "Call 988 Suicide & Crisis Lifeline: 988", "911"], "9-8-8"),
        ("+4915112######", ["findahelpline.com"], "988"),
    ],
    ids=["gb", "ie", "au", "nz", "ca", "us", "de"],
)
def test_the_crisis_reply_has_the_lines_of_the_senders_country_in_text(
    messaging_rasa, platforms, pattern, lines, not_these
):
    number = new_number(pattern)
    post(messaging_rasa, incoming(number, "i want to kill myself"))
    [crisis] = [reply["Body"] for reply in replies(platforms, number) if reply["Body"].startswith("You matter")]
    assert all(line in crisis for line in lines), crisis
    assert not_these not in crisis
    assert "Reply with a number" not in crisis  # every crisis button is a line to call, not a choice


def test_after_the_crisis_reply_the_next_steps_are_numbered_and_the_safety_plan_comes_as_text(
    messaging_rasa, platforms
):
    next_steps, number = load_next_steps(), new_number()
    post(messaging_rasa, incoming(number, "i want to kill myself"))
    [offer] = [reply["Body"] for reply in replies(platforms, number) if reply["Body"].startswith(next_steps.offer)]
    offered = {title: choice for choice, title in re.findall(r"^(\d+)\. (.+)$", offer, re.MULTILINE)}
    assert {step.label for step in next_steps.steps.values()} <= set(offered)
    post(messaging_rasa, incoming(number, offered[next_steps.steps["safety_plan"].label]))
    plan = replies(platforms, number)[-1]["Body"]
    assert all(f"Step {n} – {step.title}" in plan for n, step in enumerate(next_steps.plan.steps, 1))


def test_whatsapp_is_answered_from_the_whatsapp_sender_with_the_countrys_lines(messaging_rasa, platforms):
    person, ours = f"whatsapp:{new_number('+3538712#####')}", f"whatsapp:{OUR_NUMBER}"
    post(messaging_rasa, incoming(person, "I'm going to end my life tonight", to=ours))
    [crisis] = [reply for reply in replies(platforms, person) if reply["Body"].startswith("You matter")]
    assert crisis["From"] == ours
    assert "116 123" in crisis["Body"] and "50808" in crisis["Body"]


@pytest.mark.parametrize("signed", ["", "badly-signed", "other token"])
def test_a_request_without_twilios_signature_is_refused_and_answered_by_nobody(messaging_rasa, platforms, signed):
    number = new_number()
    fields = incoming(number, "what is tms")
    if signed == "other token":
        signed = signature(CREDENTIALS["TWILIO_WEBHOOK_URL"], fields, token="0" * 32)
    assert post(messaging_rasa, fields, signed=signed).status_code == 403
    assert replies(platforms, number) == []


def test_a_signature_over_other_fields_is_refused(messaging_rasa, platforms):
    number = new_number()
    fields = incoming(number, "what is tms")
    signed = signature(CREDENTIALS["TWILIO_WEBHOOK_URL"], fields)
    assert post(messaging_rasa, {**fields, "Body": "i want to kill myself"}, signed=signed).status_code == 403
    assert replies(platforms, number) == []


def test_a_duplicate_delivery_of_a_message_is_answered_once(messaging_rasa, platforms):
    number = new_number()
    fields = incoming(number, "what is ketamine")
    post(messaging_rasa, fields)
    answered = len(replies(platforms, number))
    assert answered >= 1
    assert post(messaging_rasa, fields).status_code == 200
    assert len(replies(platforms, number)) == answered


def test_the_conversation_store_holds_no_phone_number(messaging_rasa, platforms):
    number = new_number()
    post(messaging_rasa, incoming(number, "what is tms"))
    assert replies(platforms, number)
    stored = everything_stored(messaging_rasa)
    assert number.lstrip("+") not in stored
    assert "sms_" in stored
