"""Staff roles: reviewers read and review conversations; only administrators export and read the audit log."""

from __future__ import annotations

import html
import subprocess
import time
import uuid
from collections.abc import Iterator

import pytest
import requests
import sqlalchemy as sa

from review import accounts, roles
from review.app import REFUSED
from review.database import own_tables_engine, staff
from review.settings import Settings
from scripts.stack import PROJECT, free_port
from tests.review.conftest import (
    PASSWORD,
    ReviewApp,
    Stack,
    csrf_of,
    mark_reviewed,
    new_sender,
    postgresql_review_store,
)

# the pages beyond reading and reviewing, each with the right it needs (/export is a CSV file unless asked)
REFUSED_PAGES = {**roles.PAGE_NEEDS, "/export?format=jsonl": roles.EXPORT}
LINKS = ('href="/audit"', 'href="/export?')

# the staff table as the app made it before roles, for the upgrade
EARLIER = sa.MetaData()
earlier_staff = sa.Table(
    "review_staff",
    EARLIER,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("username", sa.String(80), nullable=False, unique=True),
    sa.Column("password_hash", sa.String(255), nullable=False),
    sa.Column("active", sa.Boolean, nullable=False, default=True),
    sa.Column("created_at", sa.Float, nullable=False),
)


def new_account(app: ReviewApp, role: str | None = None) -> str:
    """A new account, made with `python -m review.staff add NAME [--role ROLE]`; its name."""
    name = f"kim.{uuid.uuid4().hex[:8]}"
    options = ("--role", role) if role else ()
    added = app.command("review.staff", "add", name, *options, stdin=PASSWORD + "\n")
    assert added.returncode == 0, added.stderr
    return name


def set_role(app: ReviewApp, name: str, role: str) -> None:
    changed = app.command("review.staff", "role", name, role)
    assert changed.returncode == 0, changed.stderr
    assert f"Done: role {name}, {role}." in changed.stdout


def role_in_database(env: dict[str, str], name: str) -> str:
    engine = own_tables_engine(Settings.from_env(env))
    try:
        with engine.connect() as connection:
            return connection.execute(sa.select(staff.c.role).where(staff.c.username == name)).scalar_one()
    finally:
        engine.dispose()


def assert_refused(browser: requests.Session, url: str, path: str, permission: str) -> None:
    answer = browser.get(f"{url}{path}")
    assert answer.status_code == 403, path
    assert answer.headers["Content-Type"].startswith("text/html") and "Content-Disposition" not in answer.headers
    assert roles.refusal(roles.REVIEWER, permission) in html.unescape(answer.text)
    assert "conversation_id" not in answer.text  # no export in it


def assert_allowed(browser: requests.Session, url: str) -> None:
    for path in REFUSED_PAGES:
        answer = browser.get(f"{url}{path}")
        assert answer.status_code == 200, path
    listing = browser.get(f"{url}/conversations").text
    assert all(link in listing for link in LINKS)


def test_a_reviewer_is_refused_exports_and_the_audit_log_in_plain_words_and_each_try_is_audited(
    stack: Stack, staff: requests.Session
):
    url = stack.review.url
    name = new_account(stack.review)
    reviewer = stack.review.login(name)
    for path, permission in REFUSED_PAGES.items():
        assert_refused(reviewer, url, path, permission)
    log = html.unescape(staff.get(f"{url}/audit", params={"action": REFUSED}).text)
    assert log.count(f"<td>{name}</td>") == len(REFUSED_PAGES)
    assert f"wanted to {roles.DESCRIBED[roles.READ_AUDIT_LOG]}; role {roles.REVIEWER}</td>" in log


def test_a_reviewer_sees_no_links_to_them_and_reads_notes_tags_and_marks_conversations(stack: Stack):
    url = stack.review.url
    sender = new_sender("roles")
    stack.rasa.say(sender, "/crisis")
    reviewer = stack.review.login(new_account(stack.review))
    for path in (
        "/conversations",
        "/conversations?crisis=yes&reviewed=no",
        "/unanswered",
        f"/conversation?id={sender}",
    ):
        page = reviewer.get(f"{url}{path}")
        assert page.status_code == 200, path
        assert not any(link in page.text for link in LINKS), path
    token = csrf_of(reviewer.get(f"{url}/conversation", params={"id": sender}))
    for form, data in (("note", {"text": "called back"}), ("tag", {"tag": "follow up"})):
        answer = reviewer.post(f"{url}/conversation/{form}", data={"csrf_token": token, "id": sender, **data})
        assert answer.status_code == 200, form
    assert mark_reviewed(reviewer, url, sender).status_code == 200
    page = reviewer.get(f"{url}/conversation", params={"id": sender}).text
    assert "called back" in page and "follow up" in page and "Not reviewed yet" not in page


def test_an_administrator_exports_reads_the_audit_log_and_sees_their_links(stack: Stack):
    administrator = stack.review.login(new_account(stack.review, roles.ADMINISTRATOR))
    assert_allowed(administrator, stack.review.url)
    export = administrator.get(f"{stack.review.url}/export", params={"format": "csv"})
    assert export.headers["Content-Disposition"].startswith("attachment;")
    assert export.text.startswith("conversation_id,")


def test_a_changed_role_applies_to_a_session_already_signed_in(stack: Stack):
    url = stack.review.url
    name = new_account(stack.review)
    browser = stack.review.login(name)
    assert_refused(browser, url, "/audit", roles.READ_AUDIT_LOG)
    set_role(stack.review, name, roles.ADMINISTRATOR)
    assert_allowed(browser, url)
    set_role(stack.review, name, roles.REVIEWER)
    assert_refused(browser, url, "/export?format=csv", roles.EXPORT)
    assert not any(link in browser.get(f"{url}/conversations").text for link in LINKS)


def test_make_staff_sets_the_role_a_reviewer_s_unless_said(stack: Stack):
    def make_staff(*variables: str) -> str:
        name = f"ali.{uuid.uuid4().hex[:8]}"
        made = subprocess.run(
            ["make", "--no-print-directory", "staff", f"NAME={name}", *variables],
            cwd=PROJECT,
            env=stack.review.env,
            input=PASSWORD + "\n",
            capture_output=True,
            text=True,
        )
        assert made.returncode == 0, made.stdout + made.stderr
        return name

    assert role_in_database(stack.review.env, make_staff()) == roles.REVIEWER
    administrator = make_staff(f"ROLE={roles.ADMINISTRATOR}")
    assert role_in_database(stack.review.env, administrator) == roles.ADMINISTRATOR
    assert_allowed(stack.review.login(administrator), stack.review.url)


def test_the_role_command_refuses_an_unknown_role_or_account_and_changes_nothing(stack: Stack):
    name = new_account(stack.review)
    unknown_role = stack.review.command("review.staff", "role", name, "owner")
    assert unknown_role.returncode != 0 and "invalid choice: 'owner'" in unknown_role.stderr
    assert role_in_database(stack.review.env, name) == roles.REVIEWER
    nobody = stack.review.command("review.staff", "role", "no.such.person", roles.ADMINISTRATOR)
    assert nobody.returncode != 0 and "There is no account named no.such.person." in nobody.stderr


@pytest.fixture(params=["sqlite", "postgresql"])
def earlier_store(request, tmp_path) -> Iterator[dict[str, str]]:
    """The settings of a review store that an earlier version made: a staff table without roles, one account
    in it. On SQLite the conversations are the stack's; on PostgreSQL a database of its own."""
    if request.param == "sqlite":
        stack = request.getfixturevalue("sqlite_stack")
        env = {**stack.review.env, "REVIEW_DB": str(tmp_path / "earlier-review.db")}
        fill_earlier_staff_table(env)
        yield env
        return
    with postgresql_review_store("trd_review_earlier") as env:
        fill_earlier_staff_table(env)
        yield env


EARLIER_ACCOUNT = "jo.earlier"


def fill_earlier_staff_table(env: dict[str, str]) -> None:
    engine = own_tables_engine(Settings.from_env(env))
    try:
        with engine.begin() as connection:
            EARLIER.create_all(connection)
            connection.execute(
                earlier_staff.insert().values(
                    username=EARLIER_ACCOUNT,
                    password_hash=accounts.hasher.hash(PASSWORD),
                    active=True,
                    created_at=time.time(),
                )
            )
    finally:
        engine.dispose()


def test_an_earlier_staff_table_gains_roles_on_start_up_and_its_accounts_are_administrators(
    earlier_store: dict[str, str],
):
    app = ReviewApp(f"http://127.0.0.1:{free_port()}", earlier_store).start()
    try:
        assert role_in_database(earlier_store, EARLIER_ACCOUNT) == roles.ADMINISTRATOR
        assert_allowed(app.login(EARLIER_ACCOUNT), app.url)
        # a new account on the upgraded table is a reviewer's, as on a new one
        newcomer = app.login(new_account(app))
        assert_refused(newcomer, app.url, "/audit", roles.READ_AUDIT_LOG)
    finally:
        app.stop()
