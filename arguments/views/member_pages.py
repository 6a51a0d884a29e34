"""A signed-in member's debate page, kept whole per reader and answered before the rest of
Django (issue 35 item 2; docs/ARCHITECTURE.md, "A member's page kept").

A member's page shows, beyond the debate's state, rows of many kinds about its reader (their
role, votes, flags, notices, follow, tasks, the perspectives they may pick, their name). A
store keyed by a list of those would be only as right as the list, so the key lists none of
them: it holds the site's write count (`SiteWrites`), which every statement that writes a
row a page may show moves, in the writer's own transaction. The count is kept by the
database connection itself (`count_writes`, an execute wrapper on every connection), so a
queryset's `update()`, a `bulk_create`, raw SQL in a service or the admin move it as a model's
`save()` does; nothing has to remember to. Only tables no page shows are left out
(`UNSHOWN_TABLES`: sessions, the task queue, the cache's fallback table, stored strengths,
branch sizes, gap places and perspectives' strengths (the page is the same stored or
computed), the periodic jobs' clock), and the debate row's stamps of those (`DERIVED_COLUMNS`).

Per request, before the session, CSRF, auth and the rest of the middleware: the session
cookie → the session (Django's own store: expired or unknown is empty), its keys (anything
but the sign-in and the language, such as a message or voting as a perspective, sends the
request the slow way), the user row and the write count in one query, the session's auth
hash checked as Django checks it (a changed password signs out), the debate's versions (the
visitor page's query). The key: the debate, host, scheme, language, the debate's versions,
the user and the write count. A page lives at most `KEPT_SECONDS`, so "N minutes ago" is at
most that old.

What differs per request is put in on the way out: the CSP nonce (as for visitors) and the
CSRF token, masked afresh from this request's own CSRF cookie, which is set again as
Django's CSRF middleware sets it. A page is kept only when the view rendered it for this
user from the versions read here, nothing but the CSRF cookie was set, and the write count
read again after the view is unchanged (no write landed while it rendered).
"""

from __future__ import annotations

import os
import re
import secrets
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import replace
from importlib import import_module
from typing import Any, TypeGuard

from django.apps import apps
from django.conf import settings
from django.contrib.auth import (
    BACKEND_SESSION_KEY,
    HASH_SESSION_KEY,
    SESSION_KEY,
    get_user_model,
)
from django.contrib.sessions.backends import cached_db, db
from django.contrib.sessions.backends.base import SessionBase
from django.db import DatabaseError, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import (
    CSRF_ALLOWED_CHARS,
    CSRF_SECRET_LENGTH,
)
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.translation import get_language_from_request

from arguments import caches, languages, replicas, selectors
from arguments.models import (
    DEBATE_DERIVED_FIELDS,
    ActivityStamp,
    Debate,
    ParticipantActivity,
    PerspectiveStamp,
    PerspectiveStrength,
    ScheduledRun,
    SiteWrites,
    StoredBranchSize,
    StoredGapPlace,
    StoredStrength,
)
from arguments.rules.faults import close_lost_connections
from arguments.views import visitor_pages

KEPT_SECONDS = 60
SLOT_MASK = 2**62 - 1  # slots are positive 63-bit keys
# A session holding only these keeps no per-request state a page shows: the sign-in, the
# language (part of the key) and allauth's record of how and when the reader signed in.
PLAIN_SESSION_KEYS = frozenset(
    {SESSION_KEY, BACKEND_SESSION_KEY, HASH_SESSION_KEY, languages.SESSION_KEY}
    | {"account_authentication_methods"}
)
PLAIN_COOKIES = frozenset(
    {settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME, settings.LANGUAGE_COOKIE_NAME}
)
# Stands in the kept body where the rendering request's CSRF tokens stood.
TOKEN_MARK = "\x00csrf-token\x00"
MASKED_TOKEN = re.compile(rf"[{CSRF_ALLOWED_CHARS}]{{{2 * CSRF_SECRET_LENGTH}}}")
WRITE = re.compile(
    r"^\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM|REPLACE\s+INTO)\s+[\"`]?(\w+)",
    re.IGNORECASE,
)
WRITES_TABLE = SiteWrites._meta.db_table


def _unshown_tables() -> frozenset[str]:
    tables = {
        model._meta.db_table
        for label in ("sessions", "django_tasks_database")
        if label in apps.app_configs
        for model in apps.get_app_config(label).get_models()
    }
    # Stored strengths, branch sizes, gap places and a perspective's strengths: copies of
    # what a process computes from the rows, the page the same stored or computed;
    # and the activity table's stored counts (read by no member's page).
    derived = (
        StoredStrength,
        StoredBranchSize,
        StoredGapPlace,
        PerspectiveStamp,
        PerspectiveStrength,
        ActivityStamp,
        ParticipantActivity,
    )
    tables |= {WRITES_TABLE, ScheduledRun._meta.db_table}
    tables |= {model._meta.db_table for model in derived}
    tables |= {
        str(cache["LOCATION"])
        for cache in [*settings.CACHES.values(), getattr(settings, "FALLBACK_CACHE", {})]
        if cache.get("BACKEND", "").endswith("DatabaseCache")
    }
    return frozenset(table.lower() for table in tables)


UNSHOWN_TABLES: frozenset[str] = frozenset()


def _slot() -> int:
    """This process and thread's own row of the count. Never shared by two writers at once:
    a row locked by one writer's transaction and wanted by another's would order their locks
    (a vote locks its claim, then its slot, then the debate's row; a write the debate's row,
    then its slot) into a deadlock. One row per writing process and thread; their sum is read."""
    return hash((os.getpid(), threading.get_ident())) & SLOT_MASK


def count_writes(
    execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Mapping[str, Any]
) -> Any:
    """An execute wrapper: after a statement that wrote a shown table, add one to this
    process's slot of the site's write count, on the same connection and in the same
    transaction, through the driver's own cursor (no wrapper, no query log)."""
    result = execute(sql, params, many, context)
    found = WRITE.match(sql)
    if (
        found is not None
        and _counting.on
        and found.group(1).lower() not in UNSHOWN_TABLES
        and not _only_derived_stamps(sql)
    ):
        connection: BaseDatabaseWrapper = context["connection"]
        slot = _slot()
        cursor = connection.connection.cursor()
        try:
            cursor.execute(
                f"INSERT INTO {WRITES_TABLE} (slot, writes) VALUES ({slot}, 1) "
                f"ON CONFLICT (slot) DO UPDATE SET writes = {WRITES_TABLE}.writes + 1"
            )
        finally:
            cursor.close()
    return result


DEBATES_TABLE = Debate._meta.db_table
SET_COLUMNS = re.compile(r"\bSET\s+(.*?)\s+WHERE\b", re.IGNORECASE | re.DOTALL)
SET_COLUMN = re.compile(r"[\"`]?(\w+)[\"`]?\s*=")


DERIVED_COLUMNS = frozenset(
    field.column for field in Debate._meta.concrete_fields if field.name in DEBATE_DERIVED_FIELDS
)


def _only_derived_stamps(sql: str) -> bool:
    """Whether the statement updates only the debate row's `DERIVED_COLUMNS`."""
    if DEBATES_TABLE not in sql[:40]:
        return False
    found = SET_COLUMNS.search(sql)
    if found is None:
        return False
    columns = SET_COLUMN.findall(found.group(1))
    return bool(columns) and all(column in DERIVED_COLUMNS for column in columns)


class _Counting:
    on = True  # not while `migrate` runs: the count's table may not be there yet


_counting = _Counting()


def pause_write_count(**kwargs: object) -> None:
    """Before `migrate` (Django's `pre_migrate`)."""
    _counting.on = False


def resume_write_count(**kwargs: object) -> None:
    """After `migrate` (Django's `post_migrate`)."""
    _counting.on = True


def install_write_count(sender: object, connection: BaseDatabaseWrapper, **kwargs: object) -> None:
    """On every new database connection (Django's `connection_created`)."""
    global UNSHOWN_TABLES
    if not UNSHOWN_TABLES:
        UNSHOWN_TABLES = _unshown_tables()
    if count_writes not in connection.execute_wrappers:
        connection.execute_wrappers.append(count_writes)


def mark(response: HttpResponse, debate: Debate, user_id: int) -> HttpResponse:
    """Say that `response` is `user_id`'s plain page of `debate` in its current state."""
    response.__dict__["member_page_state"] = (user_id, *visitor_pages.state_of(debate))
    return response


def _page_size(page: visitor_pages.KeptPage) -> int:
    return caches.text_size(page.body) + sum(len(n) + len(v) + 100 for n, v in page.headers)


# Members' pages per worker, bounded by bytes (a page is about 40 to 60 KB).
_pages = caches.Bounded("member pages", sizer=_page_size, default_mb=16)


# Sessions' signed text decoded, and auth hashes checked against a password hash: the same
# inputs give the same answer, so a kept page pays neither again.
_sessions = caches.Bounded("member sessions", sizer=lambda _: 600, default_mb=1)


def forget_pages() -> None:
    """Drop every member page this worker keeps, and what it knows of sessions."""
    _pages.clear()
    _sessions.clear()


caches.register(
    "member pages",
    kept=caches.Kept.PROCESS,
    key="the debate's slug, the host and scheme, the reader's language (session, else cookie, "
    "else Accept-Language), the debate's structure version, tally version and last save, "
    "the reader's user id and the site's write count (`SiteWrites`, moved by every write "
    "statement to a shown table)",
    stale=f"any of those moves (read on every request); {KEPT_SECONDS} seconds at most, so "
    "relative times and the live poll's ticket stay fresh",
    forget=forget_pages,
    holds=_pages,
)
caches.register(
    "member sessions",
    kept=caches.Kept.PROCESS,
    key="a session's signed text as the database holds it (its keys decoded); a user id, "
    "password hash and the session's auth hash (whether they match)",
    stale="never: the same inputs give the same answer (a changed session or password is "
    "another key)",
    forget=forget_pages,
    holds=_sessions,
)


def _csrf_secret(request: HttpRequest) -> str | None:
    secret = request.COOKIES.get(settings.CSRF_COOKIE_NAME, "")
    if len(secret) != CSRF_SECRET_LENGTH or not set(secret) <= set(CSRF_ALLOWED_CHARS):
        return None  # none, or one Django would replace: the slow way sets it
    return secret


def _plain_member_visit(request: HttpRequest) -> tuple[str, str, str] | None:
    """The slug, session key and CSRF secret when the request is a member's plain GET."""
    if (
        request.method != "GET"
        or request.META.get("QUERY_STRING")
        or "HTTP_HX_REQUEST" in request.META
        or settings.CSRF_USE_SESSIONS
    ):
        return None
    match = visitor_pages.PAGE_PATH.match(request.path_info)
    if match is None or any(name not in PLAIN_COOKIES for name in request.COOKIES):
        return None
    session_key = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
    secret = _csrf_secret(request)
    if not session_key or secret is None:
        return None
    return match.group(1), session_key, secret


def _in_database(store: SessionBase) -> TypeGuard[db.SessionStore]:
    return isinstance(store, db.SessionStore) and not isinstance(store, cached_db.SessionStore)


def _session(store: SessionBase, session_key: str) -> Mapping[str, Any]:
    """The session's data as Django's store gives it (an ended or unknown session: empty).
    The database's store is read by plain SQL, its model's query costing more than the rest
    of a kept page, and its decoding kept per signed text; the others (the shared cache
    first) through the store itself."""
    if not _in_database(store):
        return dict(store.load())
    table = store.get_model_class()._meta.db_table
    with connections[replicas.reads_from()].cursor() as cursor:
        cursor.execute(
            f"SELECT session_data FROM {table} WHERE session_key = %s AND expire_date > %s",
            [session_key, timezone.now()],
        )
        row = cursor.fetchone()
    return {} if row is None else _decoded(store, session_key, row[0])


def _decoded(store: SessionBase, session_key: str, text: str) -> Mapping[str, Any]:
    decoded = _sessions.fetch(text)  # the same signed text decodes to the same keys
    if decoded is None:
        decoded = store.decode(text)
        _sessions.keep(text, decoded)
    _sessions.keep(("key", session_key), text)
    return decoded


def _user_id(session: Mapping[str, Any]) -> int | None:
    """The signed-in user's id when the session holds nothing else a page shows (its keys
    are the sign-in's and the language's) and names a backend Django would use."""
    if not set(session) <= PLAIN_SESSION_KEYS:
        return None
    if session.get(BACKEND_SESSION_KEY) not in settings.AUTHENTICATION_BACKENDS:
        return None
    try:
        return int(session[SESSION_KEY])
    except (KeyError, TypeError, ValueError):
        return None


def _signed_in(
    store: SessionBase, session_key: str, slug: str, request: HttpRequest
) -> tuple[Mapping[str, Any], int, selectors.MemberReading] | None:
    """The session, the user id and what the page is checked against, when the session
    signs in an active user whose password is the one it was signed in with (as Django's
    `get_user`). A session this worker has read before is read again in the same query as
    the rest, and its row's signed text decoded again if it changed."""
    text = _sessions.fetch(("key", session_key)) if _in_database(store) else None
    if text is not None:
        session = _decoded(store, session_key, text)
        user_id = _user_id(session)
        if user_id is None:
            return None
        reading = selectors.member_reading(slug, user_id, request.META, session_key=session_key)
        if reading is None or reading.session_data is None:
            return None  # ended or gone: the slow way says so
        if reading.session_data != text:  # changed (a message came and went): read it anew
            session = _decoded(store, session_key, reading.session_data)
            if _user_id(session) != user_id:
                return None
    else:
        session = _session(store, session_key)
        user_id = _user_id(session)
        if user_id is None:
            return None
        reading = selectors.member_reading(slug, user_id, request.META)
    if reading is None or not reading.is_active:
        return None
    # The model's own hash (an unsaved instance holding the stored password); a match by a
    # fallback secret is left to Django, which then rotates the session.
    given = session.get(HASH_SESSION_KEY) or ""
    checked = ("hash", user_id, reading.password, given)
    if _sessions.fetch(checked) is None:
        user = get_user_model()(pk=user_id, password=reading.password)
        if not constant_time_compare(given, user.get_session_auth_hash()):
            return None
        _sessions.keep(checked, True)
    return session, user_id, reading


def unmasked(token: str) -> str:
    """The secret a masked token stands for (Django's `_unmask_cipher_token`)."""
    mask, cipher = token[:CSRF_SECRET_LENGTH], token[CSRF_SECRET_LENGTH:]
    index = CSRF_ALLOWED_CHARS.index
    return "".join(
        CSRF_ALLOWED_CHARS[(index(char) - index(shift)) % len(CSRF_ALLOWED_CHARS)]
        for char, shift in zip(cipher, mask, strict=True)
    )


def _with_marks(body: str, secret: str) -> str:
    """The body with every token that masks `secret` (the rendering request's) marked."""

    def mark_token(found: re.Match[str]) -> str:
        token = found.group(0)
        return TOKEN_MARK if unmasked(token) == secret else token

    return MASKED_TOKEN.sub(mark_token, body)


def masked(secret: str) -> str:
    """`secret` masked as Django's `get_token` masks it (a fresh random mask, then each
    character shifted by the mask's), its mask drawn from the system's random bytes at once
    rather than a character at a time (Django's costs half of a kept page)."""
    alphabet = len(CSRF_ALLOWED_CHARS)
    fair = 256 - 256 % alphabet  # bytes at or past this would favour the first characters
    mask: list[int] = []
    while len(mask) < CSRF_SECRET_LENGTH:
        mask.extend(byte % alphabet for byte in secrets.token_bytes(48) if byte < fair)
    mask = mask[:CSRF_SECRET_LENGTH]
    shifted = (
        CSRF_ALLOWED_CHARS[(CSRF_ALLOWED_CHARS.index(char) + shift) % alphabet]
        for char, shift in zip(secret, mask, strict=True)
    )
    return "".join(CSRF_ALLOWED_CHARS[shift] for shift in mask) + "".join(shifted)


def _answer(page: visitor_pages.KeptPage, secret: str) -> HttpResponse:
    response = visitor_pages.answer(
        replace(page, body=page.body.replace(TOKEN_MARK, masked(secret)))
    )
    # As the CSRF middleware does for every response whose page asked for a token.
    response.set_cookie(
        settings.CSRF_COOKIE_NAME,
        secret,
        max_age=settings.CSRF_COOKIE_AGE,
        domain=settings.CSRF_COOKIE_DOMAIN,
        path=settings.CSRF_COOKIE_PATH,
        secure=settings.CSRF_COOKIE_SECURE,
        httponly=settings.CSRF_COOKIE_HTTPONLY,
        samesite=settings.CSRF_COOKIE_SAMESITE,
    )
    return response


def _keepable(
    request: HttpRequest, response: HttpResponse, state: tuple[Any, ...], language: str, secret: str
) -> bool:
    cookies = {name: morsel.value for name, morsel in response.cookies.items()}
    return (
        response.status_code == 200
        and not response.streaming
        and getattr(response, "member_page_state", None) == state
        and getattr(getattr(request, "user", None), "pk", None) == state[0]
        and cookies in ({}, {settings.CSRF_COOKIE_NAME: secret})
        and response.headers.get("Content-Language") == language
        and not replicas.was_served_newer()
    )


class MemberPagesMiddleware:
    """Second in MIDDLEWARE, after the visitors' store: a member's kept page costs the
    session's read, two indexed queries and the token's masking."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.sessions = import_module(settings.SESSION_ENGINE).SessionStore

    def __call__(self, request: HttpRequest) -> HttpResponse:
        visit = _plain_member_visit(request)
        if visit is None:
            return self.get_response(request)
        slug, session_key, secret = visit
        try:
            signed_in = _signed_in(self.sessions(session_key), session_key, slug, request)
        except DatabaseError:
            close_lost_connections()  # as the visitors' store does
            return self.get_response(request)
        if signed_in is None:
            return self.get_response(request)
        session, user_id, reading = signed_in
        versions, writes = reading.versions, reading.writes
        chosen = languages.supported(session.get(languages.SESSION_KEY))
        language = chosen or get_language_from_request(request)
        state = (
            user_id,
            versions.structure,
            versions.tally,
            selectors.epoch_seconds(versions.updated_at),
        )
        key = (
            slug,
            request.META.get("HTTP_HOST", ""),
            request.is_secure(),
            language,
            versions.structure,
            versions.tally,
            versions.updated_at,
            user_id,
            writes,
        )
        page = _pages.fetch(key)
        if page is not None and time.monotonic() - page.kept_at < KEPT_SECONDS:
            return _answer(page, secret)
        response = self.get_response(request)
        if (
            _keepable(request, response, state, language, secret)
            and selectors.site_writes() == writes
        ):
            kept = visitor_pages.kept_page(response)
            _pages.keep(key, replace(kept, body=_with_marks(kept.body, secret)))
        return response
