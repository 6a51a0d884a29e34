"""The web's one answer to a rate limit (the LMS frame's cookies: arguments/lti/cookies.py),
and member pages never kept by the browser."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from arguments.rules.limits import RateLimited


class RateLimitedMiddleware:
    """The one place a `RateLimited` error becomes an answer: 429 with `Retry-After`, as a
    fragment for htmx (which swaps 429 into the form's place) or as a page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, RateLimited):
            return None
        template = "arguments/rate_limited.html"
        if getattr(request, "htmx", False):
            template += "#message"
        response = render(request, template, {"message": exception.message}, status=429)
        response["Retry-After"] = str(exception.retry_after)
        return response


class MemberPagesNotStoredMiddleware:
    """A signed-in reader's pages say `Cache-Control: no-store`: Back after a vote must show
    the vote as it is now, not the page as it was (the browser's back-forward cache and its
    HTTP cache both restore a stored page without asking). A visitor's pages are the same
    for everyone and may be kept; telling them apart reads only the cookie's presence, so a
    visitor's request never loads a session here."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            settings.SESSION_COOKIE_NAME in request.COOKIES
            and response.get("Content-Type", "").startswith("text/html")
            and "Cache-Control" not in response
            and request.user.is_authenticated
        ):
            response["Cache-Control"] = "no-store, private"
        return response
