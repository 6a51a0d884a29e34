"""Teams (`/d/<slug>/teams/`): the owner's overview of a template debate's teams and their
copies (size, last claim, a link to each map), the form to make a team by hand, a join link
per team, a perspective per team in one step, and the one button that gives every team its
copy (through the task queue). Plain forms that redirect; while copies are being made the
table asks for itself again every few seconds with htmx (`?part=table`), and says "Reload"
without JavaScript."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_headers

from arguments import selectors
from arguments.models import Team
from arguments.reading.lens import Lens
from arguments.rules.permissions import Action
from arguments.services.teams import (
    team_copies_make,
    team_create,
    team_link_make,
    team_perspectives_make,
)
from arguments.views.access import HtmxHttpRequest, lens_to_manage
from arguments.views.forms import form_errors_to


class TeamForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Team name"), max_length=60)
    members = forms.CharField(
        label=gettext_lazy("Members"),
        max_length=2000,
        required=False,
        help_text=gettext_lazy(
            "Usernames, separated by commas or spaces; or none, and give the team its join link."
        ),
    )


def _page(request: HtmxHttpRequest, lens: Lens, form: TeamForm, status: int = 200) -> HttpResponse:
    slug = lens.debate.slug
    teams = selectors.teams_of(lens.debate)
    url = reverse("arguments:debate_teams", args=[slug])
    cruxes = reverse("arguments:debate_cruxes", args=[slug])
    groups = [team.perspective_id for team, _claims, _last in teams if team.perspective_id]
    context = {
        "lens": lens,
        "debate": lens.debate,
        "form": form,
        "teams": [
            (team, claims, last, reverse("arguments:debate_map", args=[team.copy.slug]))
            if team.copy is not None
            else (team, claims, last, "")
            for team, claims, last in teams
        ],
        "copying": any(team.status == Team.Status.COPYING for team, _c, _l in teams),
        "without_perspective": any(team.perspective_id is None for team, _c, _l in teams),
        "compare_url": f"{cruxes}?by=perspectives&a=group:{groups[0]}&b=group:{groups[1]}"
        if len(groups) >= 2
        else "",
        "copies_url": reverse("arguments:team_copies", args=[slug]),
        "url": url,
        "table_url": f"{url}?part=table",
    }
    template = "arguments/debate_teams.html"
    if request.htmx and request.GET.get("part") == "table":
        template += "#table"
    return render(request, template, context, status=status)


def _team_act(request: HtmxHttpRequest, lens: Lens) -> HttpResponse:
    """The overview's other buttons: a team's join link, a perspective per team."""
    slug = lens.debate.slug
    act = request.POST.get("act")
    if act == "link":
        team = selectors.team_in(lens.debate, request.POST.get("team", ""))
        if team is None:
            raise Http404("No such team in this debate.")
        team_link_make(actor=request.user, team=team)
        messages.success(
            request, _("Share the link beside %(team)s with its members.") % {"team": team.name}
        )
    elif act == "perspectives":
        try:
            made = team_perspectives_make(actor=request.user, debate=lens.debate)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect(reverse("arguments:debate_teams", args=[slug]))
        messages.success(
            request,
            ngettext("%(n)d team is now a perspective.", "%(n)d teams are now perspectives.", made)
            % {"n": made},
        )
    else:
        return HttpResponseBadRequest(_("Choose what to do."))
    return redirect(reverse("arguments:debate_teams", args=[slug]))


@vary_on_headers("HX-Request")
def debate_teams(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """GET: the teams and their copies; POST: make a team (or, with `act`, a team's join
    link or a perspective per team)."""
    lens = lens_to_manage(request, slug, Action.CONFIGURE_DEBATE)
    if isinstance(lens, HttpResponse):
        return lens
    if request.method != "POST":
        return _page(request, lens, TeamForm())
    if "act" in request.POST:
        return _team_act(request, lens)
    form = TeamForm(request.POST)
    if form.is_valid():
        names = form.cleaned_data["members"].replace(",", " ").split()
        people = [selectors.user_named(name) for name in names]
        unknown = [name for name, person in zip(names, people, strict=True) if person is None]
        try:
            if unknown:
                raise ValidationError(
                    {"members": _("No such account: %(names)s.") % {"names": ", ".join(unknown)}}
                )
            team_create(
                actor=request.user,
                debate=lens.debate,
                name=form.cleaned_data["name"],
                members=[person for person in people if person is not None],
            )
        except ValidationError as error:
            form_errors_to(form, error)
        else:
            messages.success(request, _("Team made."))
            return redirect(reverse("arguments:debate_teams", args=[slug]))
    return _page(request, lens, form, status=422)


@require_POST
def team_copies(request: HttpRequest, slug: str) -> HttpResponse:
    """Give every team without one its own copy (queued; the page shows their progress)."""
    lens = lens_to_manage(request, slug, Action.CONFIGURE_DEBATE)
    assert isinstance(lens, Lens)  # a POST: never the login page
    queued = team_copies_make(actor=request.user, debate=lens.debate)
    messages.success(
        request,
        ngettext(
            "%(n)d copy on the way: the table shows when it is ready.",
            "%(n)d copies on the way: the table shows when they are ready.",
            queued,
        )
        % {"n": queued}
        if queued
        else _("Every team has its copy already."),
    )
    return redirect(reverse("arguments:debate_teams", args=[slug]))
