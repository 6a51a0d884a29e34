"""Each participant's activity in a debate, for its owner and moderators: a table, a CSV of
it, and one person's contributions."""

from __future__ import annotations

import csv
from typing import Any

from django.core.exceptions import BadRequest
from django.core.paginator import Page, Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from arguments import selectors
from arguments.reading.activity import (
    AsOf,
    Person,
    activity_of,
    as_of,
    display_name,
    people_of,
)
from arguments.reading.lens import Lens
from arguments.reading.tasks import completion_by_user
from arguments.rules.permissions import Action
from arguments.views.access import lens_to_manage
from arguments.views.forms.feedback import ParticipantGradeForm
from arguments.views.kept_reads import kept

COLUMNS = [
    "name",
    "username",
    "pseudonym",
    "role",
    "claims",
    "sources",
    "votes",
    "notes",
    "flags_received",
    "last_active",
    "graded_claims",
    "claim_grade_mean",
    "grade",
    "released",
    "tasks_complete",
]
PER_PAGE = 100  # participants a page of the table shows (the Django admin's list's 100)


def moment(request: HttpRequest, lens: Lens) -> AsOf | None:
    """The snapshot `?as_of=<number>` names, to count activity as of it (None: now)."""
    raw = request.GET.get("as_of", "")
    if not raw:
        return None
    if not (raw.isascii() and raw.isdigit() and len(raw) < 10):
        raise BadRequest("as_of must be the number of a version of this debate.")
    found = as_of(lens.debate, int(raw))
    if found is None:
        raise Http404("No such version of this debate.")
    return found


@kept
def debate_activity(request: HttpRequest, slug: str) -> HttpResponse:
    """The table a page of participants at a time, by name (`?page=`), as the admin lists
    people; now, the names of all and the figures of the page's rows only."""
    lens = lens_to_manage(request, slug, Action.MODERATE)
    if isinstance(lens, HttpResponse):
        return lens
    at = moment(request, lens)
    tasks_total, complete = completion_by_user(lens.debate)
    page: Page[Any]
    if at is None:
        page = Paginator(people_of(lens.debate), PER_PAGE).get_page(request.GET.get("page"))
        rows = activity_of(lens.debate, only=list(page))
    else:
        page = Paginator(activity_of(lens.debate, at), PER_PAGE).get_page(request.GET.get("page"))
        rows = list(page)
    here = reverse("arguments:debate_activity", args=[lens.debate.slug])
    moment_query = f"as_of={at.number}&" if at is not None else ""
    context = {
        "lens": lens,
        "debate": lens.debate,
        "as_of": at,
        "csv_url": reverse("arguments:debate_activity_csv", args=[lens.debate.slug])
        + (f"?as_of={at.number}" if at is not None else ""),
        "rows": [(row, complete.get(row.user_id, 0)) for row in rows],
        "page": page,
        "previous_url": f"{here}?{moment_query}page={page.previous_page_number()}"
        if page.has_previous()
        else None,
        "next_url": f"{here}?{moment_query}page={page.next_page_number()}"
        if page.has_next()
        else None,
        "grades_form": lens.may(Action.GIVE_FEEDBACK),
        "tasks_total": tasks_total,
    }
    return render(request, "arguments/debate_activity.html", context)


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    # A spreadsheet runs a cell that starts like a formula: a username must stay a name.
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@kept
def debate_activity_csv(request: HttpRequest, slug: str) -> HttpResponse:
    lens = lens_to_manage(request, slug, Action.MODERATE)
    if isinstance(lens, HttpResponse):
        return lens
    at = moment(request, lens)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    name = f"{slug}-activity-v{at.number}.csv" if at is not None else f"{slug}-activity.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    writer = csv.writer(response)
    writer.writerow(COLUMNS)
    _total, complete = completion_by_user(lens.debate)
    for row in activity_of(lens.debate, at):
        values = [getattr(row, name) for name in COLUMNS[:-1]] + [complete.get(row.user_id, 0)]
        writer.writerow(_cell(v.isoformat() if hasattr(v, "isoformat") else v) for v in values)
    return response


def participant_activity(request: HttpRequest, slug: str, user_id: int) -> HttpResponse:
    """One person's claims, sources and notes in the debate (all states: moderators see all)."""
    lens = lens_to_manage(request, slug, Action.MODERATE)
    if isinstance(lens, HttpResponse):
        return lens
    person = selectors.user_by_id(user_id)
    named = (
        Person(
            person.pk,
            person.username,
            display_name(person.first_name, person.last_name, person.username),
        )
        if person is not None
        else None
    )
    row = activity_of(lens.debate, only=[named])[0] if named is not None else None
    if person is None or row is None or not (row.role or row.total):
        raise Http404("Nobody by that id took part in this debate.")
    debate = lens.debate
    context = {
        "lens": lens,
        "debate": debate,
        "person": person,
        "row": row,
        "claims": [(c, lens.claim_urls(c.pk).page) for c in selectors.claims_in_by(debate, person)],
        "citations": selectors.citations_in_by(debate, person),
        "notes": selectors.notes_in_by(debate, person),
        "grade_form": ParticipantGradeForm(
            initial={"grade": row.grade, "comment": row.grades.comment}
        )
        if lens.may(Action.GIVE_FEEDBACK) and person.pk != request.user.pk
        else None,
    }
    return render(request, "arguments/participant_activity.html", context)
