"""Cookies of a session that lives in an LMS frame."""

from __future__ import annotations

from collections.abc import Callable, Container
from http.cookies import Morsel

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from arguments.lti import SESSION_ORIGINS


class _PartitionedMorsel(Morsel[str]):
    """A cookie whose Set-Cookie ends in `Partitioned` (Python's Morsel knows that attribute
    only from 3.14 on)."""

    def OutputString(self, attrs: Container[str] | None = None) -> str:
        return super().OutputString(attrs) + "; Partitioned"


def _partitioned(morsel: Morsel[str]) -> Morsel[str]:
    # Python 3.14+; typeshed does not declare the private `_reserved`.
    if "partitioned" in Morsel._reserved:  # type: ignore[attr-defined]
        morsel["partitioned"] = True
        return morsel
    copy = _PartitionedMorsel()
    copy.update(morsel)
    copy.set(morsel.key, morsel.value, morsel.coded_value)
    return copy


class LmsFrameCookiesMiddleware:
    """Cookies a browser keeps inside an LMS frame, and only there.

    An LMS shows our LTI pages in an iframe on its own site, where our cookies are
    third-party: browsers drop them unless they are `SameSite=None; Secure`. So the
    responses of an LMS session (the `/lti/` pages, and any page of a session an LTI launch
    started) set their cookies that way; every other response keeps Django's `Lax`, which
    stops other sites from sending a signed-in reader's cookies along with their requests.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.cookies and self._in_lms_frame(request):
            for key, morsel in list(response.cookies.items()):
                morsel["samesite"] = "None"
                morsel["secure"] = True
                # CHIPS: a browser that blocks third-party cookies may still keep a
                # partitioned one (kept per top-level site: this LMS's frames only).
                dict.__setitem__(response.cookies, key, _partitioned(morsel))
        return response

    @staticmethod
    def _in_lms_frame(request: HttpRequest) -> bool:
        # SameSite=None needs Secure, which needs https (behind the proxy: its header).
        if not (settings.COOKIES_IN_LMS_FRAMES and request.is_secure()):
            return False
        if request.path.startswith("/lti/"):
            return True
        session = getattr(request, "session", None)
        return session is not None and SESSION_ORIGINS in session
