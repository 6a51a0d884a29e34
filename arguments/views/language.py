"""The interface's language (issue 34, docs/I18N.md): the switcher every page shows, the
member's choice kept in their profile and brought back when they sign in, and Django's
JavaScript catalog for the scripts' strings.

Who reads in which language: a member's or an LMS launch's choice kept in the session
(views/middleware.SessionLanguageMiddleware), else the `django_language` cookie the switcher
sets, else the browser's Accept-Language (Django's LocaleMiddleware), else English.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.middleware.csrf import CsrfViewMiddleware
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control, cache_page
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from django.views.i18n import JavaScriptCatalog, set_language

from arguments import languages, selectors, services
from arguments.views.access import limit_act

CATALOG_SECONDS = 24 * 3600
_catalog = JavaScriptCatalog.as_view(packages=["arguments"])


def _no_view(request: HttpRequest) -> HttpResponse:  # what the CSRF check would call next
    return HttpResponse()


@csrf_exempt  # for a visitor only: checked below for anyone signed in
@require_POST
def language_set(request: HttpRequest) -> HttpResponse:
    """The switcher's form: Django's `set_language` (the cookie, then back to `next` if it is
    one of ours), and for a member their profile and session too.

    A visitor's form carries no CSRF token: their debate page is kept whole for every visitor
    (views/visitor_pages.py), so it holds nothing of one reader's, and a token would set the
    CSRF cookie; error pages carry none either (_error.html). What a forged post can do is
    change the language of the reader's pages (cookie and session), which the switcher
    undoes; only a post with a valid token writes a member's profile.
    """
    checked = request.user.is_authenticated and (
        CsrfViewMiddleware(_no_view).process_view(request, _no_view, (), {}) is None
    )
    chosen = request.POST.get("language", "")
    if chosen not in languages.codes():  # the form's values, exactly
        return HttpResponse(_("Choose one of the languages offered."), status=400)
    if checked:
        limit_act(request, "language")
        services.member_language_set(actor=request.user, language=chosen)
    if request.user.is_authenticated:
        request.session[languages.SESSION_KEY] = chosen
    return set_language(request)


def remember_member_language(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    """When a member signs in, the language kept in their profile comes with them (one query
    then; their pages read it from the session)."""
    if request is None or not hasattr(request, "session"):
        return
    chosen = selectors.member_language(user.pk)
    if chosen:
        request.session[languages.SESSION_KEY] = chosen


def connect_signals() -> None:
    """Called once by the app's ready()."""
    user_logged_in.connect(
        remember_member_language, dispatch_uid="arguments.remember_member_language"
    )


@cache_control(max_age=CATALOG_SECONDS, public=True)
@cache_page(CATALOG_SECONDS)
def javascript_catalog(request: HttpRequest, language: str) -> HttpResponseBase:
    """The scripts' translations (`gettext`, `ngettext`, `interpolate`) in `language`: the
    language is in the address (base.html names the page's), so browsers and the server keep
    one catalog per language and a switch fetches the other."""
    if language not in languages.codes():
        raise Http404("No such language.")
    with translation.override(language):
        response = _catalog(request)
    response["Content-Language"] = language
    return response
