"""Signed-in sessions, kept on the server, and the CSRF token that every form carries.

The cookie holds a random token; the database keeps only its SHA-256, so a copy of the table opens no
session. A session ends after an idle hour or twelve hours in all. Each session has its own CSRF
token; the sign-in form, which comes before any session, uses a token held in a cookie of its own
(a double submit), so even signing in cannot be forged from another site. The account's role is read
with the session on every request: a changed role applies to sessions already signed in.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass

import sqlalchemy as sa

from review import roles
from review.database import sessions, staff

IDLE_SECONDS = 60 * 60
LONGEST_SECONDS = 12 * 60 * 60
# last_seen_at is written at most this often, not on every page
TOUCH_SECONDS = 60


@dataclass(frozen=True)
class Session:
    token: str
    staff_id: int
    username: str
    csrf_token: str
    role: str

    def may(self, permission: str) -> bool:
        return roles.may(self.role, permission)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(32)


def tokens_match(given: str | None, expected: str | None) -> bool:
    return bool(given and expected) and hmac.compare_digest(given.encode(), expected.encode())


def start(connection: sa.engine.Connection, staff_id: int) -> str:
    token, now = new_token(), time.time()
    connection.execute(
        sessions.insert().values(
            token_hash=_hash(token), staff_id=staff_id, csrf_token=new_token(), created_at=now, last_seen_at=now
        )
    )
    return token


def current(connection: sa.engine.Connection, token: str | None) -> Session | None:
    """The live session of this cookie token, or None (unknown, ended, timed out, or account disabled)."""
    if not token:
        return None
    now = time.time()
    row = connection.execute(
        sa.select(sessions, staff.c.username, staff.c.active, staff.c.role)
        .join(staff, staff.c.id == sessions.c.staff_id)
        .where(sessions.c.token_hash == _hash(token))
    ).first()
    if row is None:
        return None
    if not row.active or now - row.last_seen_at > IDLE_SECONDS or now - row.created_at > LONGEST_SECONDS:
        end(connection, token)
        return None
    if now - row.last_seen_at > TOUCH_SECONDS:
        connection.execute(sessions.update().where(sessions.c.token_hash == row.token_hash).values(last_seen_at=now))
    return Session(token, row.staff_id, row.username, row.csrf_token, row.role)


def end(connection: sa.engine.Connection, token: str) -> None:
    connection.execute(sessions.delete().where(sessions.c.token_hash == _hash(token)))
