"""The staff review web app: sign in, the conversation list, one conversation, unanswered questions,
exports and the audit log.

Every page but the sign-in page needs a session, and exports and the audit log an administrator's
(review/roles.py); every form carries its CSRF token. Database calls are plain (blocking) SQLAlchemy: a
handful of staff use this app, and each call takes milliseconds. Password hashing, which takes far
longer, runs in a thread (review/accounts.py).
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
import uuid
from urllib.parse import urlencode

import sqlalchemy as sa
from sanic import Sanic
from sanic.exceptions import SanicException
from sanic.request import Request
from sanic.response import HTTPResponse, html, redirect

from review import accounts, audit, export, index, listing, roles, sessions, transcript, unanswered
from review.clients import client_of
from review.database import (
    StoreUnavailableError,
    conversations,
    marks,
    notes,
    own_tables_engine,
    review_engine,
    tags,
)
from review.pages import STATIC, render
from review.settings import Settings

logger = logging.getLogger(__name__)

LOGIN_COOKIE = "review_login"
REFUSED = "access_refused"
MAX_NOTE_CHARACTERS = 5000
TAG = re.compile(r"^[\w][\w -]{0,39}$")
PUBLIC_PATHS = ("/login",)
PLAIN_ERRORS = {
    400: "The request was not understood.",
    403: "That is not allowed.",
    404: "There is no such page.",
    405: "That page cannot be used that way.",
    413: "That is too large to send.",
}
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; "
        "base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
}


class Refused(SanicException):
    """A request refused with a message in plain words (shown on the error page)."""


def session_cookie_name(settings: Settings) -> str:
    # the __Host- prefix makes browsers refuse the cookie unless it is Secure, host-only and for path /
    return "__Host-review_session" if settings.https else "review_session"


def local_path(target: str | None) -> str:
    """Where to go after signing in: only a path on this site (no open redirect)."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/conversations"


def create_app(settings: Settings) -> Sanic:
    app = Sanic("trd_review")
    app.config.REQUEST_MAX_SIZE = 200_000
    if settings.trusted_proxies:
        app.config.PROXIES_COUNT = settings.trusted_proxies
    elif settings.https:
        logger.warning(
            "REVIEW_HTTPS is set but REVIEW_TRUSTED_PROXIES is not: every client has the proxy's address, so the "
            "audit log shows that and a few failed sign-ins on an account hold it for everyone. Set "
            "REVIEW_TRUSTED_PROXIES to the number of proxies in front (1 for one)."
        )
    # Pages read conversations through `engine`. Signing in, the header's count and the app's own records
    # need only its own tables: on SQLite through a connection of their own, so that they work before the
    # assistant has created the conversation file; on PostgreSQL one connection reaches both.
    engine = review_engine(settings)
    own_tables = engine if settings.on_postgresql else own_tables_engine(settings)
    app.static("/static", str(STATIC), name="static")
    cookie_name = session_cookie_name(settings)
    # One sign-in at a time: the throttle counts failures in the audit log, so each try must be recorded
    # before the next is checked, or tries sent together would all pass while the first is hashed. It also
    # keeps Argon2 to one CPU and 64 MiB at once; a refused try takes milliseconds.
    sign_in_turn = asyncio.Lock()

    def set_cookie(response: HTTPResponse, name: str, value: str, max_age: int, path: str = "/") -> None:
        response.cookies[name] = value
        cookie = response.cookies[name]
        cookie["httponly"] = True
        # Lax: a link to a conversation (in a crisis alert) opens it; forms are guarded by their token
        cookie["samesite"] = "Lax" if name == cookie_name else "Strict"
        cookie["secure"] = settings.https
        cookie["path"] = path
        cookie["max-age"] = max_age

    def page(request: Request, template: str, **context) -> HTTPResponse:
        with own_tables.connect() as connection:
            waiting = listing.crisis_waiting(connection)
        session = request.ctx.session
        alerts_off = not settings.crisis_alerts
        return html(render(template, session=session, crisis_waiting=waiting, alerts_off=alerts_off, **context))

    def record(request: Request, action: str, **kwargs) -> None:
        with own_tables.begin() as connection:
            username, client = request.ctx.session.username, client_of(request, settings).address
            audit.record(connection, action, username=username, client=client, **kwargs)

    def refuse(request: Request, permission: str) -> None:
        """A page the account's role does not allow: logged and audited, since it may be someone probing."""
        role = request.ctx.session.role
        logger.warning("Refused %s to %s (%s).", request.path, request.ctx.session.username, role)
        record(request, REFUSED, details={"permission": permission, "role": role})
        raise Refused(roles.refusal(role, permission), status_code=403)

    def conversation_id_of(values) -> str:
        conversation_id = (values.get("id") or "").strip()
        if not conversation_id:
            raise Refused("Which conversation? The link has no conversation id.", status_code=400)
        return conversation_id

    def back_to(conversation_id: str) -> HTTPResponse:
        return redirect("/conversation?" + urlencode({"id": conversation_id}), status=303)

    @app.middleware("request")
    async def require_session(request: Request):
        request.ctx.session = None
        if request.path.startswith("/static/"):
            return None
        with own_tables.begin() as connection:
            request.ctx.session = sessions.current(connection, request.cookies.get(cookie_name))
        if request.path in PUBLIC_PATHS:
            return None
        if request.ctx.session is None:
            if request.method == "GET":
                wanted = request.path + (f"?{request.query_string}" if request.query_string else "")
                return redirect("/login?" + urlencode({"next": wanted}), status=303)
            raise Refused("Please sign in first.", status_code=401)
        if request.method == "POST" and not sessions.tokens_match(
            request.form.get("csrf_token"), request.ctx.session.csrf_token
        ):
            client = client_of(request, settings).address
            logger.warning("Refused a form without its CSRF token from %s on %s.", client, request.path)
            raise Refused("This form has expired. Go back, reload the page and try again.", status_code=403)
        needed = roles.PAGE_NEEDS.get(request.path)
        if needed and not request.ctx.session.may(needed):
            refuse(request, needed)
        if request.method == "GET":
            index.refresh(engine)
        return None

    @app.middleware("response")
    async def protect(request: Request, response: HTTPResponse) -> None:
        response.headers.update(SECURITY_HEADERS)
        if not request.path.startswith("/static/"):
            response.headers["Cache-Control"] = "no-store"
        if settings.https:
            response.headers["Strict-Transport-Security"] = "max-age=31536000"

    @app.exception(Exception)
    async def show_error(request: Request, error: Exception) -> HTTPResponse:
        if isinstance(error, Refused):
            status, message = error.status_code, str(error)
        elif isinstance(error, SanicException) and error.status_code < 500:
            status, message = error.status_code, PLAIN_ERRORS.get(error.status_code, "The request was not understood.")
        else:
            reference = uuid.uuid4().hex[:8]
            logger.error("Error %s on %s %s", reference, request.method, request.path, exc_info=error)
            status = 503 if isinstance(error, (StoreUnavailableError, sa.exc.OperationalError)) else 500
            message = (
                str(error)
                if isinstance(error, StoreUnavailableError)
                else "Something went wrong on our side. It is logged for the team"
            )
            message += f" (reference {reference})."
        return html(render("error.html", session=None, crisis_waiting=0, message=message), status=status)

    @app.get("/")
    async def home(request: Request) -> HTTPResponse:
        return redirect("/conversations", status=303)

    @app.get("/login")
    async def login_form(request: Request) -> HTTPResponse:
        # kept when there is one: a second sign-in page (another tab, the favicon's redirect) must not
        # invalidate the first one's form
        token = request.cookies.get(LOGIN_COOKIE) or sessions.new_token()
        response = html(
            render("login.html", session=None, crisis_waiting=0, csrf_token=token, next=request.args.get("next", ""))
        )
        set_cookie(response, LOGIN_COOKIE, token, max_age=3600, path="/login")
        return response

    @app.post("/login")
    async def login(request: Request) -> HTTPResponse:
        form = request.form
        if not sessions.tokens_match(form.get("csrf_token"), request.cookies.get(LOGIN_COOKIE)):
            raise Refused("This sign-in form has expired. Reload the page and try again.", status_code=403)
        username, password = (form.get("username") or "").strip().lower()[:80], form.get("password") or ""
        client = client_of(request, settings)
        async with sign_in_turn:
            with own_tables.begin() as connection:
                wait = accounts.seconds_to_wait(connection, username, client)
                if wait:
                    audit.record(connection, "login_throttled", username=username, client=client.address)
            if wait:
                logger.warning("Sign-in for %r from %s refused: too many failures.", username, client.address)
                raise Refused(
                    f"Too many failed sign-ins. Please wait {wait} seconds before trying again.", status_code=429
                )
            signed_in = await accounts.authenticate(own_tables, username, password)
            with own_tables.begin() as connection:
                if signed_in is None:
                    audit.record(connection, accounts.FAILED, username=username, client=client.address)
                else:
                    audit.record(connection, accounts.SIGNED_IN, username=username, client=client.address)
                    token = sessions.start(connection, signed_in.id)
        if signed_in is None:
            logger.warning("Failed sign-in for %r from %s.", username, client.address)
            body = render(
                "login.html",
                session=None,
                crisis_waiting=0,
                csrf_token=form.get("csrf_token"),
                next=form.get("next", ""),
                username=username,  # kept, so only the password needs typing again
                error="That username and password do not match an account.",
            )
            return html(body, status=401)
        response = redirect(local_path(form.get("next")), status=303)
        set_cookie(response, cookie_name, token, max_age=sessions.LONGEST_SECONDS)
        set_cookie(response, LOGIN_COOKIE, "", max_age=0, path="/login")
        return response

    @app.post("/logout")
    async def logout(request: Request) -> HTTPResponse:
        record(request, "logout")
        with own_tables.begin() as connection:
            sessions.end(connection, request.ctx.session.token)
        response = redirect("/login", status=303)
        set_cookie(response, cookie_name, "", max_age=0)
        return response

    def filters_of(request: Request) -> listing.Filters:
        try:
            return listing.Filters.from_args(request.args)
        except listing.FilterError as error:
            raise Refused(str(error), status_code=400) from None

    def page_number(request: Request) -> int:
        value = request.args.get("page", "1")
        return int(value) if value.isdigit() and 0 < int(value) < 100_000 else 1

    @app.get("/conversations")
    async def conversation_list(request: Request) -> HTTPResponse:
        filters, number = filters_of(request), page_number(request)
        with engine.connect() as connection:
            rows, total = listing.page_of(connection, filters, number)
            channels = listing.channels(connection)
        if filters.text:
            record(request, "search", details={"filters": filters.described()})
        return page(
            request,
            "list.html",
            filters=filters,
            rows=rows,
            total=total,
            page_number=number,
            pages=max(1, -(-total // listing.PAGE_SIZE)),
            channels=channels,
        )

    @app.get("/conversation")
    async def conversation(request: Request) -> HTTPResponse:
        conversation_id = conversation_id_of(request.args)
        with engine.connect() as connection:
            entries = transcript.load(connection, conversation_id)
            if not entries:
                raise Refused("There is no conversation with that id (it may have been deleted).", status_code=404)
            facts = connection.execute(
                sa.select(conversations).where(conversations.c.sender_id == conversation_id)
            ).first()
            mark = connection.execute(sa.select(marks).where(marks.c.sender_id == conversation_id)).first()
            covers = mark is not None and (facts is None or mark.reviewed_up_to >= facts.last_crisis_event_id)
            note_rows = connection.execute(
                sa.select(notes).where(notes.c.sender_id == conversation_id).order_by(notes.c.id)
            ).all()
            tag_rows = connection.execute(
                sa.select(tags).where(tags.c.sender_id == conversation_id).order_by(tags.c.tag)
            ).all()
        record(request, "view_conversation", conversation_id=conversation_id)
        jump_to = None if covers else transcript.first_unreviewed_crisis(entries, mark.reviewed_up_to if mark else 0)
        return page(
            request,
            "conversation.html",
            conversation_id=conversation_id,
            entries=entries,
            jump_to=jump_to,
            facts=facts,
            # a mark made before the latest crisis no longer counts; the page says so
            mark=mark if covers else None,
            outdated_mark=None if covers else mark,
            notes=note_rows,
            tags=tag_rows,
        )

    @app.post("/conversation/note")
    async def add_note(request: Request) -> HTTPResponse:
        conversation_id = conversation_id_of(request.form)
        text = (request.form.get("text") or "").strip()
        if not text or len(text) > MAX_NOTE_CHARACTERS:
            raise Refused(f"A note needs some text, at most {MAX_NOTE_CHARACTERS} characters.", status_code=400)
        with own_tables.begin() as connection:
            connection.execute(
                notes.insert().values(
                    sender_id=conversation_id, username=request.ctx.session.username, at=time.time(), text=text
                )
            )
        record(request, "add_note", conversation_id=conversation_id)
        return back_to(conversation_id)

    @app.post("/conversation/tag")
    async def add_tag(request: Request) -> HTTPResponse:
        conversation_id = conversation_id_of(request.form)
        tag = " ".join((request.form.get("tag") or "").split()).lower()
        if not TAG.match(tag):
            raise Refused("A tag is 1 to 40 letters, digits, spaces, dashes or underscores.", status_code=400)
        with own_tables.begin() as connection:
            exists = connection.execute(
                sa.select(tags.c.tag).where(tags.c.sender_id == conversation_id, tags.c.tag == tag)
            ).first()
            if not exists:
                connection.execute(
                    tags.insert().values(
                        sender_id=conversation_id, tag=tag, username=request.ctx.session.username, at=time.time()
                    )
                )
        record(request, "add_tag", conversation_id=conversation_id, details={"tag": tag})
        return back_to(conversation_id)

    @app.post("/conversation/untag")
    async def remove_tag(request: Request) -> HTTPResponse:
        conversation_id = conversation_id_of(request.form)
        tag = request.form.get("tag") or ""
        with own_tables.begin() as connection:
            connection.execute(tags.delete().where(tags.c.sender_id == conversation_id, tags.c.tag == tag))
        record(request, "remove_tag", conversation_id=conversation_id, details={"tag": tag})
        return back_to(conversation_id)

    @app.post("/conversation/reviewed")
    async def set_reviewed(request: Request) -> HTTPResponse:
        conversation_id = conversation_id_of(request.form)
        reviewed = request.form.get("reviewed") == "yes"
        seen_up_to = request.form.get("up_to") or ""
        if reviewed and not seen_up_to.isdigit():
            raise Refused("The page was out of date: open the conversation again and mark it.", status_code=400)
        with own_tables.begin() as connection:
            connection.execute(marks.delete().where(marks.c.sender_id == conversation_id))
            if reviewed:
                connection.execute(
                    marks.insert().values(
                        sender_id=conversation_id,
                        reviewed_by=request.ctx.session.username,
                        reviewed_at=time.time(),
                        # what the page showed: a crisis that came in after it is not covered
                        reviewed_up_to=int(seen_up_to),
                    )
                )
        record(request, "mark_reviewed" if reviewed else "unmark_reviewed", conversation_id=conversation_id)
        return back_to(conversation_id)

    @app.get("/unanswered")
    async def unanswered_questions(request: Request) -> HTTPResponse:
        filters = filters_of(request)
        with engine.connect() as connection:
            groups = unanswered.group(
                unanswered.load(connection, listing.day_of(filters.date_from), listing.day_of(filters.date_to))
            )
        record(request, "view_unanswered", details={"filters": filters.described()})
        return page(request, "unanswered.html", filters=filters, groups=groups)

    @app.get("/export")
    async def export_conversations(request: Request):
        chosen = request.args.get("format", "csv")
        if chosen not in export.FORMATS:
            raise Refused("Export as csv or jsonl.", status_code=400)
        filters = filters_of(request)
        content_type, writer = export.FORMATS[chosen]
        with engine.connect() as connection:
            count = connection.execute(
                sa.select(sa.func.count()).select_from(listing.matching(filters).subquery())
            ).scalar_one()
        record(request, "export", details={"format": chosen, "filters": filters.described(), "conversations": count})
        filename = time.strftime(f"conversations-%Y%m%d-%H%M%S.{chosen}", time.gmtime())
        response = await request.respond(
            content_type=content_type,
            headers={
                "Content-Disposition": f'attachment; filename="{filename}"',
                "Cache-Control": "no-store",
                **SECURITY_HEADERS,
            },
        )
        for chunk in writer(export.rows(engine, filters)):
            await response.send(chunk)
        await response.eof()

    @app.get("/audit")
    async def audit_log(request: Request) -> HTTPResponse:
        action, number = request.args.get("action", ""), page_number(request)
        with own_tables.connect() as connection:
            entries = audit.recent(connection, number, action)
            choices = audit.actions(connection)
        return page(
            request,
            "audit.html",
            entries=entries,
            actions=choices,
            action=action,
            page_number=number,
            page_size=audit.PAGE_SIZE,
        )

    return app
