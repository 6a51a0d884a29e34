"""From a request to the reading lens: the debate a reader may read, a claim they may act on,
and request parameters parsed by type (a bad value is a 400 or a 404, never a 500).

The decisions themselves are the lens's (`arguments.reading`) and the permissions'; this
module only turns them into HTTP answers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from allauth.account.adapter import get_adapter
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import BadRequest, PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.utils.translation import gettext as _
from django_htmx.middleware import HtmxDetails

from arguments import selectors
from arguments.models import Annotation, Claim
from arguments.reading import perspectives
from arguments.reading.lens import Lens, order_from
from arguments.reading.links import Frame
from arguments.rules.limits import check_act
from arguments.rules.permissions import Action, permits, role_in

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from arguments.structure.map_slice import MapReach

MAX_ARIA_LEVEL = 1000  # the deepest level a branch fragment may be asked to render at


class HtmxHttpRequest(HttpRequest):
    """A request as django-htmx's middleware leaves it (for type hints)."""

    htmx: HtmxDetails


class SignedInRequest(HtmxHttpRequest):
    """A request `@login_required` let through: its user is signed in (for type hints)."""

    user: User


def client_address(request: HttpRequest) -> str | None:
    """The client's address as the login throttle reads it (behind the documented proxy,
    from `X-Forwarded-For`: DJANGO_TRUSTED_PROXY_COUNT); None when there is none."""
    try:
        return get_adapter(request).get_client_ip(request)
    except PermissionDenied:
        return None


def limit_act(request: HttpRequest, act: str) -> None:
    """Count one write `act` of this request, per account and per address; RateLimited (a
    429 saying why, `views/middleware.py`) past the allowance (`rules/limits.py`)."""
    user_id = request.user.pk if request.user.is_authenticated else None
    check_act(act, user_id=user_id, address=client_address(request))


def lens_for(
    request: HttpRequest,
    slug: str,
    *,
    frame: Frame = Frame.SITE,
    first_screen: bool = False,
    around: int | None = None,
    map_reach: MapReach | None = None,
) -> Lens:
    """The reader's lens on the debate, built once with all it needs: their role, the frame,
    the sibling order, the perspective and the named perspective they vote as (the site's
    own pages only: an embed is everyone's), and whether the page shows only the first screen
    (`first_screen`), one claim and what is beneath it (`around`) or what a map draws
    (`map_reach`; not through a perspective). A private debate is a 404 to those who may not
    read it (they must not learn that it exists)."""
    user = request.user
    debate = selectors.debate_by_slug(slug, reader=user)
    if debate is None:
        raise Http404("No debate here.")
    role = role_in(user, debate)
    if role is None:
        raise Http404("No debate here.")
    viewpoint = voting_as = None
    if frame is Frame.SITE:
        viewpoint = perspectives.viewpoint_for(
            debate,
            request.GET.get("perspective", ""),
            may_see_voters=permits(user, Action.MANAGE_MEMBERS, debate, role=role),
        )
        if user.is_authenticated:
            voting_as = perspectives.voting_as(request.session, debate, user.pk)
    return Lens(
        debate,
        user,
        role,
        frame=frame,
        order=order_from(request.GET),
        viewpoint=viewpoint,
        voting_as=voting_as,
        first_screen=first_screen,
        around=around,
        map_reach=map_reach if viewpoint is None else None,
    )


def require_seen(lens: Lens, claim_id: int) -> None:
    if not lens.sees(claim_id):
        raise Http404("No such claim in this debate.")


def claim_to_act_on(
    request: HttpRequest, lens: Lens, claim_id: int, action: Action, *, known: bool = False
) -> Claim | HttpResponse:
    """The claim, if the reader may do `action` to it: a 404 when they may not see it (with
    `known`, when they may not know of it: a hidden claim's author may), the login page for a
    visitor's GET, a 403 when their role refuses."""
    if known:
        seen = lens.knows(claim_id)
    elif request.method == "POST":  # a write: its answer reads around the claim after it
        seen = lens.sees_before_write(claim_id)
    else:
        seen = lens.sees(claim_id)
    if not seen:
        raise Http404("No such claim in this debate.")
    if not request.user.is_authenticated and request.method == "GET":
        return redirect_to_login(request.get_full_path())
    claim = selectors.claim_in(lens.debate, claim_id)
    if claim is None:
        raise Http404("No such claim in this debate.")
    lens.check(action, claim=claim)
    return claim


def note_to_act_on(lens: Lens, note_id: int) -> Annotation:
    """A note the reader sees, on a claim they see (else a 404)."""
    note = selectors.note_in(lens.debate, note_id)
    if note is None or not lens.sees_note(note) or not lens.sees(note.claim_id):
        raise Http404("No such note in this debate.")
    return note


def whole_number(
    query: QueryDict, name: str, *, default: int, maximum: int, minimum: int = 0
) -> int:
    """A whole number from `minimum` to `maximum` in the query string, or `default` when it
    is absent; BadRequest (a 400) when it is anything else."""
    raw = query.get(name, "").strip()
    if not raw:
        return default
    if not (raw.isascii() and raw.isdigit()) or not minimum <= int(raw) <= maximum:
        raise BadRequest(f"{name} must be a whole number from {minimum} to {maximum}.")
    return int(raw)


def id_from(value: str | None) -> int | None:
    """An id typed by someone (a form field, a query parameter): None when it is none."""
    value = (value or "").strip()
    if value.isascii() and value.isdigit() and len(value) <= 18:
        return int(value)
    return None


def lens_to_manage(request: HttpRequest, slug: str, action: Action) -> Lens | HttpResponse:
    """The reader's lens on a page of the debate's own management (settings, share links,
    activity, pseudonyms): the login page for a visitor's GET, a 403 when their role does not
    allow `action` (a 404 first, when they may not see the debate)."""
    lens = lens_for(request, slug)
    if not request.user.is_authenticated:
        if request.method == "GET":
            return redirect_to_login(request.get_full_path())
        raise PermissionDenied(_("Sign in first."))
    lens.check(action)
    return lens
