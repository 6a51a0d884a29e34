"""Health and readiness for a load balancer or an orchestrator (docs/DEPLOY.md).

`/healthz`: the process serves and the database answers; 503 otherwise. `/readyz`: also the
task queue's table answers; the body says how many tasks wait and for how long (a queue
that only grows means no task worker runs), and whether Redis answers (optional: the site
serves without it, so it never makes the check fail). Both cost one or two queries, set no
cookie and are exempt from the HTTPS redirect (settings), so a plain HTTP probe gets them.
"""

from __future__ import annotations

from typing import Any

from django.core.cache import cache
from django.db import DatabaseError
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from arguments import selectors


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    try:
        ok = selectors.database_answers()
    except DatabaseError:
        ok = False
    return JsonResponse({"database": ok}, status=200 if ok else 503)


@never_cache
@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    body: dict[str, Any] = {}
    try:
        body["database"] = selectors.database_answers()
        queue = selectors.queue_state()
        body["queue"] = {"ready": queue.ready, "oldest_ready_seconds": queue.oldest_ready_seconds}
    except DatabaseError:
        body.setdefault("database", False)
        body["queue"] = None
    down = getattr(cache, "is_down", None)  # None: no Redis configured
    body["redis"] = None if down is None else not down
    ok = bool(body["database"]) and body["queue"] is not None
    return JsonResponse(body, status=200 if ok else 503)
