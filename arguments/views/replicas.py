"""Which database a request reads from, and the reader's position carried between requests
(arguments/replicas.py says the rule). First in MIDDLEWARE when replicas are configured."""

from __future__ import annotations

from collections.abc import Callable

from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse

from arguments import replicas

COOKIE = "db_seen"
SALT = "arguments.replicas.seen"
# A reader's position is kept this long: past it, a replica more than this far behind could
# show them a page older than their last (docs/DEPLOY.md: alert on a lag of seconds).
MAX_AGE = 600
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _seen(request: HttpRequest) -> int | None:
    value = request.get_signed_cookie(COOKIE, default=None, salt=SALT, max_age=MAX_AGE)
    return int(value) if value is not None and value.isdigit() else None


def _replayed(alias: str) -> int | None:
    try:
        return replicas.replay_position(alias)
    except DatabaseError:  # an unreachable replica: the primary answers
        return None


class ReadReplicasMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        pool = replicas.aliases()
        seen = _seen(request)
        alias = replicas.choose(
            seen, safe=request.method in SAFE_METHODS, pool=pool, replayed=_replayed
        )
        with replicas.reading(alias) as reads:
            response = self.get_response(request)
            try:
                position = replicas.position_after(
                    reads,
                    seen,
                    pool=pool,
                    current=replicas.primary_position,
                    replayed=_replayed,
                )
            except DatabaseError:  # the primary is away: the response says what happened
                position = seen
        if position is None:
            if seen is not None:
                response.delete_cookie(COOKIE)
        elif position != seen:
            response.set_signed_cookie(
                COOKIE,
                str(position),
                salt=SALT,
                max_age=MAX_AGE,
                httponly=True,
                samesite="Lax",
                secure=request.is_secure(),
            )
        return response
