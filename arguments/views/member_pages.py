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
branch sizes, gap places, claims with no place and perspectives' strengths (the page is the
same stored or computed), the periodic jobs' clock), and the debate row's stamps of those
(`DERIVED_COLUMNS`).

Per request, before the session, CSRF, auth and the rest of the middleware: the session
cookie → the session (Django's own store: expired or unknown is empty), its keys (anything
but the sign-in and the language, such as a message or voting as a perspective, sends the
request the slow way), the user row and the write count in one query, the session's auth
hash checked as Django checks it (a changed password signs out), the debate's versions (the
visitor page's query). The key: the debate, host, scheme, language, the debate's structure
version, the user and the write count. A page lives at most `KEPT_SECONDS`, so "N minutes
ago" is at most that old.

Votes (issue 35, the class at work): a vote's own statements (its row, the point's tally
columns and stamp, the debate's tally version and last save, the opinion map's mark) are
counted apart (`SiteWrites.tallies`), and what they move a page shows only in its points'
vote regions (arguments/_vote.html) and the live poll's versions. A kept page is its text cut
at those (`MemberPage.parts`); the regions of every shown point are kept once per count of
votes' writes and shared (`Regions`): the first reader's page gives each point's region for
its own vote and what renders the others (`VotePoint`); a later reader's page is filled from
them and the reader's own votes on the shown points (one indexed query), a region for an own
vote no reader needed before rendered then, once. The view's own rendering of each region
must equal the region in its page, or the page is kept whole for these counts only.

After a vote no page is rendered: the regions at the new count are made from the newest at
the same write count and the structure's tallies and strengths now (`_retallied`). After a
write, readers alike (no row points at them but their votes and a few kinds no page shows:
`ALIKE_UNSHOWN`) share one rendering per role, cut at the reader's name and live ticket
(`_impersonal`, `_personal`); docs/ARCHITECTURE.md, "Readers alike".

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
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, replace
from importlib import import_module
from typing import Any, TypeGuard
from urllib.parse import quote_plus, unquote_plus

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
from django.template import Context, engines
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.crypto import constant_time_compare
from django.utils.html import escape
from django.utils.translation import get_language, get_language_from_request

from arguments import caches, languages, replicas, selectors
from arguments.live import polls
from arguments.models import (
    DEBATE_DERIVED_FIELDS,
    ActivityStamp,
    Claim,
    Debate,
    OpinionMap,
    ParticipantActivity,
    PerspectiveStamp,
    PerspectiveStrength,
    Relation,
    ScheduledRun,
    SiteWrites,
    StoredBranchSize,
    StoredGapPlace,
    StoredStrength,
    UnplacedClaim,
    Vote,
)
from arguments.reading.tree import TreeItem, VotePoint
from arguments.rules.faults import close_lost_connections
from arguments.structure import first_screen
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
# The holes a kept body is cut at (`visitor_pages.Pieces`) beside the nonce's: the CSRF
# token, filled per answer; the live poll's versions, per fill; a shared rendering's name
# and ticket, per reader.
TOKEN_HOLE, SINCE_HOLE, ETAG_HOLE, NAME_HOLE, TICKET_HOLE = 1, 2, 3, 4, 5
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
    # Stored strengths, branch sizes, gap places, claims with no place and a perspective's
    # strengths: copies of what a process computes from the rows, the page the same stored
    # or computed; and the activity table's stored counts (the owner's picker reads them
    # since wave 3 session 9, but lists the same people stored or counted).
    derived = (
        StoredStrength,
        StoredBranchSize,
        StoredGapPlace,
        UnplacedClaim,
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
    process's slot of the site's write count (or, for a vote's own statements, of its count
    of votes' writes), on the same connection and in the same transaction, through the
    driver's own cursor (no wrapper, no query log)."""
    result = execute(sql, params, many, context)
    found = WRITE.match(sql)
    if found is not None and _counting.on:
        column = _counted_in(found.group(1).lower(), sql)
        if column is not None:
            connection: BaseDatabaseWrapper = context["connection"]
            slot = _slot()
            cursor = connection.connection.cursor()
            try:
                writes, tallies = (1, 0) if column == "writes" else (0, 1)
                cursor.execute(
                    f"INSERT INTO {WRITES_TABLE} (slot, writes, tallies) "
                    f"VALUES ({slot}, {writes}, {tallies}) "
                    f"ON CONFLICT (slot) DO UPDATE SET {column} = {WRITES_TABLE}.{column} + 1"
                )
            finally:
                cursor.close()
    return result


DEBATES_TABLE = Debate._meta.db_table
VOTES_TABLE = Vote._meta.db_table
SET_WORD = re.compile(r"\bSET\b", re.IGNORECASE)
WHERE_WORD = re.compile(r"\bWHERE\b", re.IGNORECASE)
SET_COLUMN = re.compile(r"^\s*(?:[\"`]?\w+[\"`]?\.)?[\"`]?(\w+)[\"`]?\s*=")


DERIVED_COLUMNS = frozenset(
    field.column for field in Debate._meta.concrete_fields if field.name in DEBATE_DERIVED_FIELDS
)
# What a vote writes besides its own row (services/votes.py): the point's tally columns and
# stamp, the debate's tally version and last save, and the opinion map's "wanted" mark. A
# statement that sets only these (a debate's: with its tally version) is a vote's, counted
# in `tallies`: what it moves a member's page shows only in its vote regions.
TALLY_COLUMNS = {
    model._meta.db_table.lower(): frozenset(
        [*model.TALLY_FIELDS, "tallied_in"]  # fields named as their columns
    )
    for model in (Claim, Relation)
}
TALLY_COLUMNS[OpinionMap._meta.db_table.lower()] = frozenset({"wanted_at"})
DEBATE_TALLY_COLUMNS = frozenset({"tally_version", "updated_at"}) | DERIVED_COLUMNS


def _set_columns(sql: str) -> list[str] | None:
    """The columns an UPDATE sets, read from its SET clause at the top level (a subquery's
    own WHERE or commas are inside parentheses), or None when it cannot be read."""
    start = SET_WORD.search(sql)
    if start is None:
        return None
    depth, quote = 0, ""
    segment: list[str] = []
    segments: list[str] = []
    text = sql[start.end() :]
    index = 0
    while index < len(text):
        char = text[index]
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"`":
            quote = char
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif depth == 0 and char == ",":
            segments.append("".join(segment))
            segment = []
            index += 1
            continue
        elif depth == 0 and WHERE_WORD.match(text, index) and text[index - 1 : index].isspace():
            break
        segment.append(char)
        index += 1
    segments.append("".join(segment))
    columns = [SET_COLUMN.match(part) for part in segments]
    if not all(columns):
        return None
    return [found.group(1).lower() for found in columns if found is not None]


def _counted_in(table: str, sql: str) -> str | None:
    """Which count a write statement to `table` moves: `writes`, `tallies` (a vote's own
    statements) or none (a table no page shows, the debate row's derived stamps)."""
    if table in UNSHOWN_TABLES:
        return None
    if table == VOTES_TABLE.lower():
        return "tallies"
    if sql.lstrip()[:6].upper() != "UPDATE":
        return "writes"
    columns = _set_columns(sql)
    if not columns:
        return "writes"
    if table == DEBATES_TABLE.lower():
        if all(column in DERIVED_COLUMNS for column in columns):
            return None
        if "tally_version" in columns and set(columns) <= DEBATE_TALLY_COLUMNS:
            return "tallies"
        return "writes"
    if set(columns) <= TALLY_COLUMNS.get(table, frozenset()):
        return "tallies"
    return "writes"


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


def mark(
    response: HttpResponse, debate: Debate, user_id: int, regions: Rendered | None = None
) -> HttpResponse:
    """Say that `response` is `user_id`'s plain page of `debate` in its current state, its
    vote regions (`vote_regions`) given when the store asked for them."""
    response.__dict__["member_page_state"] = (user_id, *visitor_pages.state_of(debate))
    response.__dict__["member_vote_regions"] = regions
    return response


# Members' pages per worker, bounded by bytes (a page is about 40 to 60 KB).
_pages = caches.Bounded("member pages", sizer=lambda kept: _kept_size(kept), default_mb=16)


# Sessions' signed text decoded, and auth hashes checked against a password hash: the same
# inputs give the same answer, so a kept page pays neither again.
_sessions = caches.Bounded("member sessions", sizer=lambda _: 600, default_mb=1)


def forget_pages() -> None:
    """Drop every member page this worker keeps, its vote regions, and what it knows of
    sessions."""
    _pages.clear()
    _variants.clear()
    _sessions.clear()


caches.register(
    "member pages",
    kept=caches.Kept.PROCESS,
    key="a page: the debate's slug, the host and scheme, the reader's language (session, else "
    "cookie, else Accept-Language), the debate's structure version, the reader's user id and "
    "the site's write count (`SiteWrites.writes`, moved by every write statement to a shown "
    "table but a vote's); its vote regions (`Regions`): the same but the user, and the "
    "site's count of votes' writes (`SiteWrites.tallies`) and the write count; a page shared "
    "by readers alike: the page's key without the user, with their likeness (role, staff "
    "flags)",
    stale=f"any of those moves (read on every request); {KEPT_SECONDS} seconds at most, so "
    "relative times and the live poll's ticket stay fresh; a page kept at other counts of "
    "votes' writes is filled again from the regions at this one and the reader's own votes",
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


CSRF_ALPHABET = frozenset(CSRF_ALLOWED_CHARS)


def _csrf_secret(request: HttpRequest) -> str | None:
    secret = request.COOKIES.get(settings.CSRF_COOKIE_NAME, "")
    if len(secret) != CSRF_SECRET_LENGTH or not CSRF_ALPHABET.issuperset(secret):
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
    # A template's token is one string wherever it shows (its context's lazy token): each
    # is unmasked once (forty vote forms a page).
    seen: dict[str, str] = {}

    def mark_token(found: re.Match[str]) -> str:
        token = found.group(0)
        marked = seen.get(token)
        if marked is None:
            marked = seen[token] = TOKEN_MARK if unmasked(token) == secret else token
        return marked

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
    response = visitor_pages.answer(page, {TOKEN_HOLE: masked(secret).encode()})
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


# A point's vote region in a page (arguments/_vote.html): from its opening tag to the close
# of the `div` around its "why" box, the region's last element.
REGION_START = re.compile(r'<div class="votes" id="votes-([rc]\d+)">')
REGION_END = '<div class="why" id="why-{point}" aria-live="polite"></div>'
VOTE_TEMPLATE = "arguments/_vote.html"
CANDIDATE = "arguments.member_page_candidate"  # in request.META: the view adds the regions
SINCE_MARK = "\x00since\x00"
ETAG_MARK = "\x00etag\x00"
MARKS = {TOKEN_MARK: TOKEN_HOLE, SINCE_MARK: SINCE_HOLE, ETAG_MARK: ETAG_HOLE}

Place = tuple[str, Hashable]  # a point and what its region shows the same for its readers
Variants = dict[int | None, visitor_pages.Pieces]  # a point's region for each own vote so far
Part = bytes | int | Place  # a kept page's text, a hole in it, or a vote region's place


@dataclass(frozen=True, slots=True)
class Regions:
    """What a member's page shows of votes, for a state of the tallies: each place's region
    for each own vote a reader has needed so far, what renders the others when a reader
    first needs one (`points`), and the tally version they stand at."""

    tally: int
    places: Mapping[Place, Variants]
    points: Mapping[Place, VotePoint]


@dataclass(frozen=True, slots=True)
class Rendered:
    """What the view tells the store of a member's page: each shown point's place and the
    reader's own vote on it, every place's regions, and the versions the live poll holds."""

    shown: Mapping[str, tuple[Place, int | None]]
    regions: Regions
    structure: int
    newest_claim: int


@dataclass(frozen=True, slots=True)
class MemberPage:
    """A member's page kept across votes: its text around the vote regions and the live
    poll's versions (`parts`: UTF-8 text, holes and places), the page as last filled and
    the count of votes' writes it was filled at."""

    parts: tuple[Part, ...]
    page: visitor_pages.KeptPage
    tallies: int
    structure: int
    newest_claim: int
    relations: tuple[int, ...]
    theses: tuple[int, ...]
    # Counted once: a fill keeps the entry again (its page), and its parts are the same.
    parts_size: int = -1  # -1: count them (give -1 to `replace` along with new parts)

    def __post_init__(self) -> None:
        if self.parts_size < 0:
            texts = (part for part in self.parts if not isinstance(part, tuple))
            object.__setattr__(self, "parts_size", visitor_pages.pieces_size(texts))


def _region_size(regions: Regions) -> int:
    texts = sum(
        visitor_pages.pieces_size(html)
        for variants in regions.places.values()
        for html in variants.values()
    )
    points = sum(
        caches.text_size(point.urls.why + point.urls.vote + point.urls.sign_in) + POINT_BYTES
        for point in regions.points.values()
    )
    return texts + points


def _kept_size(kept: MemberPage | Regions | int) -> int:
    if isinstance(kept, int):
        return 100  # the newest regions' count of votes' writes (`_latest`)
    if isinstance(kept, Regions):
        return _region_size(kept)
    return (
        kept.parts_size
        + visitor_pages.page_size(kept.page)
        + 40 * len(kept.relations)
        + 40 * len(kept.theses)
    )


# A point's region for one own vote, keyed by all it shows: rendered once a state of the
# point, whoever reads it, and shared by the workers' members' pages (in place of marks).
POINT_BYTES = 400  # a `VotePoint` beside its links' text, about
_variants = caches.Bounded("member vote regions", sizer=visitor_pages.pieces_size, default_mb=4)
caches.register(
    "member vote regions",
    kept=caches.Kept.PROCESS,
    key="the language, the page's path, the point and what its region shows the same to its "
    "readers (may vote, its links), its tally, strength, the reader's own vote and whether "
    "others' votes are hidden until one votes",
    stale="never: anything shown changes the key",
    forget=forget_pages,
    holds=_variants,
)


def vote_regions(
    request: HttpRequest, items: list[TreeItem], hides_until_voted: bool
) -> Rendered | None:
    """Each shown point's vote region as this reader's page shows it, and what renders the
    region for any other own vote (`VotePoint`), when the store asked for them
    (`CANDIDATE`). A region for another own vote is rendered when a reader first needs it
    (`_filled`), not here: a point has six, and most readers hold no vote on most points."""
    if not request.META.get(CANDIDATE):
        return None
    shown: dict[str, tuple[Place, int | None]] = {}
    places: dict[Place, Variants] = {}
    points: dict[Place, VotePoint] = {}
    stack = list(items)
    while stack:
        item = stack.pop()
        stack.extend(item.pros)
        stack.extend(item.cons)
        if not item.point:
            continue
        actions, urls = item.actions, item.urls
        place: Place = (
            item.point,
            (actions.vote, actions.sign_in_to_vote, urls.why, urls.vote, item.point_relation),
        )
        if item.point in shown and shown[item.point] != (place, item.my_vote):
            return None  # one point shown two ways: not a page the store can split
        shown[item.point] = (place, item.my_vote)
        if place in places:
            continue
        point = item.vote_point(hides_until_voted)
        html = _variant(request, point, item.my_vote)
        if html is None:
            return None
        places[place] = {item.my_vote: html}
        points[place] = point
    lens = items[0].lens if items else None
    if lens is None:
        return None
    versions = polls.page_versions(lens)
    return Rendered(
        shown, Regions(versions.tally, places, points), versions.structure, versions.newest_claim
    )


def _variant(
    request: HttpRequest, point: VotePoint, mine: int | None
) -> visitor_pages.Pieces | None:
    """The point's region for a reader whose own vote is `mine` (kept by all it shows), or
    None when the template's output has no region to cut."""
    variant = point.for_vote(mine)
    key = (get_language(), request.get_full_path(), variant)
    pieces: visitor_pages.Pieces | None = _variants.fetch(key)
    if pieces is None:
        template = engines["django"].engine.get_template(VOTE_TEMPLATE)  # type: ignore[attr-defined]
        context = Context({"item": variant, "request": request, "csrf_token": TOKEN_MARK})
        html = _region(template.render(context), point.point)
        if html is None:
            return None
        pieces = _cutter("")(html.encode())
        _variants.keep(key, pieces)
    return pieces


def _cutter(nonce: str) -> visitor_pages.Cutter:
    """What cuts a kept text's UTF-8 at its marks (`MARKS`) and the page's CSP nonce."""
    holes = {mark.encode(): hole for mark, hole in MARKS.items()}
    holes[nonce.encode()] = visitor_pages.NONCE_HOLE  # none: no text, no hole
    return visitor_pages.Cutter(holes)


def _joined(pieces: list[bytes | int]) -> visitor_pages.Pieces:
    """`pieces` with each run of text joined: a kept page answered many times is joined
    once (most pieces are a page's text between two vote regions, and the regions)."""
    joined: list[bytes | int] = []
    run: list[bytes] = []
    for piece in pieces:
        if isinstance(piece, bytes):
            run.append(piece)
        else:
            joined.extend([b"".join(run), piece])
            run = []
    joined.append(b"".join(run))
    return tuple(joined)


def _region(html: str, point: str) -> str | None:
    """The region of `point` in `html`: from its opening tag to its last `</div>`."""
    start = html.find(f'<div class="votes" id="votes-{point}">')
    if start < 0:
        return None
    why = html.find(REGION_END.format(point=point), start)
    if why < 0:
        return None
    end = html.find("</div>", why + len(REGION_END.format(point=point)))
    return None if end < 0 else html[start : end + len("</div>")]


def _split(body: str, rendered: Rendered, nonce: str) -> tuple[Part, ...] | None:
    """The body cut at its vote regions and the live poll's versions (and its text at its
    holes), or None when a region is not the one the view rendered for this reader or the
    versions are not found once."""
    cut = _cutter(nonce)
    tally = rendered.regions.tally
    since = f"since={rendered.structure}.{tally}.{rendered.newest_claim}"
    etag = f'data-live-etag="&quot;{rendered.structure}.{tally}&quot;"'
    if body.count(since) != 1 or body.count(etag) != 1:
        return None
    body = body.replace(since, SINCE_MARK).replace(etag, ETAG_MARK)
    parts: list[Part] = []
    at = 0
    seen = set()
    for found in REGION_START.finditer(body):
        point = found.group(1)
        if found.start() < at or point not in rendered.shown:
            return None
        place, mine = rendered.shown[point]
        region = _region(body[found.start() :], point)
        if region is None or cut(region.encode()) != rendered.regions.places[place][mine]:
            return None  # the page's own region is not what the view rendered alone
        parts.extend([*cut(body[at : found.start()].encode()), place])
        at = found.start() + len(region)
        seen.add(point)
    if seen != set(rendered.shown):
        return None
    parts.extend(cut(body[at:].encode()))
    return tuple(parts)


def _filled(
    request: HttpRequest, entry: MemberPage, regions: Regions, user_id: int
) -> tuple[visitor_pages.Pieces, bool] | None:
    """The page with each region as `regions` show it to the reader's own votes now (one
    indexed query), and whether `regions` grew (a region for an own vote no reader needed
    before is rendered now and kept there); None when `regions` lacks a place."""
    mine = selectors.own_votes_on(user_id, entry.relations, entry.theses)
    versions = {
        SINCE_HOLE: f"since={entry.structure}.{regions.tally}.{entry.newest_claim}".encode(),
        ETAG_HOLE: f'data-live-etag="&quot;{entry.structure}.{regions.tally}&quot;"'.encode(),
    }
    pieces: list[bytes | int] = []
    grew = False
    for part in entry.parts:
        if isinstance(part, bytes):
            pieces.append(part)
            continue
        if isinstance(part, int):
            pieces.append(versions.get(part, part))  # the token's and nonce's: per answer
            continue
        variants = regions.places.get(part)
        if variants is None:
            return None
        own = mine.get(part[0])
        html = variants.get(own)
        if html is None:
            html = _variant(request, regions.points[part], own)
            if html is None:
                return None
            variants[own] = html
            grew = True
        pieces.extend(html)
    return _joined(pieces), grew


def _points(parts: tuple[Part, ...]) -> tuple[tuple[int, ...], tuple[int, ...]]:
    points = [part[0] for part in parts if isinstance(part, tuple)]
    relations = tuple(int(point[1:]) for point in points if point.startswith("r"))
    theses = tuple(int(point[1:]) for point in points if point.startswith("c"))
    return relations, theses


# Readers alike (issue 35, the class at work): a write moves the site's write count, and
# every member's page would be rendered again, one reader at a time. A reader whom no row
# points at but their votes and a few rows no page shows (`ALIKE_UNSHOWN`) sees what any
# other such reader of the same role sees, but for their name, their live ticket, their CSRF
# token and their own votes: one rendering is kept for all of them (`alike_key`), cut at
# those (`NAME_MARK`, `TICKET_MARK`), and each one's page is made from it. Which rows point at
# a user is read from the models, so a new kind of a user's own row makes its holder's page
# their own until it is named here (safe by default).
ALIKE_UNSHOWN: Mapping[tuple[str, str], str] = {
    ("arguments_vote", "user_id"): "own votes are filled into the vote regions",
    ("arguments_membership", "user_id"): "the role in this debate is in the key; the roles "
    "in other debates show nowhere on its page",
    ("arguments_participantactivity", "user_id"): "the activity table's stored counts",
    ("arguments_profile", "user_id"): "the interface's language, which the key holds",
    ("account_emailaddress", "user_id"): "e-mail addresses: the account's own pages",
    ("arguments_notificationsettings", "user_id"): "how often to e-mail: the settings page",
    ("arguments_accesstoken", "user_id"): "API tokens: their own page",
    ("lti_tool_ltiuser", "auth_user_id"): "a launch's link (an LTI frame is no plain visit)",
}
# The live poll's ticket in the page's poll URL (arguments/templatetags/live.py).
TICKET_IN_URL = re.compile(rb'(data-live-url="[^"]*?[?&](?:amp;)?ticket=)([^"&]+)')


def _owned_rows() -> tuple[tuple[str, str], ...]:
    """Every (table, column) whose rows point at a user, but those `ALIKE_UNSHOWN` names."""
    user_model = get_user_model()
    found = {
        (model._meta.db_table, str(field.column))
        for model in apps.get_models(include_auto_created=True)
        for field in model._meta.concrete_fields
        if field.is_relation and field.related_model is user_model
    }
    return tuple(sorted(found - set(ALIKE_UNSHOWN)))


# Made from the models once, at the first reader's likeness (the models are all loaded then).
_likeness_sql = ""


def likeness_of(debate_id: int, user_id: int) -> selectors.AlikeReading | None:
    """The reader's likeness, name and the site's write count (one statement)."""
    global _likeness_sql
    if not _likeness_sql:
        _likeness_sql = selectors.likeness_statement(_owned_rows())
    return selectors.reader_likeness(debate_id, user_id, _likeness_sql)


def _impersonal(entry: MemberPage, name: str) -> MemberPage | None:
    """A reader's page cut at their name and ticket, or None when their name shows anywhere
    but in the header's link to their profile, or their ticket anywhere but the poll's URL.
    (A username needs no escaping: Django's validator allows letters, digits and @.+-_.)"""
    # The page as one text, each hole and region a mark of its own (the ticket's URL holds
    # the live poll's versions, a hole: the URL is found across it).
    marks = {b"\x00part%d\x00" % index: part for index, part in enumerate(entry.parts)}
    text = b"".join(
        part if isinstance(part, bytes) else b"\x00part%d\x00" % index
        for index, part in enumerate(entry.parts)
    )
    profile = reverse("arguments:profile").encode()
    shown = name.encode()
    link = b'<a href="' + profile + b'">' + shown + b"</a>"
    tickets = TICKET_IN_URL.findall(text)
    if escape(name) != name or text.count(link) != 1 or text.count(shown) != 1 or len(tickets) != 1:
        return None
    ticket = tickets[0][1]
    if text.count(ticket) != 1 or unquote_plus(ticket.decode()).encode() in text.replace(
        ticket, b""
    ):
        return None
    name_mark, ticket_mark = b"\x00name\x00", b"\x00ticket\x00"
    text = text.replace(link, b'<a href="' + profile + b'">' + name_mark + b"</a>")
    text = TICKET_IN_URL.sub(lambda found: found.group(1) + ticket_mark, text)
    holes: dict[bytes, Part] = {name_mark: NAME_HOLE, ticket_mark: TICKET_HOLE, **marks}
    found = re.split(b"(" + b"|".join(re.escape(mark) for mark in holes) + b")", text)
    parts = tuple(holes[piece] if index % 2 else piece for index, piece in enumerate(found))
    return replace(entry, parts=parts, page=replace(entry.page, pieces=()), parts_size=-1)


def _personal(shared: MemberPage, name: str, ticket: str) -> MemberPage:
    """The shared rendering with this reader's name and ticket in place."""
    holes = {NAME_HOLE: escape(name).encode(), TICKET_HOLE: quote_plus(ticket).encode()}
    parts = tuple(holes.get(part, part) if isinstance(part, int) else part for part in shared.parts)
    return replace(shared, parts=parts, parts_size=-1)


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
        versions, writes, tallies = reading.versions, reading.writes, reading.tallies
        chosen = languages.supported(session.get(languages.SESSION_KEY))
        language = chosen or get_language_from_request(request)
        state = (
            user_id,
            versions.structure,
            versions.tally,
            selectors.epoch_seconds(versions.updated_at),
        )
        # Not the debate's tally version or last save (every vote moves them): what a vote
        # moves a page shows in its vote regions, filled from `Regions` below.
        key = (
            slug,
            request.META.get("HTTP_HOST", ""),
            request.is_secure(),
            language,
            versions.structure,
            user_id,
            writes,
        )
        # A point's region changes with votes alone at one write count (`_retallied`); a
        # write (a debate's settings: guided voting) may change what it shows otherwise.
        regions_key = ("regions", *key[:5], writes, tallies)
        asked = Visit(request, key, regions_key, user_id, tallies, secret, versions)
        entry = _pages.fetch(key)
        if isinstance(entry, MemberPage) and time.monotonic() - entry.page.kept_at < KEPT_SECONDS:
            if entry.tallies == tallies:
                return _answer(entry.page, secret)
            answered = _answer_filled(asked, entry)
            if answered is not None:
                return answered
        # Not kept for this reader at these counts: made from a reader alike's, if any.
        try:
            alike = likeness_of(versions.id, user_id)
        except DatabaseError:
            close_lost_connections()
            return self.get_response(request)
        alike_key = None
        if alike is not None and alike.likeness is not None and alike.writes == writes:
            alike_key = ("alike", *key[:5], writes, alike.likeness)
            shared = _pages.fetch(alike_key)
            if (
                isinstance(shared, MemberPage)
                and time.monotonic() - shared.page.kept_at < KEPT_SECONDS
            ):
                ticket = polls.ticket_for(versions.id, user_id=user_id, session_key=session_key)
                own = _personal(shared, alike.username, ticket)
                answered = _answer_filled(asked, own)
                if answered is not None:
                    return answered
        request.META[CANDIDATE] = True
        response = self.get_response(request)
        if not _keepable(request, response, state, language, secret):
            return response
        # A write while the view rendered: the page may hold it, and its key does not. A vote
        # only: the page stands at the tally version read with the counts (checked below) and
        # is kept at them; the next reader's page is filled from the regions at the new count
        # (a class votes six times a second: a render outlived by a vote was rendered again by
        # the next reader, and the next, each kept by none).
        writes_now, tallies_now = selectors.site_counts()
        if writes_now == writes:
            kept = visitor_pages.kept_page(response)
            text = _with_marks(response.content.decode(), secret)
            kept = replace(kept, pieces=_cutter(kept.nonce)(text.encode()))
            rendered: Rendered | None = getattr(response, "member_vote_regions", None)
            parts = None
            if (
                rendered is not None
                and rendered.structure == versions.structure
                and rendered.regions.tally == versions.tally
            ):
                parts = _split(text, rendered, kept.nonce)
            if rendered is not None and parts is not None:
                old = _pages.fetch(regions_key)
                new = rendered.regions
                places, points = dict(new.places), dict(new.points)
                if isinstance(old, Regions) and old.tally == new.tally:
                    for place, variants in old.places.items():
                        places[place] = {**variants, **places.get(place, {})}
                    points = {**old.points, **points}
                _pages.keep(regions_key, Regions(new.tally, places, points))
                latest = _pages.fetch(_latest(regions_key))
                if not isinstance(latest, int) or latest < tallies:
                    _pages.keep(_latest(regions_key), tallies)
                relations, theses = _points(parts)
                entry = MemberPage(
                    parts,
                    kept,
                    tallies,
                    rendered.structure,
                    rendered.newest_claim,
                    relations,
                    theses,
                )
                if alike_key is not None and alike is not None:
                    shared = _impersonal(entry, alike.username)
                    if shared is not None:
                        _pages.keep(alike_key, shared)
            elif tallies_now == tallies:  # kept whole, for these counts only
                entry = MemberPage((), kept, tallies, versions.structure, 0, (), ())
            else:
                return response
            _pages.keep(key, entry)
        return response


@dataclass(frozen=True, slots=True)
class Visit:
    """A member's plain visit as the store reads it: the page's key, the key of its vote
    regions, the reader, the counts and versions read and the CSRF secret to answer with."""

    request: HttpRequest
    key: tuple[Any, ...]
    regions_key: tuple[Any, ...]
    user_id: int
    tallies: int
    secret: str
    versions: selectors.DebateVersions


def _answer_filled(visit: Visit, entry: MemberPage) -> HttpResponse | None:
    """The reader's page made from `entry`'s parts, each vote region as the regions at these
    counts show it to the reader's own votes, then kept for the reader; None when there are
    no such regions or they lack a place."""
    if not entry.parts:
        return None
    regions = _regions_now(visit.regions_key, entry, visit.versions)
    if regions is None:
        return None
    # A region no reader needed before is rendered here, before Django's locale middleware
    # has set the reader's language: in the page's own (the key's).
    with translation.override(visit.key[3]):
        filled = _filled(visit.request, entry, regions, visit.user_id)
    if filled is None:
        return None
    pieces, grew = filled
    if grew:
        _pages.keep(visit.regions_key, regions)  # counted at its new size
    entry = replace(entry, page=replace(entry.page, pieces=pieces), tallies=visit.tallies)
    _pages.keep(visit.key, entry)
    return _answer(entry.page, visit.secret)


def _latest(regions_key: tuple[Any, ...]) -> tuple[Any, ...]:
    """Where the count of votes' writes of the newest regions at a write count is kept."""
    return ("latest", *regions_key[:-1])


def _regions_now(
    regions_key: tuple[Any, ...], entry: MemberPage, versions: selectors.DebateVersions
) -> Regions | None:
    """The regions at these counts: kept, or made from the newest kept at the same write
    count (only votes came between) and the debate's tallies and strengths now."""
    regions = _pages.fetch(regions_key)
    if isinstance(regions, Regions):
        return regions
    latest = _pages.fetch(_latest(regions_key))
    older = _pages.fetch((*regions_key[:-1], latest)) if isinstance(latest, int) else None
    if not isinstance(older, Regions):
        return None
    regions = _retallied(older, entry, versions)
    if regions is not None:
        _pages.keep(regions_key, regions)
        _pages.keep(_latest(regions_key), regions_key[-1])
    return regions


def _retallied(
    older: Regions, entry: MemberPage, versions: selectors.DebateVersions
) -> Regions | None:
    """Each point's tally and strength as the debate's structure holds them now (the
    structure a page would be rendered from: the whole one held, or the first screen's
    slice); None when it moved on from the page's versions or lacks a point."""
    debate = selectors.debate_by_id(versions.id)
    if debate is None:
        return None
    relations = [p.point_relation for p in older.points.values() if p.point_relation is not None]
    now = first_screen.points_now(debate, relations, [p.claim_id for p in older.points.values()])
    if now is not None:
        # A worker holding nothing of the debate: the points alone, not a slice.
        return _retallied_from(older, now, entry.structure, versions.tally)
    structure = first_screen.structure_for(debate)
    if structure.version[0] != entry.structure or structure.tally_version != versions.tally:
        return None  # votes or writes since the counts were read: the view renders
    points: dict[Place, VotePoint] = {}
    for place, point in older.points.items():
        if point.point_relation is None:
            node = structure.nodes.get(point.claim_id)
            if node is None:
                return None
            tally = node.tally
        else:
            edge = next(
                (
                    e
                    for e in structure.parents.get(point.claim_id, ())
                    if e.id == point.point_relation
                ),
                None,
            )
            if edge is None:
                return None
            tally = edge.tally
        points[place] = replace(
            point, tally=tuple(tally), known_strength=structure.strength.get(point.claim_id)
        )
    # Each own vote's region rendered when a reader first needs it (`_filled`).
    return Regions(structure.tally_version, {place: {} for place in points}, points)


def _retallied_from(
    older: Regions, now: first_screen.PointsNow, structure: int, tally: int
) -> Regions | None:
    """`_retallied` from the points' rows read alone (`first_screen.points_now`)."""
    if now.structure_version != structure or now.tally_version != tally:
        return None  # votes or writes since the counts were read: the view renders
    points: dict[Place, VotePoint] = {}
    for place, point in older.points.items():
        if point.point_relation is None:
            counts = now.theses.get(point.claim_id)
        else:
            counts = now.places.get(point.point_relation)
        if counts is None:
            return None
        points[place] = replace(
            point, tally=counts, known_strength=now.strength.get(point.claim_id)
        )
    return Regions(now.tally_version, {place: {} for place in points}, points)
