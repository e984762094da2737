"""One real Rasa server with all four messaging apps on, their APIs pointed at a local stand-in.

The server reads the project's own credentials.yml; only the environment it is given is the tests':
made-up credentials, and each app's API address on the stand-in. The public webhook addresses are
what the platforms would be told (nothing is sent to them): Twilio signs that address, so the test
signs it too, as Twilio would behind a proxy.
"""

from __future__ import annotations

import sqlite3
import time

import pytest

from scripts.stack import Rasa, Server, start_rasa
from tests.channels.standin import PlatformStandIn

PUBLIC_URL = "https://assistant.example.org/webhooks"

CREDENTIALS = {
    "TELEGRAM_BOT_TOKEN": "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw",
    "TELEGRAM_SECRET_TOKEN": "telegram-secret_Zx81kq0Lm",
    "TELEGRAM_WEBHOOK_URL": f"{PUBLIC_URL}/telegram/webhook",
    "SLACK_BOT_TOKEN": "xoxb-17653672481-19874698323-pdFZKVeTuE8sk7oOcBrzbqgy",
    "SLACK_SIGNING_SECRET": "8f742231b10e8888abcd99yyyzzz85a5",
    "TWILIO_ACCOUNT_SID": "AC7a4b1c2d3e4f5a6b7c8d9e0f1a2b3c4d",
    "TWILIO_AUTH_TOKEN": "12345678901234567890abcdefabcdef",
    "TWILIO_WEBHOOK_URL": f"{PUBLIC_URL}/twilio/webhook",
    "FACEBOOK_VERIFY_TOKEN": "messenger-verify-4f1c",
    "FACEBOOK_APP_SECRET": "9d1e5a2c7b3f4e6d8a0b1c2d3e4f5a6b",
    "FACEBOOK_PAGE_ACCESS_TOKEN": "EAAGm0PX4ZCpsBAtestpagetoken",
    # as in a deployment: the REST channel is behind its token
    "REST_TOKEN": "rest-channel-token-7c1d",
}


def saved_tracker(rasa: Rasa, conversation: str, text: str, seconds: float = 10) -> dict:
    """The conversation once its turn for the text is stored: the replies are sent before the save."""
    deadline = time.monotonic() + seconds
    while True:
        tracker = rasa.tracker(conversation)
        if tracker["latest_message"].get("text") == text or time.monotonic() > deadline:
            return tracker
        time.sleep(0.2)


def everything_stored(rasa: Rasa) -> str:
    """Every conversation id and event the server stored, as one text: to look for what must not be there."""
    with sqlite3.connect(rasa.db) as store:
        return " ".join(row[0] for row in store.execute("SELECT sender_id || ' ' || data FROM events"))


@pytest.fixture(scope="session")
def platforms() -> PlatformStandIn:
    return PlatformStandIn().start()


def messaging_env(platforms: PlatformStandIn) -> dict[str, str]:
    return {
        **CREDENTIALS,
        "TELEGRAM_API_URL": f"{platforms.url}/telegram",
        "SLACK_API_URL": f"{platforms.url}/slack/api",
        "TWILIO_API_URL": f"{platforms.url}/twilio",
        "FACEBOOK_API_URL": f"{platforms.url}/facebook/v25.0",
    }


@pytest.fixture(scope="session")
def messaging_rasa(action_server: Server, platforms: PlatformStandIn, tmp_path_factory) -> Rasa:
    server = start_rasa(
        "rasa-messaging",
        tmp_path_factory.mktemp("rasa"),
        f"{action_server.url}/webhook",
        extra_env=messaging_env(platforms),
    )
    yield server
    server.stop()


@pytest.fixture(scope="session")
def second_messaging_rasa(
    action_server: Server, platforms: PlatformStandIn, messaging_rasa: Rasa, tmp_path_factory
) -> Rasa:
    """Another server on the same conversation store, as behind a load balancer, that has seen no message."""
    server = start_rasa(
        "rasa-messaging-second",
        tmp_path_factory.mktemp("rasa"),
        f"{action_server.url}/webhook",
        db=messaging_rasa.db,
        extra_env=messaging_env(platforms),
    )
    yield server
    server.stop()
