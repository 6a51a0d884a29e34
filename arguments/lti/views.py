"""The LTI 1.3 flow: OIDC login initiation, launch, our JWKS, the deep-linking picker, and
the debate pages an LMS frames.

1. The platform calls `login_initiation` (GET or POST, from its iframe). pylti1p3 first
   checks that the browser keeps cookies in the frame; if not, it offers to open the
   activity in a new window, where the whole flow runs first-party. Then it redirects to
   the platform's auth URL with a state (cookie) and a nonce (cache). A platform that offers
   storage (`lti_storage_target`) keeps state and nonce instead, and no cookie is needed:
   see `storage` (its launch goes through a page that reads them back, then a verify step).
2. The platform posts a signed id_token to `launch` (our one redirect URI). We verify state,
   nonce, registration (issuer and audience = client id), signature (the platform's JWKS),
   expiry, deployment and message; then consume the nonce, so a replayed token fails.
   Only then is anything written: django-lti's records, the local account (one per issuer
   and subject, services.lti_account_provision) and its role in the debate.
3. A resource launch names its debate by its target link URI (`/lti/d/<slug>/` or
   `/lti/d/<slug>/claims/<id>/`, the URL the deep-linking response gave the platform),
   else by the custom parameters `debate` and `claim`. The user is signed in and
   redirected to that page, which the LMS may frame (its origins, learned at launch).
4. A deep-linking launch opens the picker; the instructor's choice goes back to the
   platform as a signed `ltiResourceLink` whose URL names the debate or branch.

Every failure is an error page with a 4xx status (502 when the platform's keys cannot be
fetched), never a 500, and before any write.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import requests
from django.contrib.auth import login
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import DataError, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.middleware.csp import get_nonce
from django.shortcuts import render
from django.urls import Resolver404, resolve, reverse
from django.utils.csp import CSP
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST
from lti_tool.models import LtiLaunch, LtiRegistration
from lti_tool.utils import DjangoToolConfig, sync_data_from_launch
from pylti1p3.contrib.django import DjangoMessageLaunch, DjangoOIDCLogin
from pylti1p3.contrib.django.request import DjangoRequest
from pylti1p3.deep_link_resource import DeepLinkResource
from pylti1p3.exception import LtiException, OIDCException
from pylti1p3.lineitem import LineItem

from arguments import caches, languages, selectors, services
from arguments.lti import SESSION_ORIGINS, SESSION_RETURN_URLS
from arguments.lti.claims import MalformedClaim, launch_claims_check
from arguments.lti.storage import (
    STORED_STATE,
    CookielessCacheStorage,
    NoStateCookie,
    StorageRefused,
    VouchedState,
    auth_redirect_with_state,
    is_storage_state,
    launch_page,
    login_page,
    storage_target,
    vouch,
)
from arguments.models import Debate, Role
from arguments.reading.lens import Lens
from arguments.reading.links import Frame
from arguments.services.grades import SCORE_MAXIMUM, course_activity_record
from arguments.services.lti import (
    Course,
    course_link_sign,
    course_link_vouches,
    is_course_learner,
    lti_role_for,
)
from arguments.views.access import id_from, lens_for
from arguments.views.framing import (
    ORIGIN_RE,
    EmbedOptions,
    allow_framing,
    frame_error,
    frame_page,
)

CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
DL_CLAIM = "https://purl.imsglobal.org/spec/lti-dl/claim/"
AGS_CLAIM = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
PICKER_SALT = "arguments.lti.deep-link"
PICKER_MAX_AGE = 3600  # seconds an instructor has to pick a debate
NONCE_TTL = 86400  # as long as pylti1p3 keeps a launch's data
caches.register(
    "LTI launches used",
    kept=caches.Kept.SHARED,
    key="`lti-nonce-used:<issuer>:<nonce>`",
    stale="never: it refuses a replayed launch for as long as pylti1p3 keeps the launch's data",
)
JWKS_TIMEOUT = 10  # seconds to wait for a platform's public keys

COOKIE_MESSAGES = {
    "main_msg": gettext_lazy(
        "Your browser blocks cookies inside this course page, so the map cannot "
        "sign you in here. Open it in a new window instead."
    ),
    "click_msg": gettext_lazy("Open the argument map in a new window"),
    "loading_msg": gettext_lazy("Loading the argument map…"),
}

# pylti1p3's messages -> (status, what the person in front of the LMS should read).
EXPLANATIONS: list[tuple[str, int, Promise]] = [
    (
        "Missing state",
        400,
        gettext_lazy(
            "This launch did not start here, or it expired. "
            "Open the activity again from your course."
        ),
    ),
    (
        "State not found",
        400,
        gettext_lazy(
            "This launch did not start here, or it expired. "
            "Open the activity again from your course."
        ),
    ),
    ("Missing id_token", 400, gettext_lazy("The platform sent no launch token.")),
    (
        "Missing %s cookie",
        400,
        gettext_lazy(
            "Your browser did not keep this tool's cookie. "
            "Open the activity again from your course."
        ),
    ),
    (
        "nonce",
        403,
        gettext_lazy(
            "This launch was already used or has expired. Open the activity again from your course."
        ),
    ),
    (
        "Registration not found",
        403,
        gettext_lazy(
            "This launch comes from a platform or client ID (the token's issuer and audience) "
            "that is not registered with this tool. An administrator registers platforms in the "
            "admin, under LTI registrations."
        ),
    ),
    (
        "Client id not registered",
        403,
        gettext_lazy("This launch token is meant for another tool (wrong audience)."),
    ),
    (
        "Signature has expired",
        403,
        gettext_lazy("This launch token has expired. Open the activity again from your course."),
    ),
    (
        "Signature verification failed",
        403,
        gettext_lazy(
            "This launch token is not signed by the platform's keys: it is forged or damaged."
        ),
    ),
    (
        "Unable to find public key",
        403,
        gettext_lazy("This launch token is signed by an unknown key."),
    ),
    ("JWT KID not found", 403, gettext_lazy("This launch token does not say which key signed it.")),
    (
        "Error during fetch URL",
        502,
        gettext_lazy("The platform's public keys could not be fetched."),
    ),
    ("Invalid response from", 502, gettext_lazy("The platform's public keys could not be read.")),
    ("JWT", 400, gettext_lazy("The launch token is malformed.")),
    ("deployment", 403, gettext_lazy("This launch names no known deployment of the tool.")),
    ("message type", 400, gettext_lazy("This kind of LTI message is not supported.")),
    ("Message validation failed", 400, gettext_lazy("The launch is missing required LTI claims.")),
    ("Can't decode id_token", 403, gettext_lazy("The launch token could not be verified.")),
]


class LaunchError(Exception):
    """A launch we refuse, with what to tell the user and the HTTP status."""

    def __init__(self, message: str, status: int = 403, details: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.details = details


class _PlatformSession(requests.Session):
    """requests without a timeout would let a slow platform hold a worker forever."""

    def request(self, *args: Any, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("timeout", JWKS_TIMEOUT)
        return super().request(*args, **kwargs)


class Launch(DjangoMessageLaunch):
    """pylti1p3's launch, reading the audience as OpenID Connect does.

    pylti1p3 takes the first audience as the client id, so a token for several audiences
    with ours second was refused. An id_token may name several audiences when `azp` (the
    party it was issued to) is one of them: then `azp` is the client id. With one audience,
    an `azp` other than it is refused (OIDC Core 3.1.3.7, steps 3-5).
    """

    def get_client_id(self) -> str:
        body = self._get_jwt_body()
        aud, azp = body.get("aud"), body.get("azp")
        named = aud if isinstance(aud, list) else [aud]
        audiences = [item for item in named if isinstance(item, str) and item]
        if not audiences or len(audiences) != len(named):
            raise LtiException("JWT aud is malformed")
        if azp is None:
            if len(audiences) > 1:
                raise LtiException("Client id not registered: several audiences and no azp")
            return audiences[0]
        if not isinstance(azp, str) or azp not in audiences:
            raise LtiException("Client id not registered: azp is not one of the audiences")
        return azp


def lti_error(request: HttpRequest, error: LaunchError) -> HttpResponse:
    """The error page of a refused launch: shown in the LMS frame, so framable by anyone (it
    holds nothing to click); the library's own words go below, for administrators."""
    return frame_error(request, error.message, status=error.status, details=error.details)


def _explain(error: Exception) -> LaunchError:
    text = str(error)
    for needle, status, message in EXPLANATIONS:
        if needle.lower() in text.lower():
            return LaunchError(str(message), status, details=text)
    return LaunchError(_("This launch could not be verified."), 403, details=text)


def _origin(url: object) -> str | None:
    if not isinstance(url, str):
        return None
    parts = urlsplit(url.strip())
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        return None
    origin = f"{parts.scheme}://{parts.netloc}".lower()
    return origin if ORIGIN_RE.match(origin) else None


def _dict(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def platform_origins(
    request: HttpRequest, body: dict[str, Any], registration: LtiRegistration
) -> list[str]:
    """The LMS origins that may frame our pages for this launch: where the launch was posted
    from, the platform's own URLs in the launch, and the registration's URLs."""
    candidates = [
        request.headers.get("Origin"),
        _dict(body.get(CLAIM + "launch_presentation")).get("return_url"),
        _dict(body.get(CLAIM + "tool_platform")).get("url"),
        _dict(body.get(DL_CLAIM + "deep_linking_settings")).get("deep_link_return_url"),
        registration.auth_url,
        registration.issuer,
    ]
    origins: list[str] = []
    for url in candidates:
        origin = _origin(url)
        if origin and origin not in origins:
            origins.append(origin)
    return origins


# OIDC login initiation, JWKS ---------------------------------------------------------------


@csrf_exempt
@xframe_options_exempt
@require_http_methods(["GET", "POST"])
def login_initiation(request: HttpRequest, registration_uuid: Any = None) -> HttpResponse:
    """Step 1 of a launch (third-party initiated login): on to the platform's auth URL."""
    services.lti_tool_key_ensure()
    defaults: dict[str, str] = {}
    if registration_uuid is not None:
        # Some platforms send no client_id: the registration in the URL says which it is.
        registration = selectors.lti_registration(registration_uuid)
        if registration is None:
            return lti_error(request, LaunchError(_("This tool address is not registered."), 404))
        defaults["client_id"] = registration.client_id
    tool_conf = DjangoToolConfig(str(registration_uuid) if registration_uuid else None)
    lti_request = DjangoRequest(request, default_params=defaults)
    # The platform keeps state and nonce for us when it offers storage (not needed in a
    # new window, where our cookies are first-party): see arguments.lti.storage.
    target = storage_target(request.POST if request.method == "POST" else request.GET)
    if lti_request.get_param("lti1p3_new_window"):
        target = None
    oidc_login = DjangoOIDCLogin(
        lti_request,
        tool_conf,
        cookie_service=NoStateCookie(lti_request) if target else None,
        launch_data_storage=CookielessCacheStorage(),
    )
    launch_url = request.build_absolute_uri(reverse("lti:launch"))
    try:
        if target:
            redirect = oidc_login.get_redirect_object(launch_url).get_redirect_url()
            auth_url, state, nonce = auth_redirect_with_state(redirect, target)
            response = login_page(
                request, auth_url=auth_url, state=state, nonce=nonce, target=target
            )
        else:
            response = oidc_login.enable_check_cookies(
                **{k: str(v) for k, v in COOKIE_MESSAGES.items()}
            ).redirect(launch_url)
    except (OIDCException, LtiException) as error:
        text = str(error)
        if "registration" in text.lower():
            message = _(
                "This platform (issuer and client ID) is not registered with this tool. "
                "An administrator registers platforms in the admin, under LTI registrations."
            )
            return lti_error(request, LaunchError(message, 403, details=text))
        return lti_error(request, LaunchError(_("This login request is incomplete."), 400, text))
    # The cookie check page shows in the LMS frame; it holds only a link, and pylti1p3's
    # inline script, which runs only with this response's CSP nonce.
    if isinstance(response, HttpResponse) and b"<script" in response.content:
        script_nonce = get_nonce(request)
        response.content = response.content.replace(
            b"<script", f'<script nonce="{script_nonce}"'.encode()
        )
    return allow_framing(response, ["*"])


def jwks(request: HttpRequest) -> JsonResponse:
    """Our public keys, which platforms use to verify what we sign (deep-linking responses)."""
    services.lti_tool_key_ensure()
    response = JsonResponse(selectors.lti_tool_jwks())
    response["Access-Control-Allow-Origin"] = "*"
    response["Cache-Control"] = "public, max-age=300"
    return response


# Launch ------------------------------------------------------------------------------------


def _validated(request: HttpRequest, vouched_state: str = "") -> DjangoMessageLaunch:
    """The launch, verified by pylti1p3 and with its nonce consumed; else LaunchError.
    `vouched_state`: a platform-storage launch's state, checked by storage.vouch in place of
    pylti1p3's state cookie."""
    services.lti_tool_key_ensure()
    lti_request = DjangoRequest(request, post_only=True)
    try:
        message_launch = Launch(
            lti_request,
            DjangoToolConfig(),
            cookie_service=VouchedState(lti_request, vouched_state) if vouched_state else None,
            launch_data_storage=CookielessCacheStorage(),
            requests_session=_PlatformSession(),
        )
        # The audience is checked as the registration's client id; expiry and issue time
        # must be present (LTI requires them; PyJWT only checks them when present).
        message_launch.set_jwt_verify_options(
            # pylti1p3 types the options dict[str, bool]; PyJWT's "require" is a list of claims.
            {"verify_aud": False, "require": ["exp", "iat"]}  # type: ignore[dict-item]
        )
        message_launch.validate()
        body = message_launch.get_launch_data()
        launch_claims_check(body)
    except LtiException as error:
        raise _explain(error) from error
    except MalformedClaim as error:
        raise LaunchError(
            "The course platform sent a malformed launch. Tell its administrator.",
            400,
            details=str(error),
        ) from error
    except (ValueError, TypeError, AttributeError, KeyError) as error:
        raise LaunchError(_("The launch token is malformed."), 400, details=repr(error)) from error
    # pylti1p3 checks that the nonce was issued here, but not that it is used once.
    nonce = f"lti-nonce-used:{body.get('iss')}:{body.get('nonce')}"
    if not cache.add(nonce, True, NONCE_TTL):
        raise LaunchError(
            _("This launch was already used. Open the activity again from your course."), 403
        )
    return message_launch


def _named_target(url: object) -> tuple[str, int | None] | None:
    """(slug, claim id) named by one of our URLs (LTI, debate, claim or embed pages)."""
    if not isinstance(url, str) or not url:
        return None
    try:
        match = resolve(urlsplit(url).path or "/")
    except Resolver404:
        return None
    names = {"debate", "claim", "embed_debate", "embed_claim"}
    if match.namespace not in {"lti", "arguments"} or match.url_name not in names:
        return None
    return match.kwargs["slug"], match.kwargs.get("pk")


def _course(body: dict[str, Any]) -> Course:
    """The platform, deployment and course a (validated) launch comes from."""
    return Course(
        issuer=str(body.get("iss", "")),
        deployment_id=str(body.get(CLAIM + "deployment_id", "")),
        context_id=str(_dict(body.get(CLAIM + "context")).get("id", "")),
    )


def _launch_target(body: dict[str, Any]) -> tuple[Debate, int | None]:
    """The debate (and claim) a resource launch is for, from its target link URI, else from
    custom parameters (some platforms keep the URL, others only the custom parameters)."""
    target = _named_target(body.get(CLAIM + "target_link_uri"))
    if target is None:
        custom = _dict(body.get(CLAIM + "custom"))
        slug = str(custom.get("debate", "")).strip()
        if slug:
            target = (slug, id_from(str(custom.get("claim", ""))))
    if target is None:
        raise LaunchError(
            "This course link does not name a debate. Your teacher can pick one by editing "
            "the activity (deep linking), or set its URL to a debate's LTI address.",
            400,
        )
    slug, pk = target
    debate = selectors.debate_by_slug(slug)
    if debate is None:
        raise LaunchError(_("The debate this course link names no longer exists."), 404)
    if pk is not None and not Lens.visitor(debate).sees(pk):
        raise LaunchError(_("The claim this course link names is not available."), 404)
    return debate, pk


@csrf_exempt  # a cross-site form post from the platform; the signed token is the proof
@xframe_options_exempt
@require_POST
def launch(request: HttpRequest) -> HttpResponse:
    """Step 2: verify the platform's id_token, provision the user, and show the debate (a
    resource launch) or the picker (a deep-linking launch)."""
    try:
        vouched_state = ""
        if is_storage_state(request.POST.get("state", "")):
            # No cookie of ours holds this state: the platform's storage does.
            if STORED_STATE not in request.POST:
                # In the LMS page, whose origin may differ from the auth URL's: framable
                # by any page, as the login's pages (it holds nothing to click).
                return allow_framing(launch_page(request), ["*"])
            vouched_state = vouch(request)
        message_launch = _validated(request, vouched_state)
        lti_launch = LtiLaunch(message_launch)
        deployment = lti_launch.deployment
        if not deployment.is_active:
            raise LaunchError(
                f"This deployment of the tool (ID {deployment.deployment_id}) is not "
                "activated yet. An administrator activates it in the admin, under LTI "
                "registrations.",
                403,
            )
        body: dict[str, Any] = dict(message_launch.get_launch_data())
        if lti_launch.is_resource_launch:
            debate, pk = _launch_target(body)
        elif lti_launch.is_deep_link_launch:
            debate, pk = None, None
            if lti_role_for(body.get(CLAIM + "roles")) != Role.MODERATOR:
                raise LaunchError(_("Only instructors can choose a debate for a course."), 403)
        else:
            raise LaunchError(_("This kind of LTI launch is not supported."), 400)
    except LaunchError as error:
        return lti_error(request, error)
    except StorageRefused as error:
        return lti_error(request, LaunchError(error.message, error.status, error.details))

    try:
        with transaction.atomic():
            sync_data_from_launch(lti_launch)
            user = services.lti_account_provision(lti_user=lti_launch.user)
            if debate is not None:
                services.lti_membership_grant(
                    debate=debate,
                    user=user,
                    role=lti_role_for(body.get(CLAIM + "roles")),
                    vouched=course_link_vouches(
                        _dict(body.get(CLAIM + "custom")).get("link"),
                        debate=debate,
                        course=_course(body),
                    ),
                )
                roles = body.get(CLAIM + "roles")
                course_activity_record(
                    debate=debate,
                    resource_link=lti_launch.resource_link,
                    ags=body.get(AGS_CLAIM),
                    learner=(user, lti_launch.user.sub) if is_course_learner(roles) else None,
                )
    except PermissionDenied as refused:  # rolled back: nothing provisioned
        return lti_error(request, LaunchError(str(refused), 403))
    except (DataError, KeyError, TypeError, AttributeError, ValueError) as error:
        # A claim shape launch_claims_check does not know yet; rolled back, never a 500.
        message = _("The course platform sent a malformed launch. Tell its administrator.")
        return lti_error(request, LaunchError(message, 400, details=repr(error)))
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    # The platform's language for this launch's session (the learner's LMS language), over
    # their profile's: LTI puts it in launch_presentation, OpenID Connect at the top.
    locale = _dict(body.get(CLAIM + "launch_presentation")).get("locale") or body.get("locale")
    if (chosen := languages.supported(locale)) is not None:
        request.session[languages.SESSION_KEY] = chosen
        services.member_language_adopt(user=user, language=chosen)
    request.session[SESSION_ORIGINS] = platform_origins(request, body, lti_launch.registration)
    if debate is not None:
        _remember_return_url(request, debate, body)
    if debate is None:
        token = signing.dumps(message_launch.get_launch_id(), salt=PICKER_SALT)
        return _see_other(f"{reverse('lti:deep_link')}?launch={token}")
    if pk is None:
        return _see_other(reverse("lti:debate", args=[debate.slug]))
    return _see_other(reverse("lti:claim", args=[debate.slug, pk]))


def _remember_return_url(request: HttpRequest, debate: Debate, body: dict[str, Any]) -> None:
    """Keep the launch's return URL (the course page) for the debate's "Back to the course"
    link; per debate, since one session may come from several courses."""
    url = _dict(body.get(CLAIM + "launch_presentation")).get("return_url")
    urls = dict(request.session.get(SESSION_RETURN_URLS) or {})
    if _origin(url):
        urls[debate.slug] = str(url).strip()
    else:
        urls.pop(debate.slug, None)  # a launch without one must not show the last course's
    request.session[SESSION_RETURN_URLS] = urls


def _see_other(url: str) -> HttpResponse:
    """303 after the launch's POST, so the frame's next request is a GET (a reload of the
    page it lands on never re-posts the launch)."""
    return HttpResponseRedirect(url, status=303)


# Deep linking ------------------------------------------------------------------------------


def _picker_launch(request: HttpRequest, token: str) -> DjangoMessageLaunch:
    try:
        launch_id = signing.loads(token, salt=PICKER_SALT, max_age=PICKER_MAX_AGE)
        message_launch = Launch.from_cache(
            launch_id, request, DjangoToolConfig(), launch_data_storage=CookielessCacheStorage()
        )
    except signing.SignatureExpired as error:
        raise LaunchError(
            _("This choice took too long. Open the activity again from your course."), 400
        ) from error
    except signing.BadSignature as error:
        raise LaunchError(_("This page must be opened from your course."), 400) from error
    except LtiException as error:
        raise LaunchError(
            _("This launch has expired. Open the activity again from your course."), 400, str(error)
        ) from error
    if not message_launch.is_deep_link_launch():
        raise LaunchError(_("This launch is not for choosing a debate."), 400)
    # pylti1p3 types from_cache as returning its base class; it returns a `cls` instance.
    return message_launch  # type: ignore[return-value]


def _picked(request: HttpRequest) -> tuple[Debate, int | None]:
    """The debate (and branch) the instructor picked, if they may give it to a course."""
    address = request.POST.get("address", "").strip()
    slug = request.POST.get("debate", "").strip()
    host = urlsplit(address).netloc
    if host and host != request.get_host():
        raise LaunchError(_("That address is not a debate of this site."), 422)
    target = _named_target(address) if address else ((slug, None) if slug else None)
    if target is None:
        raise LaunchError(_("Pick a debate, or paste the address of a debate or a claim."), 422)
    debate = selectors.debate_by_slug(target[0])
    if debate is None:
        raise LaunchError(_("There is no debate at that address."), 422)
    # Private debates: only those the instructor's account may already read.
    if not Lens.of(debate, request.user).readable:
        raise LaunchError(_("That debate is private: ask its owner to add you first."), 422)
    pk = target[1]
    if pk is not None and not Lens.visitor(debate).sees(pk):
        raise LaunchError(_("That claim is not available."), 422)
    return debate, pk


@csrf_exempt  # the signed launch token in the form is this form's CSRF proof (no cookie needed)
@xframe_options_exempt
@require_http_methods(["GET", "POST"])
def deep_link(request: HttpRequest) -> HttpResponse:
    """The picker: choose a debate or branch; the answer goes back to the platform signed."""
    token = request.POST.get("launch") or request.GET.get("launch", "")
    try:
        message_launch = _picker_launch(request, token)
    except LaunchError as refused:
        return lti_error(request, refused)
    body: dict[str, Any] = dict(message_launch.get_launch_data())
    registration = message_launch.get_tool_conf().registration
    ancestors = platform_origins(request, body, registration) or [CSP.NONE]
    error = ""
    if request.method == "POST":
        try:
            debate, pk = _picked(request)
        except LaunchError as refused:
            error = refused.message
        else:
            # Vouches for the choice, so a private debate admits this course's launches.
            link = course_link_sign(chooser=request.user, debate=debate, course=_course(body))
            if pk is None:
                path, title = reverse("lti:debate", args=[debate.slug]), debate.title
            else:
                path = reverse("lti:claim", args=[debate.slug, pk])
                title = Lens.visitor(debate).structure.nodes[pk].text
            resource = (
                DeepLinkResource()
                .set_url(request.build_absolute_uri(path))
                .set_title(title[:255])
                # The URL names the debate; the custom parameters say it again for
                # platforms that launch a link by its tool URL.
                .set_custom_params(
                    {
                        "debate": debate.slug,
                        **({"claim": str(pk)} if pk else {}),
                        **({"link": link} if link else {}),
                    }
                )
            )
            if request.POST.get("graded") and _accepts_lineitem(body):
                # The platform makes a gradebook column for the link; its launches then
                # name it, and participation scores go there (services.grades).
                resource.set_lineitem(
                    LineItem()
                    .set_label(title[:255])
                    .set_score_maximum(SCORE_MAXIMUM)
                    .set_resource_id(debate.slug)
                    .set_tag("participation")
                )
            deep_link_return = message_launch.get_deep_link()
            context = {
                "jwt": deep_link_return.get_response_jwt([resource]),
                "return_url": _dict(body.get(DL_CLAIM + "deep_linking_settings")).get(
                    "deep_link_return_url", ""
                ),
                "title": title,
            }
            response = render(request, "arguments/embed_lti_return.html", context)
            allow_framing(response, ancestors)
            # The signed choice is posted back to the platform: its address may take forms.
            return_origin = _origin(context["return_url"])
            if return_origin:
                # Django's middleware reads `_csp_config` with getattr; the stubs omit it.
                response._csp_config["form-action"] = [CSP.SELF, return_origin]  # type: ignore[attr-defined]
            return response
    context = {
        "token": token,
        "debates": selectors.debates_to_pick(),
        "error": error,
        "settings": _dict(body.get(DL_CLAIM + "deep_linking_settings")),
        "gradable": _accepts_lineitem(body),
    }
    response = render(
        request, "arguments/embed_lti_picker.html", context, status=422 if error else 200
    )
    return allow_framing(response, ancestors)


def _accepts_lineitem(body: dict[str, Any]) -> bool:
    """Whether the platform takes a graded link (deep linking's `accept_lineitem`, which
    defaults to yes when absent)."""
    settings = _dict(body.get(DL_CLAIM + "deep_linking_settings"))
    return settings.get("accept_lineitem", True) is not False


# The debate in the LMS frame ---------------------------------------------------------------


def _lti_page(request: HttpRequest, slug: str, pk: int | None) -> HttpResponse:
    if not request.user.is_authenticated:
        return lti_error(
            request,
            LaunchError(
                "Your browser did not keep the sign-in inside this course page (it blocks "
                "third-party cookies). Open the activity again from your course; if this "
                "page comes back, choose to open it in a new window.",
                403,
            ),
        )
    lens = lens_for(request, slug, frame=Frame.LTI)
    if pk is not None and not lens.sees(pk):
        return lti_error(request, LaunchError(_("There is no such claim in this debate."), 404))
    course_url = (request.session.get(SESSION_RETURN_URLS) or {}).get(slug, "")
    response = frame_page(request, lens, pk, EmbedOptions(), course_url=course_url)
    return allow_framing(response, request.session.get(SESSION_ORIGINS) or [CSP.NONE])


@xframe_options_exempt
def lti_debate(request: HttpRequest, slug: str) -> HttpResponse:
    """A debate inside the LMS, for the signed-in launcher, with their controls."""
    return _lti_page(request, slug, None)


@xframe_options_exempt
def lti_claim(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """One claim and its branch inside the LMS."""
    return _lti_page(request, slug, pk)
