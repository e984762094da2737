"""CRISIS_ALERT_URL, read the same way by the Rasa server's alert broker and by the review app."""

from __future__ import annotations

# the one value that turns alerts off: an unset variable is a mistake, not a choice
ALERTS_OFF = "off"


def alerts_off(url: str | None) -> bool:
    return (url or "").strip().lower() == ALERTS_OFF


def alert_receiver(url: str | None) -> str | None:
    """The webhook that receives crisis alerts, or None when none is set or alerts are off."""
    return None if alerts_off(url) or not (url or "").strip() else url.strip()
