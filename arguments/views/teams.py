"""Teams (`/d/<slug>/teams/`): the owner's overview of a template debate's teams and their
copies (size, last claim, a link to each map), the form to make a team by hand, and the one
button that gives every team its copy (through the task queue). Plain forms that redirect."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from arguments import selectors
from arguments.reading.lens import Lens
from arguments.rules.permissions import Action
from arguments.services.teams import team_copies_make, team_create
from arguments.views.access import lens_to_manage
from arguments.views.forms import form_errors_to


class TeamForm(forms.Form):
    name = forms.CharField(label=_("Team name"), max_length=60)
    members = forms.CharField(
        label=_("Members"),
        max_length=2000,
        help_text=_("Usernames, separated by commas or spaces."),
    )


def _page(request: HttpRequest, lens: Lens, form: TeamForm, status: int = 200) -> HttpResponse:
    slug = lens.debate.slug
    context = {
        "lens": lens,
        "debate": lens.debate,
        "form": form,
        "teams": [
            (team, claims, last, reverse("arguments:debate_map", args=[team.copy.slug]))
            if team.copy is not None
            else (team, claims, last, "")
            for team, claims, last in selectors.teams_of(lens.debate)
        ],
        "copies_url": reverse("arguments:team_copies", args=[slug]),
        "url": reverse("arguments:debate_teams", args=[slug]),
    }
    return render(request, "arguments/debate_teams.html", context, status=status)


def debate_teams(request: HttpRequest, slug: str) -> HttpResponse:
    """GET: the teams and their copies; POST: make a team."""
    lens = lens_to_manage(request, slug, Action.CONFIGURE_DEBATE)
    if isinstance(lens, HttpResponse):
        return lens
    if request.method != "POST":
        return _page(request, lens, TeamForm())
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
            "%(count)s copy on the way: reload in a moment.",
            "%(count)s copies on the way: reload in a moment.",
            queued,
        )
        % {"count": queued}
        if queued
        else _("Every team has its copy already."),
    )
    return redirect(reverse("arguments:debate_teams", args=[slug]))
