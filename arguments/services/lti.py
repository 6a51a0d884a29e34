"""Accounts and roles from LTI 1.3 launches: the platform vouches for who is launching.

A launch names a user by the platform's issuer and the user's subject (`sub`), stable for
that person on that platform. We keep one local account per (issuer, subject), found again
through django-lti's `LtiUser` rows (one per registration of the issuer), and give it a
role in the launched debate from the launch's LTI roles: instructors moderate, learners
write. A role is only ever raised by a launch, never lowered (a learner who was made an
editor stays one), and the owner's role never changes.

A private debate admits a launch only when a member chose it for that course in the
deep-linking picker: the picker signs a *course link* (the debate, the platform's issuer and
deployment, the course) into the link's custom parameters, and a launch that names a private
debate without one (a URL typed by hand, a link copied to another course) grants nothing.
"""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import requests
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from lti_tool.models import Key, LtiRegistration, LtiUser
from urllib3.exceptions import LocationParseError
from urllib3.util import parse_url

from arguments.models import Debate, Membership, Role
from arguments.services.memberships import membership_raise

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

    AnyUser = User | AnonymousUser

# LTI 1.3 role vocabularies (LTI Core 1.3, appendix A.2). Only *context* roles, what the
# person is in this course, decide what they may do with the course's debate: an institution
# or system role (`…/institution/person#Instructor`, `…/system/person#Administrator`) says
# what they are elsewhere at the school, and a learner who also teaches another course must
# not moderate this one.
CONTEXT_ROLE = "http://purl.imsglobal.org/vocab/lis/v2/membership#"
# Sub-roles name their principal role in the path: `membership/Instructor#TeachingAssistant`.
CONTEXT_SUB_ROLE = "http://purl.imsglobal.org/vocab/lis/v2/membership/"
# LTI 1.1's context role URNs, still sent by platforms that kept their 1.1 role mapping.
LIS_V1_CONTEXT_ROLE = "urn:lti:role:ims/lis/"
# Context role -> debate role. Those who run the course moderate, learners write, others
# (mentors, managers, members, officers) read.
COURSE_ROLES: dict[str, Role] = {
    "Administrator": Role.MODERATOR,
    "ContentDeveloper": Role.MODERATOR,
    "Instructor": Role.MODERATOR,
    "TeachingAssistant": Role.MODERATOR,  # LTI 1.1's short name of Instructor's sub-role
    "Learner": Role.WRITER,
    "Mentor": Role.VIEWER,
    "Manager": Role.VIEWER,
    "Member": Role.VIEWER,
    "Officer": Role.VIEWER,
}
RANK = (Role.VIEWER, Role.WRITER, Role.MODERATOR)


def course_role_name(uri: str) -> str | None:
    """The context role an LTI role names (`Instructor`), or None for institution and system
    roles and anything unknown.

    A simple name without a vocabulary (`Instructor`, deprecated in LTI 1.3) is read as a
    context role, as LTI Core says a tool may; a sub-role counts as its principal role.
    """
    uri = uri.strip()
    if uri.startswith(CONTEXT_ROLE):
        name = uri[len(CONTEXT_ROLE) :]
    elif uri.startswith(CONTEXT_SUB_ROLE):
        name = uri[len(CONTEXT_SUB_ROLE) :].split("#", 1)[0]
    elif uri.startswith(LIS_V1_CONTEXT_ROLE):
        name = uri[len(LIS_V1_CONTEXT_ROLE) :].split("/", 1)[0]
    elif uri.isalpha():  # a simple name: no scheme, no path, no fragment
        name = uri
    else:
        return None
    return name if name in COURSE_ROLES else None


def lti_role_for(lti_roles: list[str] | None) -> Role:
    """The debate role a launch's LTI roles give: the highest their course roles grant
    (moderator, writer, viewer); viewer when they name no course role."""
    granted = [COURSE_ROLES[name] for uri in lti_roles or [] if (name := course_role_name(uri))]
    return max(granted, key=RANK.index, default=Role.VIEWER)


def is_course_learner(lti_roles: list[str] | None) -> bool:
    """Whether the launcher is a learner in the course (the one whose work is graded)."""
    return any(course_role_name(uri) == "Learner" for uri in lti_roles or [])


def _username(issuer: str, subject: str, given_name: str) -> str:
    """A readable, stable username: the given name (shown as the author of claims, so no
    family name) and a digest of the platform identity that keeps it unique."""
    digest = hashlib.sha256(f"{issuer}\n{subject}".encode()).hexdigest()
    base = re.sub(r"[^a-z0-9]+", "-", given_name.lower()).strip("-")[:20] or "learner"
    return f"{base}-{digest[:8]}"


@transaction.atomic
def lti_account_provision(*, lti_user: LtiUser) -> User:
    """The local account of a launching platform user, created on first launch.

    `lti_user` is django-lti's record of the launch's (registration, subject). Stable per
    issuer and subject: another registration of the same issuer finds the same account.
    """
    if lti_user.auth_user_id:
        return lti_user.auth_user
    known = (
        LtiUser.objects.filter(
            registration__issuer=lti_user.registration.issuer,
            sub=lti_user.sub,
            auth_user__isnull=False,
        )
        .select_related("auth_user")
        .first()
    )
    if known is not None:
        user = known.auth_user
    else:
        user_model = get_user_model()
        username = _username(lti_user.registration.issuer, lti_user.sub, lti_user.given_name)
        user = user_model.objects.filter(username=username).first()
        if user is None:
            try:
                with transaction.atomic():
                    user = user_model(
                        username=username,
                        first_name=lti_user.given_name[:150],
                        last_name=lti_user.family_name[:150],
                    )
                    # Signs in only through the platform; an e-mail from a launch is not
                    # verified by us, so it is not stored where password resets look.
                    user.set_unusable_password()
                    user.save()
            except IntegrityError:  # a concurrent first launch created it
                user = user_model.objects.get(username=username)
    lti_user.auth_user = user
    lti_user.save(update_fields=["auth_user", "datetime_modified"])
    return user


COURSE_LINK_SALT = "arguments.lti.course-link"


@dataclass(frozen=True)
class Course:
    """Where a launch comes from: the platform (issuer), our deployment there, the course."""

    issuer: str
    deployment_id: str
    context_id: str = ""

    def key(self, debate: Debate) -> list[str]:
        return [str(debate.pk), self.issuer, self.deployment_id, self.context_id]


def course_link_sign(*, chooser: AnyUser, debate: Debate, course: Course) -> str | None:
    """The course link a deep-linking choice carries, when the chooser may vouch for the
    debate: they own it or belong to it (choosing a public debate needs no voucher). A
    chooser whose frame lost our session cookie is anonymous, and vouches for nothing."""
    member = chooser.is_authenticated and (
        debate.owner_id == chooser.pk or debate.memberships.filter(user=chooser).exists()
    )
    return signing.dumps(course.key(debate), salt=COURSE_LINK_SALT) if member else None


def course_link_vouches(token: object, *, debate: Debate, course: Course) -> bool:
    """Whether a launch's course link was signed here for this debate and this course."""
    if not isinstance(token, str) or not token:
        return False
    try:
        return signing.loads(token, salt=COURSE_LINK_SALT) == course.key(debate)
    except signing.BadSignature:
        return False


@transaction.atomic
def lti_membership_grant(*, debate: Debate, user: User, role: Role, vouched: bool = False) -> Role:
    """Give a launching user at least `role` in the debate; return the role they now have.

    The platform is the authority here (no actor of ours grants it), hence not
    `membership_grant`, which needs a moderator or the owner as actor. A private debate
    takes newcomers only from a launch `vouched` for by a course link (see above); its
    members launch it as they are.
    """
    if (
        debate.visibility == Debate.Visibility.PRIVATE
        and not vouched
        and debate.owner_id != user.pk
    ):
        member = Membership.objects.filter(debate=debate, user=user).values_list("role", flat=True)
        if not member:
            raise PermissionDenied(
                _(
                    "This debate is private. Your teacher must choose it for this course in the "
                    "debate picker (editing the activity), as a member of the debate."
                )
            )
        return Role(member[0])
    return membership_raise(debate=debate, user=user, role=role)


def lti_tool_key_ensure() -> None:
    """Our signing key pair (django-lti's `Key`): made on first need; rotated by command."""
    if not Key.objects.active().exists():
        Key.objects.generate()


# Service addresses (AGS line items, NRPS rosters) ------------------------------------------

SERVICE_TIMEOUT = 10  # seconds to wait for a platform's token, score or roster endpoint
logger = logging.getLogger(__name__)


class ForeignServiceURL(requests.RequestException):
    """A service address outside the platform's hosts: refused, never requested.

    A launch names the line item and the roster by URL, and anyone who controls a registered
    platform (or its admin) could point them at an address inside our network or at another
    site: the tool would send its requests, and its access token, there (SSRF)."""


# What no service address of ours ever needs, and what makes parsers disagree about its host:
# `http://127.0.0.1:81\@lms.example/x` is lms.example to `urlsplit` but 127.0.0.1 to
# urllib3 (a backslash ends the authority there), so a check by one parser let the other
# connect elsewhere with the platform's token. Userinfo, whitespace and control characters
# are refused for the same reason, and so is an `@` anywhere (no platform puts one in an
# endpoint, and it is where the parsers part ways).
_UNSAFE_URL = re.compile(r"[\\\s\x00-\x1f\x7f@]")


def service_url_refusal(url: str) -> str | None:
    """Why `url` cannot be a platform's service address (None when it can be one): http or
    https, a host, and none of the characters parsers read differently."""
    if _UNSAFE_URL.search(url):
        return "has a backslash, a user name, a space or a control character"
    if _host_port(url) is None:
        return "is not an http(s) address with a host"
    return None


def _host_port(url: str) -> tuple[str, int] | None:
    """The host and port the HTTP client connects to for `url`: read by urllib3's own parser
    (the one `requests` connects with), never by another that could read it differently."""
    if _UNSAFE_URL.search(url):
        return None
    try:
        parts = parse_url(url)
    except LocationParseError:
        return None
    scheme = (parts.scheme or "").lower()
    if scheme not in {"http", "https"} or not parts.host:
        return None
    return parts.host.lower(), parts.port or (443 if scheme == "https" else 80)


def platform_hosts(registration: LtiRegistration) -> frozenset[tuple[str, int]]:
    """The platform's own hosts (and ports): those of its registration's URLs."""
    urls = (
        registration.issuer,
        registration.auth_url,
        registration.token_url,
        registration.keyset_url,
    )
    return frozenset(hp for url in urls if url and (hp := _host_port(url)) is not None)


def service_url_allowed(url: str, registration: LtiRegistration) -> bool:
    """Whether we may request `url` for this platform: a host of its registration, or one
    the administrator lists in LTI_SERVICE_HOSTS (`lms.example`, or `*.instructure.com` for
    a domain and its subdomains; docs/EMBEDDING.md)."""
    host_port = _host_port(url)
    if host_port is None:
        return False
    if host_port in platform_hosts(registration):
        return True
    host = host_port[0]
    for pattern in getattr(settings, "LTI_SERVICE_HOSTS", []):
        pattern = pattern.strip().lower()
        if pattern.startswith("*."):
            if host == pattern[2:] or host.endswith(pattern[1:]):
                return True
        elif pattern and host == pattern:
            return True
    return False


class PlatformSession(requests.Session):
    """The HTTP session for one platform's services: a timeout on every request (a platform
    that does not answer must not hold the sender), and only the platform's own hosts, for
    the first request and for every redirect."""

    def __init__(self, registration: LtiRegistration) -> None:
        super().__init__()
        self.registration = registration

    def _check(self, url: str) -> None:
        if not service_url_allowed(url, self.registration):
            logger.error(
                "LTI: refused to request %s for platform %s (%s): not one of its hosts",
                url,
                self.registration.name,
                self.registration.issuer,
            )
            raise ForeignServiceURL(
                f"Refused to contact {url[:200]}: it is not an address of this platform "
                f"({self.registration.issuer}). An administrator can allow its host in "
                "LTI_SERVICE_HOSTS."
            )

    def request(
        self, method: str, url: str | bytes, *args: Any, **kwargs: Any
    ) -> requests.Response:
        self._check(str(url))
        kwargs.setdefault("timeout", SERVICE_TIMEOUT)
        return super().request(method, url, *args, **kwargs)

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        # Checked again as prepared, the URL the connection is made to, for the first request
        # and every redirect (`resolve_redirects` sends through here too).
        self._check(request.url or "")
        return super().send(request, **kwargs)

    def get_redirect_target(self, resp: requests.Response) -> str | None:
        target = super().get_redirect_target(resp)
        if target:
            self._check(requests.compat.urljoin(resp.url, target))
        return target
