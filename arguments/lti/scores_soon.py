"""A learner's score sent a little after they write in the LMS frame, never in their request.

`lti_sync_scores` (cron) stays the sender of record: it recomputes every score and retries
failures. This middleware only shortens the wait for the common case, a learner taking part
through the course's frame: after a successful POST to one of a debate's pages, in an LMS
session, by a learner that debate grades, it schedules one send of that learner's scores in
a task on the queue to run `LTI_SCORES_SOON` seconds later (a burst of writes makes one send:
the first schedules it, the others find it scheduled). The task is enqueued once the
request's transaction has committed, so it reads what the learner wrote. A task that fails
loses nothing: the outbox row is still there for the periodic score sync.

No write service knows about grades (docs/ARCHITECTURE.md, "LTI Advantage"); this looks at
the request only, and costs one query per POST of an LMS session, none elsewhere.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.tasks import task
from django.urls import Resolver404, resolve
from django.utils import timezone

from arguments import caches
from arguments.lti import SESSION_ORIGINS
from arguments.models import Debate, ScoreReport
from arguments.services.grades import scores_send

logger = logging.getLogger(__name__)
SCHEDULED = "lti-scores-soon:{debate}:{user}"
caches.register(
    "LTI scores soon",
    kept=caches.Kept.SHARED,
    key="`lti-scores-soon:<debate id>:<user id>`: a send of the learner's scores is scheduled",
    stale="after the delay (`LTI_SCORES_SOON`), when the send has run",
)


class ScoresSoonMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        delay = getattr(settings, "LTI_SCORES_SOON", None)
        if delay is not None and request.method == "POST" and response.status_code < 400:
            self._schedule(request, float(delay))
        return response

    @staticmethod
    def _schedule(request: HttpRequest, delay: float) -> None:
        user = getattr(request, "user", None)
        session = getattr(request, "session", None)
        if user is None or not user.is_authenticated or session is None:
            return
        if SESSION_ORIGINS not in session:
            return  # not an LMS session: no course grades this request
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return
        slug = match.kwargs.get("slug")
        if match.namespace not in {"arguments", "lti"} or not slug:
            return
        debate_id = (
            ScoreReport.objects.filter(user=user, activity__debate__slug=slug)
            .values_list("activity__debate_id", flat=True)
            .first()
        )
        if debate_id is None:
            return  # this debate grades no course of this learner
        # One send per learner and debate per delay (the cache is shared by the workers
        # with Redis; with the local cache, per worker).
        key = SCHEDULED.format(debate=debate_id, user=user.pk)
        if cache.add(key, True, timeout=max(delay, 1)):
            transaction.on_commit(lambda: _start(debate_id, user.pk, delay))


def _start(debate_id: int, user_id: int, delay: float) -> None:
    scores_soon_send.using(run_after=timezone.now() + timedelta(seconds=delay)).enqueue(
        debate_id, user_id
    )


@task()
def scores_soon_send(debate_id: int, user_id: int) -> int:
    """Send one learner's scores of one debate; how many were sent."""
    debate = Debate.objects.filter(pk=debate_id).first()
    if debate is None:
        return 0
    summary = scores_send(debate=debate, user_id=user_id)
    for error in summary.errors:
        logger.warning("LTI score not sent (retried by the periodic sync): %s", error)
    return summary.sent
