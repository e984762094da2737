"""Contact details out of stored conversations, each replaced by a placeholder that says what was there.

The placeholders:
- `[email]`: an e-mail address, also one written out to get past filters ("jo at example dot com",
  "jo (at) example (dot) org", "jo@example dot com");
- `[phone]`: a phone number; several in a row are each redacted;
- `[card]`: a payment card number (13 to 19 digits, in one run or in groups of four);
- `[postcode]`: a UK postcode ("SW1A 1AA"), or a US ZIP code where it reads as one: after a state
  ("CA 90210") or the word zip ("zip code 10001-1234");
- `[address]`: a street address ("12 Baker Street");
- `[profile]`: a link to a person's page on a social network or a messenger ("instagram.com/jo",
  "wa.me/447700900123"), or any link whose path names a person ("/@jo", "/user/jo");
- `[handle]`: an @handle;
- `[date of birth]`: a date given as a date of birth ("dob [date of birth]");
- `[name]`: a name the person gives as their own ("my name is [name]").

So staff reading a conversation still see that the person offered a way to reach them. The patterns lean
towards redacting: a list of numbers that looks like a phone number is redacted too, which costs a
reader little, while a missed phone number next to health data costs the person a lot.

Two decisions bound what is redacted beyond ways to reach a person. Dates: only a date written as a
date of birth is redacted, since with a name it identifies a person; every other date is kept, because
staff need the dates of appointments, doses and events. Names: only a name the person gives as theirs
("my name is", "I'm called", "Hi, this is") is redacted; a name anywhere else is kept (see GIVEN_NAME).

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
# (63), a phone number with its separators (30 characters for at most 15 digits), a link's path segments,
# a street name's words.
EMAIL = re.compile(r"[\w.+'-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){1,8}", re.UNICODE)

# An address written out with "at" and "dot", as words or in brackets. Prose has both words too ("look at
# this dot on my skin", "have a look at nhs.uk"), so _written_out_email_or_kept keeps what does not read
# as an address: a bare "at" needs a spelled "dot", and the address must end like a domain.
_AT = r"\s{0,3}@\s{0,3}|\s{1,3}at\s{1,3}|\s{0,3}[(\[{<]\s{0,2}at\s{0,2}[)\]}>]\s{0,3}"
_DOT = r"\s{0,3}\.\s{0,3}|\s{1,3}dot\s{1,3}|\s{0,3}[(\[{<]\s{0,2}dot\s{0,2}[)\]}>]\s{0,3}"
WRITTEN_OUT_EMAIL = re.compile(
    rf"(?<![\w.+'-])[\w.+'-]{{1,64}}(?P<at>{_AT})"
    rf"(?P<domain>[\w-]{{1,63}}(?:(?:{_DOT})[\w-]{{1,63}}){{1,8}})(?![\w-])",
    re.IGNORECASE,
)
DOMAIN_DOT = re.compile(_DOT, re.IGNORECASE)
# The endings people give their addresses; country codes that are English words ("in", "me", "it") are
# left out, as "look at this dot in the mirror" would end in one. A domain of three labels or more
# ("mail dot example dot family") reads as one whatever its ending.
DOMAIN_ENDING = re.compile("com|org|net|edu|gov|info|biz|io|co|uk|us|ca|au|nz|ie|de|fr|es|nl|eu", re.IGNORECASE)

# Sites where a link with a path is a person's page or a way to message them.
PROFILE_SITES = (
    r"facebook\.com|fb\.com|fb\.me|m\.me|messenger\.com|instagram\.com|instagr\.am|twitter\.com|x\.com"
    r"|linkedin\.com|tiktok\.com|snapchat\.com|threads\.net|bsky\.app|wa\.me|whatsapp\.com|t\.me|telegram\.me"
)
# A path, with a last character that is not the full stop or comma of the sentence around it.
_PATH = r"(?:/[\w.@%+~=&?#-]{1,100}){1,8}/?(?<![.,!?])"
PROFILE_URL = re.compile(
    # the site's own domain: "netflix.com/x" is not x.com
    rf"(?<![\w.@/-])(?:https?://)?(?:(?:www|m|mobile|web)\.)?(?:{PROFILE_SITES}){_PATH}"
    # any other site, where the path names a person: "medium.com/@jo", "reddit.com/user/jo"
    r"|(?<![\w.@/-])(?:https?://|www\.)[\w.-]{1,253}(?:/[\w.%+=&-]{1,100}){0,8}?"
    rf"/(?:@|~|(?:u|users?|profiles?|members?)/)[\w.%+-]{{0,99}}\w(?:{_PATH})?",
    re.IGNORECASE,
)

_MONTH = r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?"
_MONTH += r"|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\b\.?"
_DAY = r"\d{1,2}(?:st|nd|rd|th)?"
_WRITTEN_DATE = (
    r"\d{4}[-/. ]\d{1,2}[-/. ]\d{1,2}|\d{1,2}[-/. ]\d{1,2}[-/. ](?:\d{4}|\d{2})"  # 1985-03-12, 12/03/1985
    rf"|{_DAY}(?:\s{{1,3}}of)?[\s-]{{1,3}}{_MONTH}(?:,?[\s-]{{1,3}}\d{{4}})?"  # 12th of March 1985
    rf"|{_MONTH}\s{{1,3}}{_DAY}(?:,?\s{{1,3}}\d{{4}})?"  # March 12, 1985
)
# The date after the words that give it as a date of birth; the words stay, so the reader knows what it was.
DATE_OF_BIRTH = re.compile(
    r"(?P<said>\b(?:d\.?o\.?b\b\.?|date\s{1,3}of\s{1,3}birth|born|birth\s?day)"
    r"(?:\s{0,3}[:=-]|\s{1,3}(?:is|was|on|the)\b){0,3}\s{0,3})"
    rf"(?P<date>{_WRITTEN_DATE})(?!\d)",
    re.IGNORECASE,
)

# A UK postcode, with the letters each place allows. An inward code never uses C, I, K, M, O or V, so a dose
# ("b12 2mg", "5ml") does not read as one; an ordinal in lower case ("vitamin b12 1st thing") is left too.
UK_POSTCODE = re.compile(
    r"\b[A-PR-UWYZ](?:\d[\dA-HJKPSTUW]?|[A-HK-Y]\d[\dABEHMNPRVWXY]?)\s?(?!(?-i:\d(?:st|nd|rd|th)\b))"
    r"\d[ABD-HJLNP-UW-Z]{2}\b",
    re.IGNORECASE,
)
# Five digits are a ZIP code only where they read as one, after a state or the word zip: "20000 steps" and
# "50000 mg" are not. The pattern takes the word or two before five digits, and _zip_or_kept reads them
# (a pattern with every state's name in it took four times as long on a long run of short words).
US_ZIP = re.compile(
    r"\b(?P<said>(?:new|north|south|west|rhode|zip|postal)\s[a-z]{3,9}|[a-z]{2,14})"
    r"(?P<between>,?\s{1,3}|\s{0,3}[:.-]\s{0,3})(?P<zip>\d{5}(?:-\d{4})?)(?![\w-])",
    re.IGNORECASE,
)
STATE_OR_ZIP = re.compile(
    "alabama|alaska|arizona|arkansas|california|colorado|connecticut|delaware|florida|georgia|hawaii|idaho"
    "|illinois|indiana|iowa|kansas|kentucky|louisiana|maine|maryland|massachusetts|michigan|minnesota"
    "|mississippi|missouri|montana|nebraska|nevada|new hampshire|new jersey|new mexico|new york"
    "|north carolina|north dakota|ohio|oklahoma|oregon|pennsylvania|rhode island|south carolina"
    "|south dakota|tennessee|texas|utah|vermont|virginia|washington|west virginia|wisconsin|wyoming"
    "|zip|zipcode|zip code|postal code",
    re.IGNORECASE,
)
# State codes count in capitals only; those that are also words ("OK 20000 steps", "ID 48213") only after
# a comma, as in "Tulsa, OK 74103".
STATE_CODE = re.compile(
    "AL|AK|AZ|AR|CA|CO|CT|DE|DC|FL|GA|IL|IA|KS|KY|LA|MD|MA|MI|MN|MS|MO|MT|NE|NV|NH|NJ|NM|NY|NC|ND|PA|RI|SC|SD"
    "|TN|TX|UT|VT|VA|WA|WV|WI|WY"
)
STATE_CODE_THAT_IS_A_WORD = re.compile("HI|ID|IN|ME|OH|OK|OR")

# A run of digits with the separators people type in phone and card numbers: one number or a few in a row,
# up to four of 30 characters. Dates are set apart first ("2021-03-04"), unless they are part of a longer
# run ("06.12.34.56.78").
DIGIT_RUN = re.compile(r"(?<![\w+])\+?\(?\d[\d \t().-]{5,118}\d(?!\w)")
DIGIT_GROUP = re.compile(r"\d+")
DATE = re.compile(r"(?<![\d.-])(\d{4}[-.]\d{1,2}[-.]\d{1,2}|\d{1,2}[-.]\d{1,2}[-.]\d{2,4})(?![.-]?\d)")

MIN_PHONE_DIGITS = 7  # shorter runs are doses, years, counts, or helpline short codes like 988
MAX_PHONE_DIGITS = 15  # the longest international number (E.164)
MIN_CARD_DIGITS = 13
MAX_CARD_DIGITS = 19
MAX_GROUPS = 6  # of a number in a run of several: "+33 6 12 34 56 78" has six, a card four or five

# Words that name a street and little else; "drive", "way", "place" or "close" would turn "a 2 hour
# drive" into an address.
STREET_WORDS = "street|st|road|rd|avenue|ave|lane|ln|boulevard|blvd|terrace|crescent|parkway|pkwy|highway|hwy"
STREET_ADDRESS = re.compile(
    rf"\b\d{{1,5}}[a-z]?,?\s{{1,3}}(?:[a-z][\w'-]{{0,30}}\s{{1,3}}){{1,3}}(?:{STREET_WORDS})\b\.?",
    re.IGNORECASE,
)
HANDLE = re.compile(r"(?<![\w@.])@[a-z0-9_](?:[a-z0-9_.]{0,28}[a-z0-9_])?(?![\w@])", re.IGNORECASE)

# A name the person gives as their own, after words that say so. Names are looked for nowhere else: a name
# on its own is no way to reach a person, and telling names from other words in free text is guessing,
# which would redact drug names ("Spravato"), places and the first word of a sentence. After "my name is"
# the name may be in lower case; after "I'm called" it must be capitalised ("I'm called lazy" is kept).
# After the weakest, "this is" (at the start or after a greeting) and "Hi, I'm", it must be capitalised
# and end its clause: "this is Priya." is a name, "This is Spravato day 3" and "Hi, I'm British and" are
# not. A surname is taken when it is capitalised too.
_NAME_WORD = r"[^\W\d_][\w'’-]{0,40}"
GIVEN_NAME = re.compile(
    r"(?P<said>(?i:(?P<my_name>\bmy\s{1,3}name(?:\s{1,3}is|'s|’s))|\b(?:i'm|i’m|im|i\s{1,3}am)\s{1,3}called"
    r"|(?P<introduced>(?:^\s{0,3}|\b(?:hi|hiya|hello|hey)\b[\s,!.:-]{0,3})this\s{1,3}is"
    r"|\b(?:hi|hiya|hello|hey)\b[\s,!.:-]{0,3}(?:i'm|i’m|i\s{1,3}am)))[\s:,]{1,3})"
    rf"(?P<name>{_NAME_WORD}(?:[ \t]{{1,2}}{_NAME_WORD}){{0,2}})"
)
NAME_SEPARATOR = re.compile(r"([ \t]{1,2})")
CLAUSE_END = re.compile(r"[ \t]{0,3}(?:$|[,.!?;:)\n])")


def _written_out_email_or_kept(match: re.Match) -> str:
    labels = DOMAIN_DOT.split(match["domain"])
    dot_spelled = any("." not in dot for dot in DOMAIN_DOT.findall(match["domain"]))
    if match["at"].strip().lower() == "at" and not dot_spelled:
        return match.group(0)
    ends_like_a_domain = DOMAIN_ENDING.fullmatch(labels[-1]) or len(labels) > 2
    return "[email]" if ends_like_a_domain else match.group(0)


def _zip_or_kept(match: re.Match) -> str:
    said = " ".join(match["said"].split())
    after_a_comma = match.string[max(0, match.start() - 4) : match.start()].rstrip().endswith(",")
    word_code = after_a_comma and STATE_CODE_THAT_IS_A_WORD.fullmatch(said)
    if STATE_OR_ZIP.fullmatch(said) or STATE_CODE.fullmatch(said) or word_code:
        return match["said"] + match["between"] + "[postcode]"
    return match.group(0)


def _is_card(lengths: list[int]) -> bool:
    digits = sum(lengths)
    if not MIN_CARD_DIGITS <= digits <= MAX_CARD_DIGITS:
        return False
    if len(lengths) == 1:
        return digits > MAX_PHONE_DIGITS  # a shorter unbroken run is as often a phone number
    # groups of four with a shorter last one, or American Express's and Diners Club's 4-6-5 and 4-6-4
    fours = len(lengths) >= 4 and set(lengths[:-1]) == {4} and lengths[-1] <= 4
    return fours or lengths in ([4, 6, 5], [4, 6, 4])


def _placeholder(lengths: list[int]) -> str | None:
    if _is_card(lengths):
        return "[card]"
    return "[phone]" if MIN_PHONE_DIGITS <= sum(lengths) <= MAX_PHONE_DIGITS else None


def _numbers_in(lengths: list[int]) -> list[tuple[int, int, str]]:
    """How a run of digit groups, given by their lengths, reads as numbers: (first group, last group, placeholder).

    A run that is one number is that number. Otherwise the reading that leaves the fewest digits unredacted
    wins, then the one with the fewest numbers, then the one with the most card numbers (a card next to a
    phone number is not two phone numbers), then the one whose longest number is shortest:
    "555-123-4567 555-987-6543" is two numbers of ten digits, not of thirteen and seven. A group that is
    part of no number is kept, so that a run of 20 digits stays as it is.
    """
    whole = _placeholder(lengths)
    if whole:
        return [(0, len(lengths) - 1, whole)]
    # best[first] scores the best reading of the groups from first on: (digits kept, numbers, minus the
    # cards, the longest number's digits); its number starting at first, if any, is in chosen[first].
    best = [(0, 0, 0, 0)] * (len(lengths) + 1)
    chosen: list[tuple[int, int, str] | None] = [None] * len(lengths)
    for first in reversed(range(len(lengths))):
        kept, numbers, cards, longest = best[first + 1]
        best[first] = (kept + lengths[first], numbers, cards, longest)  # the group kept
        digits = 0
        for last in range(first, min(first + MAX_GROUPS, len(lengths))):
            digits += lengths[last]
            if digits > MAX_CARD_DIGITS:
                break
            if digits < MIN_PHONE_DIGITS:
                continue
            # a number too short to be a card is a phone number: not looking saves the time of long runs
            placeholder = _placeholder(lengths[first : last + 1]) if digits >= MIN_CARD_DIGITS else "[phone]"
            if placeholder:
                kept, numbers, cards, longest = best[last + 1]
                reading = (kept, numbers + 1, cards - (placeholder == "[card]"), max(longest, digits))
                if reading < best[first]:
                    best[first], chosen[first] = reading, (first, last, placeholder)
    found, first = [], 0
    while first < len(lengths):
        number = chosen[first]
        if number:
            found.append(number)
        first = number[1] + 1 if number else first + 1
    return found


def _redact_run(match: re.Match) -> str:
    run = match.group(0)
    groups = list(DIGIT_GROUP.finditer(run))
    redacted, position = [], 0
    for first, last, placeholder in _numbers_in([len(group.group()) for group in groups]):
        start = 0 if first == 0 else groups[first].start()
        if run[start - 1 : start] == "(":  # the bracket opening a number's area code goes with it
            start -= 1
        redacted += [run[position:start], placeholder]
        position = groups[last].end()
    return "".join([*redacted, run[position:]])


def _redact_numbers(text: str) -> str:
    # split() keeps the dates at the odd places: only the pieces between them are searched
    pieces = DATE.split(text)
    return "".join(piece if place % 2 else DIGIT_RUN.sub(_redact_run, piece) for place, piece in enumerate(pieces))


def _looks_like_a_name(word: str) -> bool:
    return word[:1].isupper() and word != "I" and not word.startswith(("I'", "I’"))


def _name_or_kept(match: re.Match) -> str:
    words = NAME_SEPARATOR.split(match["name"])  # word, separator, word...
    if not (match["my_name"] or _looks_like_a_name(words[0])):
        return match.group(0)
    taken = 1
    while taken < len(words) and _looks_like_a_name(words[taken + 1]):
        taken += 2
    if match["introduced"] and (taken < len(words) or not CLAUSE_END.match(match.string, match.end())):
        return match.group(0)
    return match["said"] + "[name]" + "".join(words[taken:])


def redact_text(text: str) -> str:
    """The text with every contact detail replaced by its placeholder."""
    # e-mail first: its local part may hold digits that would otherwise read as a phone number
    text = EMAIL.sub("[email]", text)
    text = WRITTEN_OUT_EMAIL.sub(_written_out_email_or_kept, text)
    # a profile link before the numbers and handles in its path ("wa.me/4477...", "tiktok.com/@jo")
    text = PROFILE_URL.sub("[profile]", text)
    # dates of birth and ZIP codes before phone numbers, which would take their digits in
    text = DATE_OF_BIRTH.sub(r"\g<said>[date of birth]", text)
    text = UK_POSTCODE.sub("[postcode]", text)
    text = US_ZIP.sub(_zip_or_kept, text)
    text = _redact_numbers(text)
    text = STREET_ADDRESS.sub("[address]", text)
    text = HANDLE.sub("[handle]", text)
    return GIVEN_NAME.sub(_name_or_kept, text)


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
