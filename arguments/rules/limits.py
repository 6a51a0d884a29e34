"""Rate limits: how often one person may do a thing, and the error that says when to try
again. `arguments.views.middleware` turns the error into 429 with `Retry-After`, in one place."""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from django.db.models import Count, Min, QuerySet
from django.utils import timezone


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
