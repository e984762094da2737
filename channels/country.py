"""The country of a phone number, for the crisis lines of SMS and WhatsApp conversations.

The country comes from the number's own numbering plan (Google's libphonenumber data), not from a
table of calling codes: +44 is the UK, +353 Ireland, +61 Australia, +64 New Zealand, and +1 is
shared by the US, Canada and a score of Caribbean countries, which the area code tells apart
(+1 604 is Canada, +1 876 Jamaica). The US and Canada have the same numbers (988, 911) under their
own names; a Jamaican number gets its own code, which the NLU's CountryExtractor turns into the
international directory rather than a US line that does not work there. A number whose area code
is not known (a new one) counts as the plan's main country, the US for +1, which has the same
crisis numbers as Canada.
"""

from __future__ import annotations

import phonenumbers

WHATSAPP_PREFIX = "whatsapp:"


def country_of(address: str) -> str | None:
    """The ISO code ("gb") of a Twilio address ("+447700900123" or "whatsapp:+447700900123"), if any."""
    number = address.removeprefix(WHATSAPP_PREFIX)
    try:
        parsed = phonenumbers.parse(number)
    except phonenumbers.NumberParseException:
        return None
    region = phonenumbers.region_code_for_number(parsed) or phonenumbers.region_code_for_country_code(
        parsed.country_code
    )
    return region.lower() if region != phonenumbers.UNKNOWN_REGION else None
