"""`make run`'s script as a newcomer meets it: it says "Ready" only once every server answers, what it
prints works as printed, and it warns when no one will be alerted of a crisis."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import requests

from scripts.stack import LOGS, PROJECT, base_env, free_port, messaging_apps_off, sqlite_tracker

STARTUP_SECONDS = 240


@dataclass
class Started:
    output: list[str]  # the lines printed up to and with "Ready"
    ports: dict[str, int]
    process: subprocess.Popen


@pytest.fixture(scope="module")
def started(tmp_path_factory) -> Iterator[Started]:
    tmp = tmp_path_factory.mktemp("run-command")
    ports = {name: free_port() for name in ("rasa", "actions", "review", "page")}
    env = base_env(
        **messaging_apps_off(),
        RASA_TOKEN="run-command-test-token",
        ACTION_SERVER_URL=f"http://127.0.0.1:{ports['actions']}/webhook",
        **sqlite_tracker(tmp / "conversations.db"),
        REVIEW_DB=str(tmp / "review.db"),
        LOG_DIR=str(LOGS / "run-command"),
        COUNTRY="GB",
    )
    command = ["scripts/run.sh", *(str(ports[name]) for name in ("rasa", "actions", "review", "page"))]
    process = subprocess.Popen(command, cwd=PROJECT, env=env, stdout=subprocess.PIPE, text=True, start_new_session=True)
    output: list[str] = []
    deadline = time.monotonic() + STARTUP_SECONDS
    try:
        for line in process.stdout:
            output.append(line.rstrip("\n"))
            if line.startswith("Ready") or time.monotonic() > deadline:
                break
        assert any(line.startswith("Ready") for line in output), "\n".join(output)
        # the rest of the block printed with it
        while not output[-1].startswith("Press Ctrl-C"):
            output.append(process.stdout.readline().rstrip("\n"))
        yield Started(output, ports, process)
    finally:
        os.killpg(process.pid, signal.SIGINT)  # as Ctrl-C in the terminal
        process.wait(timeout=60)


def test_ready_is_printed_only_when_the_rasa_server_already_answers(started: Started):
    # asked right after "Ready": no "You're offline", no refused connection
    reply = requests.post(
        f"http://localhost:{started.ports['rasa']}/webhooks/rest/webhook",
        json={"sender": "run-command-test", "message": "what is ect"},
        timeout=30,
    )
    assert reply.status_code == 200 and reply.json(), reply.text
    for name, path in (("actions", "/health"), ("page", "/"), ("review", "/login")):
        assert requests.get(f"http://localhost:{started.ports[name]}{path}", timeout=10).status_code == 200, name


def test_the_printed_addresses_and_status_command_work_as_printed(started: Started):
    text = "\n".join(started.output)
    for name in ("rasa", "actions", "review", "page"):
        assert f":{started.ports[name]}/" in text, name
    [status_command] = [line.strip() for line in started.output if "/status?token=" in line and "curl" in line]
    status = subprocess.run(["bash", "-c", status_command], capture_output=True, text=True, timeout=30)
    assert status.returncode == 0 and '"model_file"' in status.stdout, status.stdout + status.stderr


def test_the_demo_pages_country_is_said_and_served(started: Started):
    assert re.search(r"crisis lines of: GB \(set by COUNTRY\)", "\n".join(started.output))
    page = requests.get(f"http://localhost:{started.ports['page']}/", timeout=10).text
    assert 'data-country="GB"' in page


def test_it_warns_before_ready_that_no_one_will_be_alerted_without_an_alert_webhook(started: Started):
    ready = next(n for n, line in enumerate(started.output) if line.startswith("Ready"))
    warning = [n for n, line in enumerate(started.output) if "crisis alerts are off" in line]
    assert warning and warning[0] < ready
    assert "no one will be alerted" in " ".join(started.output)
