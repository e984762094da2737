"""A messaging app is off until its variables are set, and a half-set app stops the server at start."""

from __future__ import annotations

import subprocess

import pytest
import requests

from scripts.stack import BIN, MODEL, PROJECT, base_env, free_port, messaging_apps_off, sqlite_tracker
from tests.channels.conftest import CREDENTIALS

APPS = ["telegram", "slack", "twilio", "facebook"]


@pytest.mark.parametrize("app", APPS)
def test_an_app_without_credentials_is_off_and_its_webhook_not_found(rasa, app):
    assert requests.get(f"{rasa.url}/webhooks/{app}/", timeout=10).json() == {"status": "off"}
    assert requests.post(f"{rasa.url}/webhooks/{app}/webhook", json={}, timeout=10).status_code == 404


def test_the_server_refuses_to_start_with_an_app_half_configured(tmp_path):
    only_the_token = {**messaging_apps_off(), "TELEGRAM_BOT_TOKEN": CREDENTIALS["TELEGRAM_BOT_TOKEN"]}
    env = base_env(**only_the_token, **sqlite_tracker(tmp_path / "half.db"), ACTION_SERVER_URL="")
    command = [str(BIN / "rasa"), "run", "--model", str(MODEL), "--port", str(free_port())]
    command += ["--endpoints", "endpoints.yml", "--credentials", "credentials.yml"]
    # Channels are read before the model is loaded, so the refusal comes in seconds.
    finished = subprocess.run(command, cwd=PROJECT, env=env, capture_output=True, text=True, timeout=180)
    assert finished.returncode != 0
    assert "Telegram is only half configured" in finished.stdout + finished.stderr
    assert "secret_token, webhook_url" in finished.stdout + finished.stderr
