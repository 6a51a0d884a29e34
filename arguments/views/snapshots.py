"""Snapshots of a debate (`/d/<slug>/v/…`): the list, a frozen page (the theses with their
pros and cons, or one claim in focus), its exports, the diff with another snapshot or with
the debate now; and, on the settings page, freezing the debate and its deadline.

A snapshot is readable by whoever may read the debate now (`lens_for`: a private debate's
snapshot is a 404 to a stranger). Its pages have no forms: nothing in them can change."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from arguments import formats, maps
from arguments.maps.layout import sunburst
from arguments.maps.svg import Links, sunburst_svg
from arguments.models import Stance
from arguments.reading.lens import Lens
from arguments.reading.markup import render_markdown
from arguments.reading.snapshots import (
    OutlineRow,
    SnapshotView,
    diff,
    export_of,
    outline_now,
    outline_rows,
    outline_rows_of,
    outline_skeleton,
    snapshot_data,
    snapshot_facts,
    snapshots_of,
)
from arguments.rules.permissions import Action
from arguments.services.snapshots import debate_freeze, debate_freeze_at
from arguments.views.access import lens_for, lens_to_manage, limit_act
from arguments.views.forms import form_errors_to
from arguments.views.maps import MAP_DEPTH, MIN_SPAN, outline

# A diff page lists at most this many claims of each kind, and says how many more.
DIFF_SHOWN = 200


class FreezeForm(forms.Form):
    note = forms.CharField(
        required=False,
        max_length=200,
        label=gettext_lazy("Note (optional)"),
        help_text=gettext_lazy(
            "Why this version: “graded at the deadline”, “as cited in our paper”."
        ),
    )


class DeadlineForm(forms.Form):
    freeze_at = forms.DateTimeField(
        required=False,
        label=gettext_lazy("Freeze automatically at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=gettext_lazy("In the site's time zone. Leave empty for no deadline."),
    )


def settings_context(lens: Lens) -> dict[str, Any]:
    """What the settings page's snapshots section needs."""
    debate = lens.debate
    return {
        "snapshots": snapshots_of(debate),
        "may_freeze": lens.may(Action.FREEZE_DEBATE),
        "freeze_form": FreezeForm(),
        "deadline_form": DeadlineForm(initial={"freeze_at": debate.freeze_at}),
    }


def _view(lens: Lens, number: int, claim_id: int | None = None) -> SnapshotView:
    view = snapshot_data(lens.debate, number, claim_id=claim_id)
    if view is None:
        raise Http404("No such snapshot." if claim_id is None else "No such claim in it.")
    return view


def _shows_votes(lens: Lens, view: SnapshotView) -> bool:
    """Guided voting hid tallies: the snapshot keeps them hidden but from the moderators."""
    return not view.snapshot["votes_hidden"] or lens.moderates


@require_GET
def snapshot_list(request: HttpRequest, slug: str) -> HttpResponse:
    """Every snapshot of the debate, newest first."""
    lens = lens_for(request, slug)
    return render(
        request,
        "arguments/snapshot_list.html",
        {"lens": lens, "debate": lens.debate, "snapshots": snapshots_of(lens.debate)},
    )


@require_GET
def snapshot_page(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    """A frozen debate: its theses with their pros and cons as they were."""
    lens = lens_for(request, slug)
    view = _view(lens, number)
    return _page(request, lens, view)


@require_GET
def snapshot_claim(request: HttpRequest, slug: str, number: int, pk: int) -> HttpResponse:
    """One claim of a frozen debate in focus: its path to the thesis and its pros and cons."""
    lens = lens_for(request, slug)
    view = _view(lens, number, pk)
    return _page(request, lens, view)


@dataclass(frozen=True, slots=True)
class Card:
    """A frozen claim as the page shows it: its row, its elaboration rendered, its page."""

    row: OutlineRow
    elaboration: str
    url: str

    @property
    def kind(self) -> str:
        """What it is where it stands: "pro", "con" or "thesis" (the stance's CSS class)."""
        return self.row.stance or "thesis"

    @property
    def kind_label(self) -> str:
        return str(Stance(self.row.stance).label) if self.row.stance else _("Thesis")


def _page(request: HttpRequest, lens: Lens, view: SnapshotView) -> HttpResponse:
    slug, number = lens.debate.slug, view.snapshot["number"]

    def card(row: OutlineRow) -> Card:
        url = reverse("arguments:snapshot_claim", args=[slug, number, row.claim_id])
        return Card(row, render_markdown(row.data["elaboration"]), url)

    return render(
        request,
        "arguments/snapshot.html",
        {
            "lens": lens,
            "debate": lens.debate,
            "facts": view.snapshot,
            "focus": view.focus is not None,
            "path": [card(row) for row in view.path],
            "branches": [
                (card(row), [card(child) for child in view.children.get(row.claim_id, ())])
                for row in view.items
            ],
            "show_votes": _shows_votes(lens, view),
            "live_url": lens.urls.page,
            # The activity table and grades as of this version: its moderators'.
            "activity_url": reverse("arguments:debate_activity", args=[slug]) + f"?as_of={number}"
            if lens.moderates
            else None,
            "page_url": request.build_absolute_uri(
                reverse("arguments:snapshot", args=[slug, number])
            ),
            "exports": [
                (label, reverse("arguments:snapshot_export", args=[slug, number, name]))
                for name, label in formats.LABELS.items()
            ],
        },
    )


@require_GET
def snapshot_map(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    """A frozen debate drawn as the living map draws it (a sunburst with its text
    alternative), from the snapshot's outline alone: read-only, every claim a link to its
    page in the version."""
    lens = lens_for(request, slug)
    facts = snapshot_facts(lens.debate, number)
    if facts is None:
        raise Http404("No such snapshot.")
    shows_votes = not facts["votes_hidden"] or lens.moderates
    roots = maps.frozen_theses(
        outline_skeleton(facts["id"]),
        lambda ids: outline_rows_of(facts["id"], ids),
        depth=MAP_DEPTH,
        min_share=MIN_SPAN,
        strengths=shows_votes,
    )
    segments = sunburst(roots, max_depth=MAP_DEPTH, min_span=MIN_SPAN)

    def page_of(claim_id: int) -> str:
        return reverse("arguments:snapshot_claim", args=[slug, number, claim_id])

    links = Links(claim=page_of, more=page_of, htmx=False, target="")
    title = _("Map of version %(number)s: %(title)s") % {
        "number": number,
        "title": facts["title"],
    }
    return render(
        request,
        "arguments/snapshot_map.html",
        {
            "lens": lens,
            "debate": lens.debate,
            "facts": facts,
            "live_url": lens.urls.map,
            "sunburst": mark_safe(
                sunburst_svg(segments, links, title=title)
            ),  # maps.svg escapes its texts
            "outline": outline(segments, links),
        },
    )


@require_GET
def snapshot_export(request: HttpRequest, slug: str, number: int, format_name: str) -> HttpResponse:
    """A snapshot as a file: what the live debate's export gives this reader, as it was."""
    if format_name not in formats.FORMATS:
        raise Http404("No such format.")
    found = export_of(lens_for(request, slug), number, format_name)
    if found is None:
        raise Http404("No such snapshot.")
    return HttpResponse(
        found.text,
        content_type=found.content_type,
        headers={"Content-Disposition": content_disposition_header(True, found.filename)},
    )


@require_GET
def snapshot_diff(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    """What changed from this snapshot to another (`?to=<number>`) or to the debate now."""
    lens = lens_for(request, slug)
    before = outline_rows(lens.debate, number)
    if before is None:
        raise Http404("No such snapshot.")
    to = request.GET.get("to", "now")
    if to == "now":
        after: list[OutlineRow] | None = outline_now(lens.debate)
    else:
        # A number the database can hold (a longer one names no snapshot).
        after = outline_rows(lens.debate, int(to)) if to.isdigit() and len(to) < 10 else None
    if after is None:
        raise Http404("No such snapshot to compare with.")
    changes = diff(before, after)
    return render(
        request,
        "arguments/snapshot_diff.html",
        {
            "lens": lens,
            "debate": lens.debate,
            "number": number,
            "to": to,
            "changes": changes,
            "shown": DIFF_SHOWN,
            "show_votes": lens.moderates or not lens.debate.hide_votes_until_voted,
            "others": [s["number"] for s in snapshots_of(lens.debate) if s["number"] != number],
        },
    )


def _refused(request: HttpRequest, lens: Lens, **refused: forms.Form) -> HttpResponse:
    """The snapshots section alone on a page, with the refused form's errors (422)."""
    context = {"lens": lens, "debate": lens.debate, **settings_context(lens), **refused}
    return render(request, "arguments/snapshot_settings.html", context, status=422)


@require_POST
def snapshot_take(request: HttpRequest, slug: str) -> HttpResponse:
    """Freeze the debate now (its owner and moderators, from the settings page)."""
    lens = lens_to_manage(request, slug, Action.FREEZE_DEBATE)
    assert isinstance(lens, Lens)  # a POST: never the login page
    form = FreezeForm(request.POST)
    if not form.is_valid():
        return _refused(request, lens, freeze_form=form)
    limit_act(request, "freeze")
    snapshot = debate_freeze(actor=request.user, debate=lens.debate, note=form.cleaned_data["note"])
    messages.success(request, _("Frozen as version %(number)s.") % {"number": snapshot.number})
    return redirect("arguments:snapshot", slug=lens.debate.slug, number=snapshot.number)


@require_POST
def snapshot_deadline(request: HttpRequest, slug: str) -> HttpResponse:
    """Set or clear when the debate freezes by itself."""
    lens = lens_to_manage(request, slug, Action.FREEZE_DEBATE)
    assert isinstance(lens, Lens)
    form = DeadlineForm(request.POST)
    if form.is_valid():
        at = form.cleaned_data["freeze_at"]
        try:
            debate_freeze_at(actor=request.user, debate=lens.debate, at=at)
        except ValidationError as error:
            form_errors_to(form, error)
        else:
            messages.success(
                request,
                _("The debate freezes at %(when)s.") % {"when": f"{at:%Y-%m-%d %H:%M}"}
                if at
                else _("No deadline."),
            )
            return redirect(lens.urls.settings + "#snapshots")
    return _refused(request, lens, deadline_form=form)
