"""`make run`'s script as a newcomer meets it: it says "Ready" only once every server answers, what it
prints works as printed, and it warns when no one will be alerted of a crisis; and `make shell`'s, which
chats in the terminal while it runs and on its own."""

from __future__ import annotations

import os
import pty
import re
import select
import signal
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import requests

from scripts.stack import LOGS, PROJECT, base_env, free_port, messaging_apps_off, sqlite_tracker
from tests.replies import TOPICS

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


# rasa shell offers a reply's buttons as a list to pick from, whose last choice is to type instead
TYPE_INSTEAD = "Type out your own message"
UP_ARROW = b"\x1b[A"  # from the first choice, the list wraps round to its last one


def flat(text: str) -> str:
    return " ".join(text.split())


def chat_in_a_terminal(command: list[str], env: dict[str, str], message: str, expected: str) -> tuple[str, int]:
    """Runs the command on a terminal of its own (rasa shell reads only from one), sends the message once it
    asks for input, waits for the expected text, types /stop as a person would, and returns what it showed
    and its exit code."""
    terminal, its_end = pty.openpty()
    process = subprocess.Popen(
        command, cwd=PROJECT, env=env, stdin=its_end, stdout=its_end, stderr=its_end, start_new_session=True
    )
    os.close(its_end)
    shown = ""

    def shows_next(wanted: str) -> bool:
        """Reads until the terminal shows the wanted text after what it showed so far."""
        nonlocal shown
        start, deadline = len(shown), time.monotonic() + STARTUP_SECONDS
        while wanted not in flat(shown[start:]) and time.monotonic() < deadline and process.poll() is None:
            if select.select([terminal], [], [], 1)[0]:
                shown += os.read(terminal, 65536).decode(errors="replace")
        return wanted in flat(shown[start:])

    try:
        if shows_next("Your input"):
            os.write(terminal, f"{message}\r".encode())
            # the answer comes with its related topics' buttons: choose to type, then type /stop
            if shows_next(TYPE_INSTEAD):
                os.write(terminal, UP_ARROW + b"\r")
                if shows_next("Your input"):
                    os.write(terminal, b"/stop\r")
        exit_code = process.wait(timeout=60)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=30)
        os.close(terminal)
    return flat(shown), exit_code


def test_the_terminal_chat_works_while_the_assistant_runs(started: Started, tmp_path):
    # on a port of its own, with the running action server: `make run` keeps its ports
    env = base_env(
        **messaging_apps_off(), **sqlite_tracker(tmp_path / "conversations.db"), LOG_DIR=str(LOGS / "shell-command")
    )
    command = ["scripts/shell.sh", str(free_port()), str(started.ports["actions"])]
    answer = flat(TOPICS["ect"].answer_text)
    shown, exit_code = chat_in_a_terminal(command, env, "what is ect", answer[:60])
    assert answer[:60] in shown, shown[-2000:]
    assert exit_code == 0, shown[-2000:]


def test_the_terminal_chat_works_on_its_own(tmp_path):
    # no action server on its port: the script starts one for as long as the chat lasts
    action_port = free_port()
    env = base_env(
        **messaging_apps_off(), **sqlite_tracker(tmp_path / "conversations.db"), LOG_DIR=str(LOGS / "shell-on-its-own")
    )
    command = ["scripts/shell.sh", str(free_port()), str(action_port)]
    answer = flat(TOPICS["lithium"].answer_text)
    shown, exit_code = chat_in_a_terminal(command, env, "what is lithium used for", answer[:60])
    assert answer[:60] in shown, shown[-2000:]
    assert exit_code == 0, shown[-2000:]
    with pytest.raises(requests.ConnectionError):  # its action server went with it
        requests.get(f"http://localhost:{action_port}/health", timeout=5)
