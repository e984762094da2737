"""The review app's settings, from the environment: where conversations are and where its own data goes.

The conversation store is named by the same TRACKER_DB_* variables as the Rasa server's endpoints.yml,
so the two cannot disagree. On PostgreSQL the app signs in as its own role (REVIEW_DB_USER), which may
only read the conversations; on SQLite it opens the conversation file read-only and keeps its own data
in a second file (REVIEW_DB).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from brokers.alert_setting import alert_receiver


class SettingsError(ValueError):
    """A setting is missing or wrong; the message says which and what to do."""


def _flag(value: str) -> bool:
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _number(environ: Mapping[str, str], name: str, default: int, least: int = 1) -> int:
    value = environ.get(name, "").strip()
    if not value:
        return default
    if not value.isdigit() or int(value) < least:
        raise SettingsError(f"{name} must be a whole number, at least {least}, not {value!r}.")
    return int(value)


@dataclass(frozen=True)
class Settings:
    tracker_dialect: str = "sqlite"
    tracker_db: str = "trd.db"
    tracker_host: str = ""
    tracker_port: str = ""
    tracker_user: str = ""
    tracker_password: str = ""
    review_db: str = "review.db"
    review_user: str = ""
    review_password: str = ""
    host: str = "127.0.0.1"
    port: int = 5006
    https: bool = False
    # how many reverse proxies in front add to X-Forwarded-For; 0: the header is not read (anyone can send one)
    trusted_proxies: int = 0
    retention_days: int = 90
    # whether the Rasa server alerts staff of a crisis (CRISIS_ALERT_URL, read as it reads it):
    # without alerts, this app's crisis queue is the only place a crisis shows, and the header says so
    crisis_alerts: bool = False

    @property
    def on_postgresql(self) -> bool:
        return self.tracker_dialect.split("+")[0] == "postgresql"

    @property
    def tracker_file(self) -> Path:
        return Path(self.tracker_db).resolve()

    @property
    def review_file(self) -> Path:
        return Path(self.review_db).resolve()

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> Settings:
        settings = cls(
            tracker_dialect=environ.get("TRACKER_DB_DIALECT") or "sqlite",
            tracker_db=environ.get("TRACKER_DB") or "trd.db",
            tracker_host=environ.get("TRACKER_DB_HOST", ""),
            tracker_port=environ.get("TRACKER_DB_PORT", ""),
            tracker_user=environ.get("TRACKER_DB_USER", ""),
            tracker_password=environ.get("TRACKER_DB_PASSWORD", ""),
            review_db=environ.get("REVIEW_DB") or "review.db",
            review_user=environ.get("REVIEW_DB_USER", ""),
            review_password=environ.get("REVIEW_DB_PASSWORD", ""),
            host=environ.get("REVIEW_HOST") or "127.0.0.1",
            port=_number(environ, "REVIEW_PORT", 5006),
            https=_flag(environ.get("REVIEW_HTTPS", "")),
            trusted_proxies=_number(environ, "REVIEW_TRUSTED_PROXIES", 0, least=0),
            retention_days=_number(environ, "RETENTION_DAYS", 90),
            crisis_alerts=alert_receiver(environ.get("CRISIS_ALERT_URL")) is not None,
        )
        if settings.tracker_dialect.split("+")[0] not in ("sqlite", "postgresql"):
            raise SettingsError(f"TRACKER_DB_DIALECT must be sqlite or postgresql, not {settings.tracker_dialect!r}.")
        if settings.on_postgresql and not settings.review_user:
            raise SettingsError(
                "REVIEW_DB_USER is not set: on PostgreSQL the review app signs in as its own read-only role "
                "(see `python -m review.postgres`)."
            )
        return settings
