"""The audit log: who signed in (or failed to), viewed, exported or changed what, and when.

It names conversations by id and never copies their text, so it can outlive them.
"""

from __future__ import annotations

import json
import time
from typing import Any

import sqlalchemy as sa

from review.database import audit

PAGE_SIZE = 100


def record(
    connection: sa.engine.Connection,
    action: str,
    *,
    username: str | None = None,
    client: str | None = None,
    conversation_id: str | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    connection.execute(
        audit.insert().values(
            at=time.time(),
            username=username,
            client=client,
            action=action,
            conversation_id=conversation_id,
            details=json.dumps(details, sort_keys=True) if details else None,
        )
    )


def recent(connection: sa.engine.Connection, page: int = 1, action: str = "") -> list[sa.engine.Row]:
    query = sa.select(audit).order_by(audit.c.id.desc()).limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)
    if action:
        query = query.where(audit.c.action == action)
    return connection.execute(query).all()


def actions(connection: sa.engine.Connection) -> list[str]:
    return list(connection.execute(sa.select(audit.c.action).distinct().order_by(audit.c.action)).scalars())
