"""Who is reading through the API, and their lens on a debate.

A request without `Authorization` is a visitor: it reads public debates. A personal access
token (`Authorization: Bearer dm_…`, made on the profile page) reads what its owner sees, and
with the write scope votes and writes notes as them. The API never reads the session cookie:
a page in a browser cannot lend its reader's rights to a script on another site (no CSRF, no
CORS to reason about), and an answer depends on the token alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from allauth.account.adapter import get_adapter
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from ninja.errors import AuthenticationError
from ninja.security import HttpBearer

from arguments import selectors, services
from arguments.reading import perspectives
from arguments.reading.lens import Lens
from arguments.rules.limits import check_act
from arguments.rules.permissions import Action, permits, role_in
from arguments.services.tokens import token_digest

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from arguments.models import AccessToken


@dataclass(frozen=True)
class Reader:
    """The reader of one API request: a visitor, or a token's owner."""

    user: User | AnonymousUser
    token: AccessToken | None = None

    @property
    def writes(self) -> bool:
        return self.token is not None and self.token.writes


VISITOR = Reader(AnonymousUser())


def _address(request: HttpRequest) -> str | None:
    try:
        return get_adapter(request).get_client_ip(request)
    except PermissionDenied:
        return None


def _counted(request: HttpRequest, reader: Reader) -> Reader:
    """Count the request against the reader's allowance (RateLimited: a 429 problem)."""
    check_act("api", user_id=reader.user.pk, address=_address(request))
    # Services and django-simple-history's rows name whoever acts: the token's owner.
    request.user = reader.user
    return reader


class TokenBearer(HttpBearer):
    """A personal access token; a wrong, revoked or disowned one is a 401, never a visitor."""

    def authenticate(self, request: HttpRequest, token: str) -> Reader:
        found = selectors.token_by_digest(token_digest(token.strip()))
        if found is None:
            raise AuthenticationError(401, "This token is unknown or revoked.")
        services.token_used(found)
        return _counted(request, Reader(found.user, found))


def visitor(request: HttpRequest) -> Reader:
    """A request without credentials reads as a visitor; anything else in `Authorization`
    (another scheme) is refused rather than silently read as a visitor."""
    if request.headers.get("Authorization"):
        raise AuthenticationError(401, "Send a personal access token: Authorization: Bearer …")
    return _counted(request, VISITOR)


def reader_of(request: HttpRequest) -> Reader:
    reader = getattr(request, "auth", None)
    assert isinstance(reader, Reader)  # the operations' auth set it
    return reader


def lens_of(request: HttpRequest, slug: str, perspective: str = "") -> Lens:
    """The reader's lens on the debate, as the site builds it (`views/access.lens_for`):
    their role, the stored order, and everyone's votes or those of the `perspective` asked
    for (`user:<id>`, `group:<id>`, `named:<id>`, `opinion:<n>`; the site's rule decides:
    garbled 400, not this debate's 404, people's votes the reader may not see 403). A
    debate they may not read is a 404, whether or not it exists."""
    user = reader_of(request).user
    debate = selectors.debate_by_slug(slug, reader=user)
    if debate is None:
        raise Http404("No debate here.")
    role = role_in(user, debate)
    if role is None:
        raise Http404("No debate here.")
    viewpoint = perspectives.viewpoint_for(
        debate,
        perspective,
        may_see_voters=permits(user, Action.MANAGE_MEMBERS, debate, role=role),
    )
    return Lens(debate, user, role, viewpoint=viewpoint)
