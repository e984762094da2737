"""Crisis alerts that staff's receiver has not acknowledged yet, kept in a database table.

An alert is written here before it is first sent and deleted only once the receiver has answered
with a 2xx, so it outlives a receiver that is down for hours, a restart of the server, and a server
that dies: every server sharing the database sends what is due. Before sending, a server claims an
alert by moving its next try past the send's timeout in one UPDATE that only one server can win, so
two servers do not send it at the same moment.

Every method blocks (database calls): callers on the event loop run them in a thread.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

metadata = sa.MetaData()

pending_alerts = sa.Table(
    "pending_crisis_alerts",
    metadata,
    # one crisis reply, one id: the same reply published twice is kept once
    sa.Column("alert_id", sa.String(64), primary_key=True),
    sa.Column("body", sa.Text, nullable=False),  # the JSON exactly as it is signed and sent
    sa.Column("attempts", sa.Integer, nullable=False),
    sa.Column("due_at", sa.Float, nullable=False, index=True),  # Unix time of the next try
)


@dataclass(frozen=True)
class PendingAlert:
    alert_id: str
    body: str
    attempts: int


class AlertOutbox:
    def __init__(self, engine: sa.engine.Engine) -> None:
        self.engine = engine
        metadata.create_all(engine)

    def keep(self, alert_id: str, body: str, now: float) -> None:
        with self.engine.begin() as connection:
            already = connection.execute(
                sa.select(pending_alerts.c.alert_id).where(pending_alerts.c.alert_id == alert_id)
            ).first()
            if not already:
                connection.execute(pending_alerts.insert().values(alert_id=alert_id, body=body, attempts=0, due_at=now))

    def claim_due(self, now: float, lease_seconds: float) -> list[PendingAlert]:
        """The alerts due now that this server won, each held from the others for `lease_seconds`."""
        claimed = []
        with self.engine.begin() as connection:
            due = connection.execute(sa.select(pending_alerts).where(pending_alerts.c.due_at <= now)).all()
            for row in due:
                won = connection.execute(
                    pending_alerts.update()
                    .where(pending_alerts.c.alert_id == row.alert_id, pending_alerts.c.due_at == row.due_at)
                    .values(due_at=now + lease_seconds)
                )
                if won.rowcount == 1:
                    claimed.append(PendingAlert(row.alert_id, row.body, row.attempts))
        return claimed

    def acknowledged(self, alert_id: str) -> None:
        with self.engine.begin() as connection:
            connection.execute(pending_alerts.delete().where(pending_alerts.c.alert_id == alert_id))

    def retry_at(self, alert: PendingAlert, due_at: float) -> None:
        with self.engine.begin() as connection:
            connection.execute(
                pending_alerts.update()
                .where(pending_alerts.c.alert_id == alert.alert_id)
                .values(attempts=alert.attempts + 1, due_at=due_at)
            )
