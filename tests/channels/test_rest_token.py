"""The REST channel behind its token (REST_TOKEN), as in a deployment: without it no one can post as
any sender, and so read another person's replies or write into their conversation."""

from __future__ import annotations

import pytest
import requests

from tests.test_crisis import CRISIS_MESSAGE, crisis_reply


def post(rasa, sender: str, headers: dict[str, str]) -> requests.Response:
    body = {"sender": sender, "message": CRISIS_MESSAGE}
    return requests.post(f"{rasa.url}/webhooks/rest/webhook", json=body, headers=headers, timeout=30)


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer not-the-token"}, {"Authorization": "rest-channel-token-7c1d"}],
    ids=["no token", "a wrong token", "the token without Bearer"],
)
def test_a_request_without_the_token_is_refused_in_plain_words_and_stores_nothing(messaging_rasa, headers, sender):
    answer = post(messaging_rasa, sender, headers)
    assert answer.status_code == 401
    assert answer.json() == {
        "status": 401,
        "message": "This channel needs its token: Authorization: Bearer <token>.",
    }
    assert [event for event in messaging_rasa.tracker(sender)["events"] if event["event"] == "user"] == []


def test_a_request_with_the_token_is_answered(messaging_rasa, sender):
    answer = post(messaging_rasa, sender, {"Authorization": f"Bearer {messaging_rasa.rest_token}"})
    assert answer.status_code == 200 and crisis_reply(answer.json())
