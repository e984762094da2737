"""`make staff` asks for the password twice and refuses two that differ, piped or typed at a terminal.

On SQLite the command needs only the app's own file, so these tests start no server.
"""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

from review.database import own_tables_engine, staff
from review.settings import Settings
from scripts.stack import PROJECT, base_env
from tests.review.conftest import PASSWORD


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return base_env(TRACKER_DB_DIALECT="sqlite", REVIEW_DB=str(tmp_path / "review.db"))


def make_staff(env: dict[str, str], name: str, stdin: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["make", "--no-print-directory", "staff", f"NAME={name}"],
        cwd=PROJECT,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
    )


def accounts_in(env: dict[str, str]) -> list[str]:
    engine = own_tables_engine(Settings.from_env(env))
    try:
        with engine.connect() as connection:
            return list(connection.execute(sa.select(staff.c.username)).scalars())
    finally:
        engine.dispose()


def new_name() -> str:
    return f"sam.{uuid.uuid4().hex[:8]}"


def test_a_piped_second_line_that_differs_is_refused_and_makes_no_account(env):
    name = new_name()
    made = make_staff(env, name, f"{PASSWORD}\n{PASSWORD}x\n")
    assert made.returncode != 0
    assert "The two passwords differ." in made.stderr
    assert PASSWORD not in made.stdout + made.stderr
    assert name not in accounts_in(env)


def test_a_piped_password_given_once_or_twice_the_same_makes_the_account(env):
    once, twice = new_name(), new_name()
    assert make_staff(env, once, f"{PASSWORD}\n").returncode == 0
    assert make_staff(env, twice, f"{PASSWORD}\n{PASSWORD}\n").returncode == 0
    assert {once, twice} <= set(accounts_in(env))


def typed_at_a_terminal(env: dict[str, str], name: str, answers: list[str], seconds: float = 60) -> tuple[int, str]:
    """`python -m review.staff add NAME` with a terminal of its own (getpass reads /dev/tty): each answer is
    typed once the command has asked its next question. Its exit status and what the terminal showed."""
    pid, terminal = pty.fork()
    if pid == 0:  # the child, whose controlling terminal is the pty
        os.chdir(PROJECT)
        os.execve(sys.executable, [sys.executable, "-m", "review.staff", "add", name], env)
    shown, deadline, asked = b"", time.monotonic() + seconds, 0
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([terminal], [], [], 0.5)
            if ready:
                try:
                    chunk = os.read(terminal, 1024)
                except OSError:  # the command ended and closed its terminal
                    break
                if not chunk:
                    break
                shown += chunk
            while asked < len(answers) and shown.count(b": ") > asked:
                os.write(terminal, answers[asked].encode() + b"\n")
                asked += 1
        else:
            os.kill(pid, 9)
        _, status = os.waitpid(pid, 0)
    finally:
        os.close(terminal)
    return os.waitstatus_to_exitcode(status), shown.decode(errors="replace")


def test_a_typed_second_password_that_differs_is_refused_and_makes_no_account(env):
    name = new_name()
    status, shown = typed_at_a_terminal(env, name, [PASSWORD, PASSWORD + "x"])
    assert "The same password again" in shown
    assert status != 0 and "The two passwords differ." in shown
    assert PASSWORD not in shown  # getpass does not echo
    assert name not in accounts_in(env)
    status, shown = typed_at_a_terminal(env, name, [PASSWORD, PASSWORD])
    assert status == 0, shown
    assert name in accounts_in(env)
