"""Rate limits: how often one person (and one network address) may do a thing, and the error
that says when to try again. `arguments.views.middleware` turns the error into 429 with
`Retry-After`, in one place.

Two kinds: `check_rate` counts a person's stored rows (flags, accounts made by a link), and
`check_act` counts the acts of the web's write doors (`WRITE_LIMITS`: claims, notes and
replies, flags, share-link joins, the near-duplicate check, imports) per account and per client
address in the shared cache, where every worker sees the same count (with Redis; the default
local-memory cache counts per worker).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.cache import cache
from django.db.models import Count, Min, QuerySet
from django.utils import timezone

from arguments import caches


class RateLimited(Exception):
    """Too many acts of one kind in a while; `retry_after` is in seconds."""

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.message = message
        self.retry_after = retry_after


def check_rate(recent: QuerySet, *, limit: int, window: timedelta, field: str, what: str) -> None:
    """Raise RateLimited when `recent` (one person's rows of one kind, dated by `field`)
    holds `limit` rows within `window`; it says when the oldest of them leaves the window."""
    now = timezone.now()
    counted = recent.filter(**{f"{field}__gte": now - window}).aggregate(
        n=Count("pk"), oldest=Min(field)
    )
    if counted["n"] < limit:
        return
    oldest: datetime = counted["oldest"]
    seconds = max(1, math.ceil((oldest + window - now).total_seconds()))
    minutes = math.ceil(seconds / 60)
    raise RateLimited(
        f"You have {what} {counted['n']} times in the last {_span(window)}; please wait "
        f"{minutes} minute{'s' if minutes != 1 else ''} before trying again.",
        retry_after=seconds,
    )


def _span(window: timedelta) -> str:
    hours = window.total_seconds() / 3600
    return "hour" if hours == 1 else f"{hours:g} hours"


@dataclass(frozen=True)
class WriteLimit:
    """How many acts of one kind an account, and a client address, may make in a window.
    An address's allowance is a class's: a school's pupils share one address."""

    per_user: int
    per_address: int
    window: timedelta
    what: str  # "added claims": the message's words


# Generous for a class at work (a pupil writes a claim a minute; thirty pupils behind one
# address), far below a script (the review posted 60 claims in 4 seconds).
WRITE_LIMITS: dict[str, WriteLimit] = {
    "claim": WriteLimit(30, 300, timedelta(minutes=10), "added claims"),
    "note": WriteLimit(40, 400, timedelta(minutes=10), "written notes or replies"),
    "flag": WriteLimit(20, 200, timedelta(hours=1), "flagged"),
    "join": WriteLimit(10, 150, timedelta(hours=1), "joined through a share link"),
    "similar": WriteLimit(120, 1200, timedelta(minutes=1), "checked a draft for similar claims"),
    "import": WriteLimit(10, 40, timedelta(hours=1), "imported debates"),
    # A snapshot stores the whole debate: a few an hour is plenty for a moderator.
    "freeze": WriteLimit(10, 40, timedelta(hours=1), "took snapshots"),
    # Every API request, reads too: a script paging through a large debate fits; a crawler
    # hammering one does not (docs/API.md).
    "api": WriteLimit(600, 3000, timedelta(minutes=1), "called the API"),
    # A teacher grading a class of sixty claim by claim, never a script's thousands.
    "feedback": WriteLimit(240, 600, timedelta(minutes=10), "written feedback or grades"),
    # A member's profile language (the switcher): a person tries a few, never hundreds.
    "language": WriteLimit(30, 300, timedelta(minutes=10), "changed the language"),
}

caches.register(
    "write counts",
    kept=caches.Kept.SHARED,
    key="`rate:<act>:<user id or address>:<window start>` (`check_act`)",
    stale="never: each count is of one fixed window and expires with it",
)


def check_act(act: str, *, user_id: int | None, address: str | None) -> None:
    """Count one `act` (a key of WRITE_LIMITS) by this account and from this address; raise
    RateLimited, saying why in plain words, once either has used its allowance."""
    limit = WRITE_LIMITS[act]
    if user_id is not None:
        _count(act, f"u{user_id}", limit.per_user, limit, by_address=False)
    if address:
        _count(act, f"a{address}", limit.per_address, limit, by_address=True)


def _count(act: str, who: str, allowed: int, limit: WriteLimit, *, by_address: bool) -> None:
    # A fixed window: one counter per window, made with add() and raised with incr(), both
    # atomic in Redis and in local memory.
    seconds = int(limit.window.total_seconds())
    now = time.time()
    start = int(now // seconds) * seconds
    key = f"rate:{act}:{who}:{start}"
    cache.add(key, 0, seconds + 60)
    try:
        count = cache.incr(key)
    except ValueError:  # evicted between add and incr
        cache.set(key, 1, seconds + 60)
        count = 1
    if count <= allowed:
        return
    wait = max(1, math.ceil(start + seconds - now))
    minutes = math.ceil(wait / 60)
    later = f"please wait {minutes} minute{'s' if minutes != 1 else ''} before trying again"
    span = _window(limit.window)
    if by_address:
        message = (
            f"Too many people on your network have {limit.what} in the last {span} (the limit "
            f"is {allowed}, shared by everyone behind one address, to stop scripts); {later}."
        )
    else:
        message = (
            f"You have {limit.what} {allowed} times in the last {span}, the most we allow "
            f"(to stop scripts and floods of notices); {later}."
        )
    raise RateLimited(message, retry_after=wait)


def _window(window: timedelta) -> str:
    seconds = window.total_seconds()
    if seconds < 3600:
        minutes = seconds / 60
        return "minute" if minutes == 1 else f"{minutes:g} minutes"
    return _span(window)
