"""A debate's page as visitors get it, kept whole and answered before the rest of Django.

Every visitor (no session, no query, not htmx) gets the same debate page for one state of
the debate, so each worker keeps the last pages it rendered, keyed by that state: the
debate's structure version, tally version and last save (`updated_at`), read in one indexed
query per request, the read an idle reader's poll makes (`selectors.debate_versions`). A
write or a vote moves a version, so the next visitor's request misses and renders the page
afresh, through the lens, and that page is kept in turn. Nothing is ever invalidated, and
workers and machines stay correct without talking to each other.

A page is kept per language too (issue 34): the visitor's, as Django's LocaleMiddleware will
choose it (the switcher's `django_language` cookie, else Accept-Language), so a French visitor
never gets the English page; the answer says `Vary: Accept-Language, Cookie`.

What differs per response is put in on the way out: a fresh CSP nonce (in the header and the
page's script tags). The page carries no CSRF token for a visitor (base.html gives htmx one
only for signed-in readers) and sets no cookie: a response that sets one is not kept.

Only the plain visitor's page is kept: the view marks the response it rendered for a visitor
with the versions it read (`mark`), and a page is kept only when those are the versions read
here before the view ran (a write in between leaves it unkept). A page is kept at most
`KEPT_SECONDS`, so the live poll's ticket in it stays fresh. docs/PERFORMANCE.md, "Visitor
pages".
"""

from __future__ import annotations

import re
import secrets
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from django.conf import settings
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse
from django.utils.translation import get_language_from_request

from arguments import caches, paths, replicas, selectors
from arguments.models import Debate
from arguments.rules.faults import close_lost_connections

PAGE_PATH = paths.path_regex(paths.DEBATE_PAGE)
NONCE = re.compile(r"'nonce-([^']+)'")
KEPT_SECONDS = 600
PLAIN_COOKIES = frozenset({settings.CSRF_COOKIE_NAME, settings.LANGUAGE_COOKIE_NAME})
CSP_HEADERS = ("Content-Security-Policy", "Content-Security-Policy-Report-Only")


# A kept body is cut where what differs per answer stands (`Pieces`): its text as UTF-8
# bytes, and between them holes, each an int naming what fills it: the CSP nonce here
# (`NONCE_HOLE`), the members' store's own beside it. UTF-8: half the memory of a string
# once one character past Latin-1 (a "⋯") makes every character take two bytes, and no
# encoding per answer. Cut once when kept: finding and replacing the nonce in 80 KB on each
# answer cost 30 to 60 µs, a join of the pieces costs 3.
Pieces = tuple[bytes | int, ...]
NONCE_HOLE = 0


class Cutter:
    """Cuts a body at every occurrence of each of `holes`' texts, each replaced by its hole
    (made once for the texts: a page's many parts are cut by one)."""

    def __init__(self, holes: Mapping[bytes, int]) -> None:
        self.holes = {text: hole for text, hole in holes.items() if text}
        texts = b"|".join(re.escape(text) for text in self.holes)
        self.pattern = re.compile(b"(" + texts + b")") if self.holes else None

    def __call__(self, body: bytes) -> Pieces:
        if self.pattern is None:
            return (body,)
        # Split with one group: text, what was found, text, ...
        found = self.pattern.split(body)
        return tuple(self.holes[piece] if index % 2 else piece for index, piece in enumerate(found))


def filled(pieces: Iterable[bytes | int], holes: Mapping[int, bytes]) -> bytes:
    """The text of `pieces` with each hole filled from `holes`."""
    return b"".join(piece if isinstance(piece, bytes) else holes[piece] for piece in pieces)


def pieces_size(pieces: Iterable[object]) -> int:
    return sum(len(piece) if isinstance(piece, bytes) else 8 for piece in pieces) + 64


@dataclass(frozen=True, slots=True)
class KeptPage:
    pieces: Pieces  # the body, cut at the nonce (and at the holes a store adds)
    headers: tuple[tuple[str, str], ...]
    nonce: str  # as it stands in the CSP header ("" when there is none)
    kept_at: float


def page_size(page: KeptPage) -> int:
    return pieces_size(page.pieces) + sum(len(n) + len(v) + 100 for n, v in page.headers)


# Debates' pages per worker, bounded by bytes (issue 35; a page is about 40 KB).
_pages = caches.Bounded("visitor pages", sizer=page_size, default_mb=8)


State = tuple[int, int, float]  # structure version, tally version, last save


def state_of(debate: Debate) -> State:
    """What a visitor's page of `debate` is made from, as this module keys it."""
    updated = selectors.epoch_seconds(debate.updated_at)
    return debate.structure_version, debate.tally_version, updated


def mark(response: HttpResponse, debate: Debate) -> HttpResponse:
    """Say that `response` is the plain visitor's page of `debate` in its current state."""
    response.__dict__["visitor_page_state"] = state_of(debate)
    return response


def forget_pages() -> None:
    """Drop every page this worker keeps."""
    _pages.clear()


caches.register(
    "visitor pages",
    kept=caches.Kept.PROCESS,
    key="the debate's slug, the host and scheme asked for, the visitor's language (cookie, "
    "else Accept-Language), and the debate's structure version, tally version and last save "
    "(`updated_at`)",
    stale=f"any of those moves (read on every request); {KEPT_SECONDS} seconds at most, so the "
    "live poll's ticket in the page stays fresh",
    forget=forget_pages,
    holds=_pages,
)
caches.register(
    "visitor trees",
    kept=caches.Kept.SHARED,
    key="`{% cache %}` in debate_detail.html: `visitor-tree`, the debate's id, structure "
    "version, tally version, last save, the order asked for and the interface's language",
    stale="any of those moves; an hour at most",
)


def _slug_of_plain_visit(request: HttpRequest) -> str | None:
    """The debate's slug when the request is a plain visitor's GET of its page."""
    if (
        request.method != "GET"
        or request.META.get("QUERY_STRING")
        or "HTTP_HX_REQUEST" in (request.META)
    ):
        return None
    match = PAGE_PATH.match(request.path_info)
    if match is None:
        return None
    # A session, a message, an LMS frame's cookie: anything but the CSRF cookie and the
    # language's (part of the key) may change the page (or be changed by rendering it).
    if any(name not in PLAIN_COOKIES for name in request.COOKIES):
        return None
    return match.group(1)


def kept_page(response: HttpResponse) -> KeptPage:
    """What a store keeps of a rendered page: its body, headers and nonce."""
    headers = tuple((name, value) for name, value in response.headers.items())
    nonce = ""
    for name in CSP_HEADERS:
        found = NONCE.search(response.headers.get(name, ""))
        if found:
            nonce = found.group(1)
    pieces = Cutter({nonce.encode(): NONCE_HOLE})(response.content)
    return KeptPage(pieces, headers, nonce, time.monotonic())


def answer(page: KeptPage, holes: Mapping[int, bytes] | None = None) -> HttpResponse:
    """A kept page as a fresh response, with a fresh nonce in its body and CSP header and
    the store's other holes filled from `holes`."""
    headers = dict(page.headers)
    fresh = secrets.token_urlsafe(16)
    for name in CSP_HEADERS:
        if page.nonce and name in headers:
            headers[name] = headers[name].replace(page.nonce, fresh)
    body = filled(page.pieces, {**(holes or {}), NONCE_HOLE: fresh.encode()})
    headers.pop("Content-Length", None)
    response = HttpResponse(body, status=200)
    for name, value in headers.items():
        response.headers[name] = value
    response.headers["Content-Length"] = str(len(response.content))
    return response


class VisitorPagesMiddleware:
    """First in MIDDLEWARE: a kept page costs about what whitenoise pays for a static file."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        slug = _slug_of_plain_visit(request)
        if slug is None:
            return self.get_response(request)
        try:
            versions = selectors.debate_versions(slug, request.META)
        except DatabaseError:
            # Django repairs connections only between requests: close a lost one here, or
            # the view's first query fails with "the connection is closed". The view then
            # answers on a fresh connection (or views/recovery.py does, with a 503).
            close_lost_connections()
            return self.get_response(request)
        if versions is None:
            return self.get_response(request)
        # The last save as the driver gave it: the same text or time on every read of one row,
        # so a hit pays no conversion (a miss compares it with the view's, below).
        # As LocaleMiddleware will choose it for this request (no session: nothing else).
        language = get_language_from_request(request)
        key = (
            slug,
            request.META.get("HTTP_HOST", ""),
            request.is_secure(),
            language,
            versions.structure,
            versions.tally,
            versions.updated_at,
        )
        now = time.monotonic()
        page = _pages.fetch(key)
        if page is not None and now - page.kept_at < KEPT_SECONDS:
            return answer(page)
        response = self.get_response(request)
        if (
            response.status_code == 200
            and getattr(response, "visitor_page_state", None)
            == (versions.structure, versions.tally, selectors.epoch_seconds(versions.updated_at))
            and not response.cookies
            and not response.streaming
            and response.headers.get("Content-Language") == language
            # Made with a structure newer than these versions (read replicas): kept under
            # them, it would be served as theirs to a reader on another server.
            and not replicas.was_served_newer()
        ):
            _pages.keep(key, kept_page(response))
        return response
