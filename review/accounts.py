"""Staff accounts: Argon2id password hashes, sign-in checks, and slowing down repeated failures.

Failed sign-ins are counted from the audit log, per account and per client address. After a few, the
next try must wait, and each further failure doubles the wait. A refused try is answered at once
(no request is held open), so many tries sent in parallel gain nothing.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from review.database import audit, staff

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,39}$")
MIN_PASSWORD_CHARACTERS = 12
FAILED = "login_failed"
WINDOW_SECONDS = 15 * 60
# failures allowed before any wait: a few typos per account, more per address (a shared office)
FREE_FAILURES_PER_ACCOUNT = 3
FREE_FAILURES_PER_CLIENT = 20
FIRST_WAIT_SECONDS = 30
LONGEST_WAIT_SECONDS = 15 * 60

hasher = PasswordHasher()
# checked when the account does not exist, so that the answer takes as long either way
UNKNOWN_ACCOUNT_HASH = hasher.hash("no account has this password")


class AccountError(ValueError):
    """A username or password that cannot be used; the message says why."""


@dataclass(frozen=True)
class Staff:
    id: int
    username: str


def check_username(username: str) -> str:
    if not USERNAME.match(username):
        raise AccountError("A username is 2 to 40 lower-case letters, digits, dots, dashes or underscores.")
    return username


def check_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_CHARACTERS:
        raise AccountError(f"A password needs at least {MIN_PASSWORD_CHARACTERS} characters.")
    return password


def add_staff(connection: sa.engine.Connection, username: str, password: str) -> None:
    check_username(username)
    if connection.execute(sa.select(staff.c.id).where(staff.c.username == username)).first():
        raise AccountError(f"There is already an account named {username}.")
    connection.execute(
        staff.insert().values(
            username=username, password_hash=hasher.hash(check_password(password)), active=True, created_at=time.time()
        )
    )


def set_password(connection: sa.engine.Connection, username: str, password: str) -> None:
    changed = connection.execute(
        staff.update().where(staff.c.username == username).values(password_hash=hasher.hash(check_password(password)))
    )
    if not changed.rowcount:
        raise AccountError(f"There is no account named {username}.")


def set_active(connection: sa.engine.Connection, username: str, active: bool) -> None:
    changed = connection.execute(staff.update().where(staff.c.username == username).values(active=active))
    if not changed.rowcount:
        raise AccountError(f"There is no account named {username}.")


def authenticate(connection: sa.engine.Connection, username: str, password: str) -> Staff | None:
    """The account, when the password is right and the account active; None otherwise."""
    row = connection.execute(sa.select(staff).where(staff.c.username == username)).first()
    try:
        hasher.verify(row.password_hash if row else UNKNOWN_ACCOUNT_HASH, password)
    except (VerificationError, InvalidHashError):
        return None
    if row is None or not row.active:
        return None
    if hasher.check_needs_rehash(row.password_hash):
        connection.execute(staff.update().where(staff.c.id == row.id).values(password_hash=hasher.hash(password)))
    return Staff(row.id, row.username)


def _wait_after(failures: int, free: int) -> float:
    return 0 if failures < free else min(FIRST_WAIT_SECONDS * 2 ** (failures - free), LONGEST_WAIT_SECONDS)


def seconds_to_wait(connection: sa.engine.Connection, username: str, client: str, now: float | None = None) -> int:
    """How long this account or address must still wait before it may try again (0: it may now)."""
    now = time.time() if now is None else now
    recent = sa.and_(audit.c.action == FAILED, audit.c.at > now - WINDOW_SECONDS)
    waits = []
    limits = (
        (audit.c.username, username, FREE_FAILURES_PER_ACCOUNT),
        (audit.c.client, client, FREE_FAILURES_PER_CLIENT),
    )
    for column, value, free in limits:
        count, last = connection.execute(
            sa.select(sa.func.count(), sa.func.max(audit.c.at)).where(recent, column == value)
        ).one()
        if count:
            waits.append(last + _wait_after(count, free) - now)
    return max(0, round(max(waits, default=0)))
