"""How replies are cut and shown in messaging apps, whichever the app.

Replies are plain text (the content has no markup, and no app is asked to read any). Buttons are of
two kinds: choices, whose payload goes back to the assistant when tapped ("/ect", "/crisis"), and
links, which open something on the phone instead (a crisis line's "tel:988", "sms:85258", or a web
page). A link must never come back as a message, so each app shows links as text or as a URL button.
"""

from __future__ import annotations

import re
from typing import Any

PHONE_SCHEMES = ("tel:", "sms:")
WEB_SCHEMES = ("https://", "http://")

# A piece ends after a sentence's end mark followed by a space, or after a line break.
PIECE_END = re.compile(r"(?<=[.!?…])(?=\s)|(?<=\n)")


def is_phone_link(button: dict[str, Any]) -> bool:
    return str(button.get("payload", "")).startswith(PHONE_SCHEMES)


def is_web_link(button: dict[str, Any]) -> bool:
    return str(button.get("payload", "")).startswith(WEB_SCHEMES)


def is_link(button: dict[str, Any]) -> bool:
    return is_phone_link(button) or is_web_link(button)


def choices(buttons: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [button for button in buttons if not is_link(button)]


def link_line(button: dict[str, Any]) -> str:
    """A link as a line of text: "Call Samaritans: 116123", "Text Shout: SHOUT to 85258" (a text link
    with the keyword its line asks for), "Find A Helpline: https://findahelpline.com"."""
    target = str(button["payload"])
    if target.startswith(PHONE_SCHEMES):
        number, _, body = target.split(":", 1)[1].partition("?body=")
        target = f"{body} to {number}" if body else number
    return f"{button['title']}: {target}"


def with_lines(text: str, lines: list[str]) -> str:
    return f"{text}\n\n" + "\n".join(lines) if lines else text


def split_at_sentences(text: str, limit: int) -> list[str]:
    """The text in messages of at most `limit` characters, cut between sentences (or lines).

    A single sentence longer than a message is cut between words; only a word longer than a whole
    message is cut inside.
    """
    text = text.strip()
    if len(text) <= limit:
        return [text]
    messages: list[str] = []
    current = ""
    for piece in PIECE_END.split(text):
        if len((current + piece).rstrip()) <= limit:
            current += piece
            continue
        if current.strip():
            messages.append(current.strip())
        current = piece.lstrip()
        while len(current.rstrip()) > limit:
            cut = current.rfind(" ", 0, limit + 1)
            cut = cut if cut > 0 else limit
            messages.append(current[:cut].strip())
            current = current[cut:].lstrip()
    if current.strip():
        messages.append(current.strip())
    return messages
