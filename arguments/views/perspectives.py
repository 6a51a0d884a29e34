"""Perspectives: starting a named perspective and choosing to vote as it (any participant who
may vote), and the settings page of groups (the owner and moderators). Seeing a debate
through a perspective is the `perspective` parameter of its reading pages (views/access.py).
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from arguments import selectors, services
from arguments.models import Perspective
from arguments.reading import perspectives, picker
from arguments.reading.lens import Lens
from arguments.rules.permissions import Action
from arguments.views.access import id_from, lens_for, lens_to_manage
from arguments.views.fragments import page_context, safe_next


def _back(request: HttpRequest, lens: Lens) -> HttpResponse:
    return redirect(safe_next(request) or lens.urls.page)


@require_http_methods(["GET", "POST"])
def perspective_create(request: HttpRequest, slug: str) -> HttpResponse:
    """Start a named perspective ("an economist") and vote as it from now on."""
    lens = lens_for(request, slug)
    if not request.user.is_authenticated:
        if request.method == "GET":
            return redirect_to_login(request.get_full_path())
        raise PermissionDenied(_("Sign in first."))
    lens.check(Action.VOTE)
    name, error = request.POST.get("name", ""), ""
    if request.method == "POST":
        try:
            perspective = services.perspective_create(
                actor=request.user, debate=lens.debate, name=name
            )
        except ValidationError as problem:
            error = " ".join(problem.messages)
        else:
            perspectives.choose_voting_as(request.session, lens.debate, perspective)
            messages.success(request, _("You now vote as %(name)s.") % {"name": perspective.name})
            return _back(request, lens)
    context = page_context(lens, name=name, error=error, next=safe_next(request))
    status = 422 if error else 200
    return render(request, "arguments/perspective_new.html", context, status=status)


@require_POST
def perspective_voting_as(request: HttpRequest, slug: str) -> HttpResponse:
    """Vote as myself (`perspective` empty) or as a named perspective I started."""
    lens = lens_for(request, slug)
    if not request.user.is_authenticated:
        raise PermissionDenied(_("Sign in first."))
    given = request.POST.get("perspective", "")
    chosen: Perspective | None = None
    if given:
        pk = id_from(given)
        chosen = (
            selectors.perspective_in(lens.debate, pk, kind=Perspective.Kind.NAMED)
            if pk is not None
            else None
        )
        if chosen is None:
            raise Http404("No such perspective in this debate.")
        if chosen.created_by_id != lens.user_id:
            raise PermissionDenied(_("You can only vote as a perspective you started."))
    perspectives.choose_voting_as(request.session, lens.debate, chosen)
    done = (
        _("You now vote as %(name)s.") % {"name": chosen.name}
        if chosen
        else _("You now vote as yourself.")
    )
    messages.success(request, done)
    return _back(request, lens)


# -- groups (settings) ----------------------------------------------------------------------


def _groups_page(
    request: HttpRequest, lens: Lens, *, name: str = "", error: str = "", status: int = 200
) -> HttpResponse:
    participants = picker.voters_listed(lens)
    groups = selectors.groups_of(lens.debate)
    page = lens.urls.page

    def seen_as(perspective: Perspective) -> str:
        return f"{page}?{urlencode({'perspective': f'{perspective.kind}:{perspective.pk}'})}"

    rows = []
    for group in groups:
        members = {user.pk for user in group.members.all()}
        choices = [(pk, label, pk in members) for pk, label in participants]
        rows.append((group, choices, seen_as(group)))
    context = page_context(
        lens,
        groups=rows,
        named=[(p, seen_as(p)) for p in selectors.named_perspectives_of(lens.debate)],
        participants=participants,
        name=name,
        error=error,
    )
    return render(request, "arguments/perspective_groups.html", context, status=status)


@require_http_methods(["GET", "POST"])
def perspective_groups(request: HttpRequest, slug: str) -> HttpResponse:
    """The debate's groups (GET), or a new one (POST `name`)."""
    lens = lens_to_manage(request, slug, Action.MANAGE_MEMBERS)
    if isinstance(lens, HttpResponse):
        return lens
    if request.method == "POST":
        name = request.POST.get("name", "")
        try:
            group = services.group_create(actor=request.user, debate=lens.debate, name=name)
        except ValidationError as problem:
            return _groups_page(
                request, lens, name=name, error=" ".join(problem.messages), status=422
            )
        messages.success(
            request, _("Group %(name)s made: now choose its members.") % {"name": group.name}
        )
        return redirect(f"{request.path}#group-{group.pk}")
    return _groups_page(request, lens)


def _group(lens: Lens, group_id: int) -> Perspective:
    group = selectors.perspective_in(lens.debate, group_id, kind=Perspective.Kind.GROUP)
    if group is None:
        raise Http404("No such group in this debate.")
    return group


@require_POST
def group_members(request: HttpRequest, slug: str, group_id: int) -> HttpResponse:
    """Make the group exactly the participants ticked (`member`, repeated)."""
    lens = lens_to_manage(request, slug, Action.MANAGE_MEMBERS)
    if isinstance(lens, HttpResponse):
        return lens
    group = _group(lens, group_id)
    given = [id_from(value) for value in request.POST.getlist("member")]
    ticked = [user_id for user_id in given if user_id is not None]
    try:
        if len(ticked) != len(given):
            raise ValidationError(_("Choose participants of this debate."))
        services.group_members_set(actor=request.user, group=group, user_ids=ticked)
    except ValidationError as problem:
        return _groups_page(request, lens, error=" ".join(problem.messages), status=422)
    messages.success(
        request,
        ngettext(
            "Group %(name)s now has %(count)s member.",
            "Group %(name)s now has %(count)s members.",
            len(set(ticked)),
        )
        % {"name": group.name, "count": len(set(ticked))},
    )
    return redirect(f"{lens.urls.perspective_groups}#group-{group.pk}")


@require_POST
def group_delete(request: HttpRequest, slug: str, group_id: int) -> HttpResponse:
    lens = lens_to_manage(request, slug, Action.MANAGE_MEMBERS)
    if isinstance(lens, HttpResponse):
        return lens
    group = _group(lens, group_id)
    services.group_delete(actor=request.user, group=group)
    messages.success(request, _("Group %(name)s removed.") % {"name": group.name})
    return redirect(lens.urls.perspective_groups)
