"""The idle reader's poll answered before Django's request handling: a WSGI wrapper.

An unchanged poll (`If-None-Match` equal to the debate's versions, with a valid ticket)
needs one indexed read and a 304, nothing else; through Django's middleware, URL resolution
and view it cost a worker about four times a static file (measured with gunicorn under
load), so 500 idle readers took a fifth of two workers. Here it costs about what whitenoise
pays for a static file. Anything else, or any doubt (no ticket, a bad one, versions that
moved, a database error), goes on to Django, where `views/live.debate_live` answers the
same request the same way, so the two paths cannot disagree on what they answer (the tests
ask both). The versions read here go on in the environ: the view does not read them again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qs

from django.db import DatabaseError

from arguments import paths
from arguments.live import polls

POLL_PATH = paths.path_regex(paths.DEBATE_POLL)
WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class LivePolls:
    """Wraps the project's WSGI application."""

    def __init__(self, app: WSGIApp) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        etag = environ.get("HTTP_IF_NONE_MATCH")
        match = POLL_PATH.match(environ.get("PATH_INFO", ""))
        if etag and match and environ.get("REQUEST_METHOD") == "GET":
            ticket = parse_qs(environ.get("QUERY_STRING", "")).get("ticket", [""])[0]
            if self._unchanged(environ, match.group(1), ticket, etag):
                start_response(
                    "304 Not Modified",
                    # As the view's answer: the page polled is in the reader's language.
                    [
                        ("ETag", etag),
                        ("Cache-Control", "no-cache, private"),
                        ("Vary", "Accept-Language, Cookie"),
                    ],
                )
                return []
        return self.app(environ, start_response)

    @staticmethod
    def _unchanged(environ: dict[str, Any], slug: str, ticket: str, etag: str) -> bool:
        debate_id = polls.ticket_debate(ticket)
        if debate_id is None:
            return False
        try:
            # Kept in the environ: when the versions moved, Django's view reads no second time.
            found = polls.current_versions(environ, slug)
        except DatabaseError:  # let Django's handling (and its connection upkeep) answer
            return False
        return (
            found is not None
            and found[0] == debate_id
            and found[1].etag == etag
            and polls.ticket_admits(ticket, environ, slug)
        )
