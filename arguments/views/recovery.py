"""A request that meets a database connection the server closed (a restart, a failover, an
administrator terminating connections) is answered, not failed: the lost connection is closed,
a safe request (GET, HEAD) is served again once on a fresh one, and anything else, or a second
failure, is a short 503 with `Retry-After`. A full disk, a read-only database or a lock timeout
is a 503 too, whose one line names the cause (rules/faults.py). Never a 500 and never "the
connection is closed" from a later query of the same request."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from typing import Any

from django.core.signals import got_request_exception
from django.http import HttpRequest, HttpResponse
from django.utils.html import escape
from django.utils.translation import gettext as _

from arguments.rules.faults import close_lost_connections, connection_lost, fault_message

logger = logging.getLogger("arguments.recovery")

LOST = "arguments.connection_lost"
FAULT = "arguments.resource_fault"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
RETRY_AFTER_SECONDS = 5
PAGE = (
    '<!doctype html><html lang="en"><meta charset="utf-8"><title>Try again shortly</title>'
    "<main><h1>Try again in a few seconds</h1><p>{}</p></main></html>"
)


def _note(sender: object, request: HttpRequest | None = None, **kwargs: Any) -> None:
    """Told of every exception Django turns into a 500, in a view or a middleware."""
    error = sys.exc_info()[1]
    if request is None or error is None:
        return
    if connection_lost(error):
        request.META[LOST] = True
    else:
        message = fault_message(error, what=_("nothing was changed; please try again later"))
        if message is not None:
            request.META[FAULT] = message


got_request_exception.connect(_note, dispatch_uid="arguments.views.recovery")


def unavailable(message: str) -> HttpResponse:
    response = HttpResponse(PAGE.format(escape(message)), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


class ConnectionRecoveryMiddleware:
    """First in MIDDLEWARE, so that it sees what every other layer turned into a 500."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.META.pop(LOST, False):
            close_lost_connections()
            if request.method in SAFE_METHODS:
                logger.warning("Database connection lost; serving %s again", request.path)
                response = self.get_response(request)
                if not request.META.pop(LOST, False):
                    return response
                close_lost_connections()
            return unavailable(
                _(
                    "The connection to the database was lost while answering; please reload "
                    "the page and check whether your change was saved."
                )
            )
        fault = request.META.pop(FAULT, None)
        if fault is not None:
            return unavailable(fault)
        return response
