"""Staff accounts: Argon2id password hashes, sign-in checks, and slowing down repeated failures.

Failed sign-ins are counted from the audit log, within a window. Past an allowance, the next try must
wait, and each further failure doubles the wait. The allowances are drawn so that a stranger's failures
hold the stranger, not the account's owner, wherever the app sees each client's own address:
- per account and client address: a few typos. Someone failing against an account from their address
  holds that account from that address only;
- per client address, over all accounts: one address trying many accounts. Counted only where the
  address is the client's own: a proxy's address is everyone's (review/clients.py);
- per account, over all addresses: a guess of one account spread over many addresses. See
  FREE_FAILURES_PER_ACCOUNT for why it cannot hold the owner where they usually sign in.
A refused try is answered without hashing.

Argon2 takes a CPU and 64 MiB for a fraction of a second: it runs in a thread, so that the app goes on
serving pages meanwhile, and with no database connection held while it runs.
"""

from __future__ import annotations

import asyncio
import re
import time
from dataclasses import dataclass

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from review import roles
from review.clients import Client
from review.database import audit, staff

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,39}$")
MIN_PASSWORD_CHARACTERS = 12
FAILED = "login_failed"
SIGNED_IN = "login"
WINDOW_SECONDS = 15 * 60
# a few typos per account from one place, more per address (a shared office)
FREE_FAILURES_PER_ACCOUNT_AND_CLIENT = 3
FREE_FAILURES_PER_CLIENT = 20
# Any count over all addresses can be reached by a stranger with enough addresses, and would then hold
# the owner as well. So it allows far more than typos (a guess spread over many addresses still waits
# after a hundred), and it never applies where the account signed in within KNOWN_CLIENT_SECONDS: the
# owner at their usual places is not held; only a try from somewhere new waits while the guess goes on.
FREE_FAILURES_PER_ACCOUNT = 100
KNOWN_CLIENT_SECONDS = 30 * 24 * 60 * 60
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


def check_role(role: str) -> str:
    if role not in roles.ROLES:
        raise AccountError(f"A role is {' or '.join(roles.ROLES)}, not {role!r}.")
    return role


def add_staff(connection: sa.engine.Connection, username: str, password: str, role: str) -> None:
    check_username(username)
    check_role(role)
    if connection.execute(sa.select(staff.c.id).where(staff.c.username == username)).first():
        raise AccountError(f"There is already an account named {username}.")
    connection.execute(
        staff.insert().values(
            username=username,
            password_hash=hasher.hash(check_password(password)),
            active=True,
            created_at=time.time(),
            role=role,
        )
    )


def set_password(connection: sa.engine.Connection, username: str, password: str) -> None:
    changed = connection.execute(
        staff.update().where(staff.c.username == username).values(password_hash=hasher.hash(check_password(password)))
    )
    if not changed.rowcount:
        raise AccountError(f"There is no account named {username}.")


def set_role(connection: sa.engine.Connection, username: str, role: str) -> None:
    changed = connection.execute(staff.update().where(staff.c.username == username).values(role=check_role(role)))
    if not changed.rowcount:
        raise AccountError(f"There is no account named {username}.")


def set_active(connection: sa.engine.Connection, username: str, active: bool) -> None:
    changed = connection.execute(staff.update().where(staff.c.username == username).values(active=active))
    if not changed.rowcount:
        raise AccountError(f"There is no account named {username}.")


async def authenticate(engine: sa.engine.Engine, username: str, password: str) -> Staff | None:
    """The account, when the password is right and the account active; None otherwise."""
    with engine.connect() as connection:
        row = connection.execute(sa.select(staff).where(staff.c.username == username)).first()
    if not await asyncio.to_thread(_matches, row.password_hash if row else UNKNOWN_ACCOUNT_HASH, password):
        return None
    if row is None or not row.active:
        return None
    if hasher.check_needs_rehash(row.password_hash):
        rehashed = await asyncio.to_thread(hasher.hash, password)
        with engine.begin() as connection:
            # unless the password was changed meanwhile
            connection.execute(
                staff.update()
                .where(staff.c.id == row.id, staff.c.password_hash == row.password_hash)
                .values(password_hash=rehashed)
            )
    return Staff(row.id, row.username)


def _matches(password_hash: str, password: str) -> bool:
    try:
        return hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _wait_after(failures: int, free: int) -> float:
    return 0 if failures < free else min(FIRST_WAIT_SECONDS * 2 ** (failures - free), LONGEST_WAIT_SECONDS)


def _signed_in_from(connection: sa.engine.Connection, username: str, client: Client, now: float) -> bool:
    """Whether the account signed in from this address lately: then it is, most likely, where its owner is."""
    if not client.own_address:
        return False  # a proxy's address is everyone's, the stranger's too
    signed_in = connection.execute(
        sa.select(audit.c.id)
        .where(
            audit.c.action == SIGNED_IN,
            audit.c.at > now - KNOWN_CLIENT_SECONDS,
            audit.c.username == username,
            audit.c.client == client.address,
        )
        .limit(1)
    ).first()
    return signed_in is not None


def seconds_to_wait(connection: sa.engine.Connection, username: str, client: Client, now: float | None = None) -> int:
    """How long this account must still wait before it may try again from this client (0: it may now)."""
    now = time.time() if now is None else now
    limits = [
        (sa.and_(audit.c.username == username, audit.c.client == client.address), FREE_FAILURES_PER_ACCOUNT_AND_CLIENT)
    ]
    if client.own_address:
        limits.append((audit.c.client == client.address, FREE_FAILURES_PER_CLIENT))
    if not _signed_in_from(connection, username, client, now):
        limits.append((audit.c.username == username, FREE_FAILURES_PER_ACCOUNT))
    recent = sa.and_(audit.c.action == FAILED, audit.c.at > now - WINDOW_SECONDS)
    waits = [0.0]
    for matching, free in limits:
        count, last = connection.execute(
            sa.select(sa.func.count(), sa.func.max(audit.c.at)).where(recent, matching)
        ).one()
        if count:
            waits.append(last + _wait_after(count, free) - now)
    return max(0, round(max(waits)))
