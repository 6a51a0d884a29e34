"""The web's one answer to a rate limit (the LMS frame's cookies: arguments/lti/cookies.py),
member pages never kept by the browser, and the language a member or a launch chose."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.cache import patch_vary_headers

from arguments import languages
from arguments.rules.limits import RateLimited

API_PREFIX = "/api/"


class SessionLanguageMiddleware:
    """After Django's LocaleMiddleware (which took the `django_language` cookie, else the
    browser's Accept-Language): the language kept in the session wins, a member's profile
    language (copied in when they sign in, views/language.py) or an LMS launch's `locale`
    claim. A request without a session cookie reads no session (and no database); a view
    marked `@session_language_later` reads it only if it gets past its own fast path
    (`session_language`), as the live poll's 304 does not."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        # What language a page is in depends on these two: a shared cache must not hand a
        # French reader's page to an English one (LocaleMiddleware adds Accept-Language).
        patch_vary_headers(response, ("Accept-Language", "Cookie"))
        return response

    def process_view(
        self, request: HttpRequest, view: Callable[..., HttpResponse], *_args: object
    ) -> None:
        if request.path_info.startswith(API_PREFIX):
            # The API answers in English whatever the client's Accept-Language or cookie: a
            # program reads its problem details, and must not break for a German teacher's
            # browser (docs/I18N.md, "What stays English").
            translation.activate("en")
            request.LANGUAGE_CODE = "en"
            return
        if not getattr(view, "session_language_later", False):
            session_language(request)


def session_language(request: HttpRequest) -> None:
    """Speak the language the session keeps, if it keeps one."""
    if settings.SESSION_COOKIE_NAME in request.COOKIES:
        chosen = languages.supported(request.session.get(languages.SESSION_KEY))
        if chosen is not None and chosen != translation.get_language():
            translation.activate(chosen)
            request.LANGUAGE_CODE = chosen


def session_language_later[V: Callable[..., HttpResponse]](view: V) -> V:
    """The view calls `session_language` itself, after a path that shows no words."""
    view.session_language_later = True  # type: ignore[attr-defined]
    return view


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
