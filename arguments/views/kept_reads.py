"""Reads kept rendered for their reader: the activity table and a debate's pages seen through
a perspective (issue 35, branch 35p; docs/ARCHITECTURE.md, "Kept reads").

Both rendered a whole table on every read (a hundred participants' rows; a tree of cards
through a perspective), though most reads follow one another with nothing changed. Each
worker keeps the response the view rendered, keyed by everything it was made from:

- the address (path and query: the page, `as_of`, the perspective, the order), host and
  scheme, the interface's language and time zone;
- the reader: their user id, their session's key (the live poll's ticket is bound to it) and
  whatever their session holds beyond the sign-in and the language (voting as a perspective);
- the debate's versions (structure, tally, last save: `selectors.debate_versions`) and the
  site's write counts (`SiteWrites`: every statement that writes a row a page may show moves
  one, on every connection: arguments/views/member_pages.py).

So a vote (the perspective's or anyone's), a claim written, a settings change, a role given
or taken, a grade, a renamed account, a language chosen: each is a new key, and the next
read renders. Nothing is invalidated. A hit is the same reader at the same counts, so the
view's own permission check would answer as it did (a reader refused is never kept: only a
200 is). A kept response lives at most `KEPT_SECONDS`, so relative times and the ticket stay
fresh.

What differs per request is put in on the way out: the CSRF token, masked afresh from the
request's own secret (Django's `get_token`, which sets the cookie as rendering does), and
the CSP nonce of htmx's script tag, this request's (its header is made from it). A response
is kept only when no write landed while the view rendered (the counts read again), it set
no cookie and the session was not changed by it; a reader with a message waiting (it shows
once) is served by the view.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.contrib.messages import get_messages
from django.http import HttpRequest, HttpResponse
from django.middleware.csp import get_nonce
from django.middleware.csrf import get_token
from django.utils import timezone, translation

from arguments import caches, replicas, selectors
from arguments.views import member_pages, visitor_pages

KEPT_SECONDS = 60
PLAIN_VALUES = (str, int, bool, type(None))  # session values a key may hold as they are

View = Callable[..., HttpResponse]


@dataclass(frozen=True, slots=True)
class KeptRead:
    # The body as answered, cut where the rendering request's CSRF token and CSP nonce
    # stood (`visitor_pages.Pieces`: holes `member_pages.TOKEN_HOLE`, `NONCE_HOLE`).
    pieces: visitor_pages.Pieces
    headers: tuple[tuple[str, str], ...]
    kept_at: float


def _size(kept: KeptRead) -> int:
    return visitor_pages.pieces_size(kept.pieces) + sum(
        len(n) + len(v) + 100 for n, v in kept.headers
    )


# An activity page of 100 rows is about 60 KB; a page through a perspective 40 to 80 KB.
_reads = caches.Bounded("kept reads", sizer=_size, default_mb=6)


def forget_reads() -> None:
    """Drop every response this worker keeps."""
    _reads.clear()


caches.register(
    "kept reads",
    kept=caches.Kept.PROCESS,
    key="the path and query, host and scheme, language and time zone, the reader's user id, "
    "session key and session values beyond the sign-in and language, the debate's structure "
    "version, tally version and last save, and the site's write counts (`SiteWrites`: writes "
    "and votes' writes)",
    stale=f"any of those moves (read on every request); {KEPT_SECONDS} seconds at most, so "
    "relative times and the live poll's ticket stay fresh",
    forget=forget_reads,
    holds=_reads,
)


def _key(request: HttpRequest, slug: str) -> tuple[Hashable, ...] | None:
    """What the view's response to this request is made from; None when it is not to be
    kept (not a plain GET, a message waiting, a session value a key cannot hold, no such
    debate). One query: the debate's versions and the site's write counts."""
    if request.method != "GET" or "HTTP_HX_REQUEST" in request.META:
        return None
    if len(get_messages(request)):  # shown once: rendered, not kept
        return None
    session = request.session
    own = tuple(
        sorted(
            (name, value)
            for name, value in session.items()
            if name not in member_pages.PLAIN_SESSION_KEYS
        )
    )
    if not all(isinstance(value, PLAIN_VALUES) for _name, value in own):
        return None
    read = selectors.debate_versions_and_counts(slug, request.META)
    if read is None:
        return None
    versions, writes, tallies = read
    return (
        request.path,
        request.META.get("QUERY_STRING", ""),
        request.get_host(),
        request.is_secure(),
        translation.get_language(),
        timezone.get_current_timezone_name(),
        request.user.pk,
        session.session_key,
        own,
        versions.id,
        versions.structure,
        versions.tally,
        versions.updated_at,
        writes,
        tallies,
    )


def _keepable(request: HttpRequest, response: HttpResponse, counts: tuple[Any, ...]) -> bool:
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not request.session.modified
        and not replicas.was_served_newer()
        and selectors.site_counts() == counts  # no write landed while it rendered
    )


def _kept(request: HttpRequest, response: HttpResponse) -> KeptRead:
    """The response cut at its holes: the tokens that mask this request's CSRF secret (one
    per rendering) and its nonce."""
    holes: dict[bytes, int] = {}
    secret = request.META.get("CSRF_COOKIE")
    if isinstance(secret, str) and secret:
        for token in set(member_pages.MASKED_TOKEN.findall(response.content.decode())):
            if member_pages.unmasked(token) == secret:
                holes[token.encode()] = member_pages.TOKEN_HOLE
    nonce = get_nonce(request)
    if nonce:  # evaluated by the rendering (htmx's script tag): this response's own
        holes[str(nonce).encode()] = visitor_pages.NONCE_HOLE
    headers = tuple(
        (name, value) for name, value in response.headers.items() if name != "Content-Length"
    )
    pieces = visitor_pages.Cutter(holes)(response.content)
    return KeptRead(pieces, headers, time.monotonic())


def _answer(request: HttpRequest, kept: KeptRead) -> HttpResponse:
    holes: dict[int, bytes] = {}
    if member_pages.TOKEN_HOLE in kept.pieces:
        holes[member_pages.TOKEN_HOLE] = get_token(request).encode()
    if visitor_pages.NONCE_HOLE in kept.pieces:
        # This request's, which its CSP header will carry (the middleware makes it after).
        holes[visitor_pages.NONCE_HOLE] = str(get_nonce(request)).encode()
    response = HttpResponse(visitor_pages.filled(kept.pieces, holes))
    for name, value in kept.headers:
        response.headers[name] = value
    return response


def _kept_or_rendered(
    view: View, request: HttpRequest, slug: str, *args: Any, **kwargs: Any
) -> HttpResponse:
    key = _key(request, slug)
    if key is None:
        return view(request, slug, *args, **kwargs)
    kept = _reads.fetch(key)
    if isinstance(kept, KeptRead) and time.monotonic() - kept.kept_at < KEPT_SECONDS:
        return _answer(request, kept)
    response = view(request, slug, *args, **kwargs)
    if _keepable(request, response, key[-2:]):
        _reads.keep(key, _kept(request, response))
    return response


def kept(view: View) -> View:
    """Answer the view's GET from the response it rendered for this reader at these
    versions and counts, if it is kept; else render and keep it."""

    @wraps(view)
    def read(request: HttpRequest, slug: str, *args: Any, **kwargs: Any) -> HttpResponse:
        return _kept_or_rendered(view, request, slug, *args, **kwargs)

    return read


def kept_through_perspective(view: View) -> View:
    """As `kept`, for a debate's reading page asked through a perspective (`?perspective=`):
    its other reads are kept elsewhere (visitor_pages.py, member_pages.py) or not at all."""

    @wraps(view)
    def read(request: HttpRequest, slug: str, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.GET.get("perspective"):
            return view(request, slug, *args, **kwargs)
        return _kept_or_rendered(view, request, slug, *args, **kwargs)

    return read
