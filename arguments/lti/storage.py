"""Launches without third-party cookies: the 1EdTech platform-storage flow ("LTI Client Side
postMessages"), for platforms that offer it.

pylti1p3 keeps a launch's state in a cookie of ours, set at login and read back at launch:
in an LMS frame that cookie is third-party, and browsers that block those end the launch.
A platform that sends `lti_storage_target` with its login initiation keeps small values for
the tool instead, in a frame of its own, reached by `window.postMessage`:

1. Login (`login_page`): no cookie. The state we send the platform is signed by us, short
   lived, and bound to the nonce (its digest) and to the platform's storage frame and
   origin. Our page (static/js/lti-storage.js) asks the platform for its capabilities, puts
   the state and the nonce into its storage (`lti.put_data`), then goes on to the platform's
   auth URL. If the platform does not answer, the page falls back to the cookie flow (and
   from there, if the frame keeps no cookies, to the new window).
2. Launch (`launch_page`): the platform posts the id_token and our state, and there is no
   cookie to compare them with. Our page reads the state and the nonce back from the
   platform's storage (`lti.get_data`, answers accepted only from the platform's origin) and
   posts them, with the id_token and state, to the launch again: the verify step.
3. Verify (`vouch`): the state's signature and age, its nonce digest against the id_token's
   nonce, the values read back against both, and that the post comes from our own page
   (`Sec-Fetch-Site`/`Origin`). Then pylti1p3 validates the launch as usual, with this
   state vouched for in place of its cookie (`VouchedState`), and the nonce is consumed once.

docs/EMBEDDING.md ("Platform storage: launches without cookies") explains what each check
stops.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.core import signing
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from pylti1p3.contrib.django import DjangoCacheDataStorage
from pylti1p3.contrib.django.cookie import DjangoCookieService

from arguments import caches

STATE_PREFIX = "ps1."  # marks a state of this flow (pylti1p3's own start with "state-")
STATE_SALT = "arguments.lti.platform-storage"
STATE_MAX_AGE = 300  # seconds from login to launch, as long as pylti1p3's state cookie
STORAGE_TARGET = "lti_storage_target"
# What the platform may name as its storage frame: "_parent" or a frame name.
TARGET_RE = re.compile(r"^[A-Za-z0-9_.\-]{1,64}$")
# The fields our launch page posts back: what the platform's storage held.
STORED_STATE = "lti_storage_state"
STORED_NONCE = "lti_storage_nonce"


class StorageRefused(Exception):
    """A platform-storage launch we refuse, with what to tell the user and the status."""

    def __init__(self, message: str, status: int, details: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.details = details


@dataclass(frozen=True)
class StoredLogin:
    """What our signed state says about the login it started."""

    nonce_digest: str
    target: str  # the platform's storage frame
    origin: str  # the platform's origin (its auth URL's): only its answers count


class CookielessCacheStorage(DjangoCacheDataStorage):
    """pylti1p3's cache storage without its session cookie.

    Over https, pylti1p3 prefixes what it caches (nonces, launch data) with the id of a
    session cookie of its own, and refuses a launch without that cookie: the very cookie a
    frame may not keep. Keyed without it, a nonce is still one we issued and is used once
    (views._validated), and launch data is found only by its launch id, which we hand out
    only inside a signed token (the deep-linking picker's).
    """

    def get_session_cookie_name(self) -> str | None:
        return None


caches.register(
    "LTI launch data",
    kept=caches.Kept.SHARED,
    key="pylti1p3's own keys (`CookielessCacheStorage`): the nonces it issued, each launch's "
    "data by its launch id",
    stale="pylti1p3's own timeouts (a nonce is used once, launch data kept a day)",
)


class NoStateCookie(DjangoCookieService):
    """At a platform-storage login, pylti1p3 would set its state cookie: we set none (the
    platform keeps the state), so none goes stale in a browser that would keep it."""

    def update_response(self, response: HttpResponse) -> None:
        return None


class VouchedState(DjangoCookieService):
    """At the verify step, the state `vouch` checked stands in for pylti1p3's state cookie."""

    def __init__(self, request: Any, state: str) -> None:
        super().__init__(request)
        self._state = state

    def get_cookie(self, name: str) -> str | None:
        if name == self._state:
            return self._state
        return super().get_cookie(name)


def _digest(nonce: str) -> str:
    return hashlib.sha256(nonce.encode()).hexdigest()


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def storage_target(params: QueryDict) -> str | None:
    """The platform's storage frame named by a login initiation, if it names a usable one."""
    target = params.get(STORAGE_TARGET, "").strip()
    return target if TARGET_RE.match(target) else None


def state_sign(*, nonce: str, target: str, auth_url: str) -> str:
    payload = {"n": _digest(nonce), "t": target, "o": _origin(auth_url)}
    return STATE_PREFIX + signing.dumps(payload, salt=STATE_SALT)


def is_storage_state(state: str) -> bool:
    return state.startswith(STATE_PREFIX)


def state_read(state: str) -> StoredLogin:
    """The login a state of ours started; StorageRefused if it is forged or too old."""
    try:
        payload = signing.loads(
            state.removeprefix(STATE_PREFIX), salt=STATE_SALT, max_age=STATE_MAX_AGE
        )
    except signing.SignatureExpired as error:
        message = _("This launch took too long. Open the activity again from your course.")
        raise StorageRefused(message, 400, str(error)) from error
    except signing.BadSignature as error:
        raise StorageRefused(
            _("This launch did not start here. Open the activity again from your course."),
            400,
            str(error),
        ) from error
    return StoredLogin(nonce_digest=payload["n"], target=payload["t"], origin=payload["o"])


def token_nonce(id_token: str) -> str:
    """The nonce an id_token claims, read before its signature is checked: it only names
    the storage keys to read; pylti1p3 verifies the token afterwards."""
    try:
        body = id_token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
        nonce = claims["nonce"]
    except (IndexError, ValueError, KeyError, TypeError) as error:
        raise StorageRefused(_("The launch token is malformed."), 400, repr(error)) from error
    if not isinstance(nonce, str) or not nonce:
        raise StorageRefused(_("The launch token has no nonce."), 400)
    return nonce


def auth_redirect_with_state(auth_url: str, target: str) -> tuple[str, str, str]:
    """pylti1p3's redirect to the platform's auth URL with our signed state in place of its
    own (whose cookie is never set): (the URL, the state, the nonce)."""
    parts = urlsplit(auth_url)
    params = dict(parse_qsl(parts.query, keep_blank_values=True))
    nonce = params["nonce"]
    base = urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))
    state = state_sign(nonce=nonce, target=target, auth_url=base)
    params["state"] = state
    return urlunsplit(parts._replace(query=urlencode(params))), state, nonce


def login_page(
    request: HttpRequest, *, auth_url: str, state: str, nonce: str, target: str
) -> HttpResponse:
    """The login's answer: a page that stores state and nonce in the platform, then goes on
    to its auth URL (or, if the platform does not answer, to the cookie flow)."""
    params = {**request.GET.dict(), **request.POST.dict()}
    params.pop(STORAGE_TARGET, None)
    path = request.path  # the same login address (with or without the registration's id)
    context = {
        "target": target,
        "origin": _origin(auth_url),
        "state": state,
        "nonce": nonce,
        "next": auth_url,
        "fallback": f"{path}?{urlencode(params)}",
    }
    return render(request, "arguments/lti_storage_login.html", context)


def launch_page(request: HttpRequest) -> HttpResponse:
    """A platform's launch with our signed state and no cookie: a page that reads state and
    nonce back from the platform's storage and posts them with the launch (`vouch`)."""
    state = request.POST.get("state", "")
    login = state_read(state)
    context = {
        "target": login.target,
        "origin": login.origin,
        "state": state,
        "nonce": token_nonce(request.POST.get("id_token", "")),
        "id_token": request.POST.get("id_token", ""),
        "action": reverse("lti:launch"),
    }
    return render(request, "arguments/lti_storage_launch.html", context)


def _from_our_page(request: HttpRequest) -> bool:
    """Whether the browser says this post comes from a page of ours (a cross-site form,
    the login CSRF attack, cannot say so: browsers set these headers themselves)."""
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site is not None:
        return fetch_site == "same-origin"
    origin = request.headers.get("Origin", "")
    return bool(origin) and origin.lower() == _origin(request.build_absolute_uri("/"))


def vouch(request: HttpRequest) -> str:
    """Check a platform-storage launch's verify step; the state it vouches for, else
    StorageRefused. pylti1p3 then checks the token itself (signature, issuer, audience,
    expiry, that we issued the nonce), and views._validated that the nonce is used once."""
    state = request.POST.get("state", "")
    login = state_read(state)
    if not _from_our_page(request):
        raise StorageRefused(
            _(
                "This launch must be confirmed by this tool's own page. "
                "Open the activity again from your course."
            ),
            403,
        )
    nonce = token_nonce(request.POST.get("id_token", ""))
    if _digest(nonce) != login.nonce_digest:
        raise StorageRefused(
            _(
                "This launch token does not belong to the login that started it. "
                "Open the activity again from your course."
            ),
            403,
        )
    if request.POST.get(STORED_STATE) != state or request.POST.get(STORED_NONCE) != nonce:
        raise StorageRefused(
            _(
                "Your course platform did not confirm that this launch started in this browser. "
                "Open the activity again from your course."
            ),
            403,
        )
    return state
