"""Staff roles and what each may do: the one definition that the pages, the templates and the tests use.

Every signed-in account reads conversations, the crisis queue and the unanswered questions, and adds
notes and tags and marks conversations reviewed. Exports take conversations out of the app, and the
audit log shows what every colleague did: those two are for administrators only.
"""

from __future__ import annotations

REVIEWER = "reviewer"
ADMINISTRATOR = "administrator"
ROLES = (REVIEWER, ADMINISTRATOR)
# a new account has the fewest rights: an administrator is made on purpose
NEW_ACCOUNT = REVIEWER
# accounts made before there were roles could export and read the audit log: they keep those rights
EARLIER_ACCOUNTS = ADMINISTRATOR

EXPORT = "export"
READ_AUDIT_LOG = "read_audit_log"
ALLOWED = {
    REVIEWER: frozenset(),
    ADMINISTRATOR: frozenset({EXPORT, READ_AUDIT_LOG}),
}
# the pages that need a right beyond reading and reviewing conversations
PAGE_NEEDS = {"/export": EXPORT, "/audit": READ_AUDIT_LOG}
# what a refused reviewer is told they cannot do
DESCRIBED = {EXPORT: "export conversations", READ_AUDIT_LOG: "read the audit log"}


def may(role: str, permission: str) -> bool:
    # an unknown role (a database edited by hand) gets no extra rights
    return permission in ALLOWED.get(role, frozenset())


def refusal(role: str, permission: str) -> str:
    """Why the page is refused, in plain words, and whom to ask."""
    return (
        f"Only administrators may {DESCRIBED[permission]}; your account is a {role}'s. "
        "Ask an administrator if you need this."
    )
