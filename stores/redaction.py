"""Contact details out of stored conversations: e-mail addresses, phone numbers, street addresses, handles.

Each is replaced by a placeholder that says what was there (`[email]`, `[phone]`, `[address]`,
`[handle]`), so staff reading a conversation still see that the person offered a way to reach them.
The patterns lean towards redacting: a list of numbers that looks like a phone number is redacted too,
which costs a reader little, while a missed phone number next to health data costs the person a lot.

Only what people send is redacted. The assistant's own replies are our texts and carry the crisis
lines' numbers, which staff must see as they were sent.
"""

from __future__ import annotations

import re
from typing import Any

# Every pattern is bounded, so that it takes time in proportion to the text: these run inside the save,
# on the Rasa server's one event loop, where an unbounded pattern that backtracks on a long run without
# spaces (20,000 characters of "a" took 3 s) stalls every conversation, crisis replies included.
# The bounds are those of the things themselves: an e-mail address's local part (64) and domain labels
# (63), a phone number with its separators (30 characters for at most 15 digits), a street name's words.
EMAIL = re.compile(r"[\w.+'-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){1,8}", re.UNICODE)
# A run of digits with the separators people type in phone numbers; it is one when it holds enough
# digits. Dates are set apart first ("2021-03-04"), unless they are part of a longer run ("06.12.34.56.78").
PHONE_CANDIDATE = re.compile(r"(?<![\w+])\+?\(?\d[\d \t().-]{5,28}\d(?!\w)")
DATE = re.compile(r"(?<![\d.-])(\d{4}[-.]\d{1,2}[-.]\d{1,2}|\d{1,2}[-.]\d{1,2}[-.]\d{2,4})(?![.-]?\d)")
# Words that name a street and little else; "drive", "way", "place" or "close" would turn "a 2 hour
# drive" into an address.
STREET_WORDS = "street|st|road|rd|avenue|ave|lane|ln|boulevard|blvd|terrace|crescent|parkway|pkwy|highway|hwy"
STREET_ADDRESS = re.compile(
    rf"\b\d{{1,5}}[a-z]?,?\s{{1,3}}(?:[a-z][\w'-]{{0,30}}\s{{1,3}}){{1,3}}(?:{STREET_WORDS})\b\.?",
    re.IGNORECASE,
)
HANDLE = re.compile(r"(?<![\w@.])@[a-z0-9_](?:[a-z0-9_.]{0,28}[a-z0-9_])?(?![\w@])", re.IGNORECASE)

MIN_PHONE_DIGITS = 7  # shorter runs are doses, years, counts, or helpline short codes like 988
MAX_PHONE_DIGITS = 15  # the longest international number (E.164)


def _phone_or_kept(match: re.Match) -> str:
    candidate = match.group(0)
    digits = sum(character.isdigit() for character in candidate)
    return "[phone]" if MIN_PHONE_DIGITS <= digits <= MAX_PHONE_DIGITS else candidate


def _redact_phones(text: str) -> str:
    # split() keeps the dates at the odd places: only the pieces between them are searched
    pieces = DATE.split(text)
    return "".join(
        piece if place % 2 else PHONE_CANDIDATE.sub(_phone_or_kept, piece) for place, piece in enumerate(pieces)
    )


def redact_text(text: str) -> str:
    """The text with every contact detail replaced by its placeholder."""
    # e-mail first: its local part may hold digits that would otherwise read as a phone number
    text = EMAIL.sub("[email]", text)
    text = _redact_phones(text)
    text = STREET_ADDRESS.sub("[address]", text)
    return HANDLE.sub("[handle]", text)


def redact_value(value: Any) -> Any:
    """Every text inside a JSON-like value redacted; keys, numbers and the structure are kept."""
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, dict):
        return {key: redact_value(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [redact_value(item) for item in value]
    return value


def redact_event(event: dict[str, Any]) -> dict[str, Any]:
    """A serialised Rasa event as it may be stored.

    Everything that can carry what a person sent is redacted: the message with its parse data and
    metadata, slot values, entities. A bot reply keeps its text and buttons (our own words, with the
    crisis lines' numbers) and has only its metadata redacted.
    """
    if event.get("event") == "bot":
        return {**event, "metadata": redact_value(event.get("metadata"))}
    return redact_value(event)
