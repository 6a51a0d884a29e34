"""A debate's settings page, for its owner and moderators: members and roles, the suggestion
queue, and its status (open, locked, closed with a conclusion). Which roles a manager may
give, and whose role they may change, is `permissions.grantable_roles` and `manages`; the
membership services apply the same rules."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_headers

from arguments import selectors, services
from arguments.reading.lens import Lens
from arguments.rules.permissions import Action, grantable_roles, manages
from arguments.services.grades import debate_grading_set
from arguments.services.roster import course_roster_fetch
from arguments.services.tags import tag_names
from arguments.views.access import HtmxHttpRequest, lens_to_manage
from arguments.views.forms import form_errors_to
from arguments.views.forms.moderation import GradingForm, MemberForm, StatusForm
from arguments.views.forms.tags import TagsForm
from arguments.views.fragments import page_context

# A pending queue longer than this is paged in the admin; the settings page shows the oldest.
QUEUE_LIMIT = 100


def _context(
    lens: Lens,
    *,
    member_form: MemberForm | None = None,
    status_form: StatusForm | None = None,
    grading_form: GradingForm | None = None,
) -> dict[str, Any]:
    debate = lens.debate
    roles = grantable_roles(lens.role)
    return {
        "lens": lens,
        "debate": debate,
        "roles": roles,
        # (membership, whether this manager may change or remove it)
        "members": [(m, manages(lens.role, m.role)) for m in selectors.members_of(debate)],
        "pending": [
            (claim, lens.claim_urls(claim.pk))
            for claim in selectors.pending_claims(debate, limit=QUEUE_LIMIT)
        ],
        "open_flags": selectors.open_flag_count(debate),
        "member_form": member_form or MemberForm(roles=roles),
        "status_form": status_form
        or StatusForm(initial={"status": debate.status, "conclusion": debate.conclusion}),
        "may_set_status": lens.may(Action.MODERATE),
        "courses": selectors.course_activities_of(debate),
        "grading_form": grading_form
        or GradingForm(
            initial={
                "grade_formula": debate.grade_formula,
                "grade_full_marks": debate.grade_full_marks,
            }
        ),
    }


def debate_settings(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """The owner's and moderators' page: members and roles, the suggestion queue, status."""
    lens = lens_to_manage(request, slug, Action.MANAGE_MEMBERS)
    if isinstance(lens, HttpResponse):
        return lens
    return render(request, "arguments/debate_settings.html", _context(lens))


def _reply(
    request: HtmxHttpRequest, lens: Lens, part: str, *, status: int = 200, **forms: Any
) -> HttpResponse:
    template = "arguments/debate_settings.html"
    if request.htmx:
        template += f"#{part}"
    return render(request, template, _context(lens, **forms), status=status)


@vary_on_headers("HX-Request")
@require_POST
def member_grant(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """Invite a user by username, or change a member's role."""
    lens = lens_to_manage(request, slug, Action.MANAGE_MEMBERS)
    assert isinstance(lens, Lens)  # a POST: never the login page
    form = MemberForm(request.POST, roles=grantable_roles(lens.role))
    if form.is_valid():
        try:
            membership = services.membership_grant(
                actor=request.user,
                debate=lens.debate,
                user=form.cleaned_data["username"],
                role=form.cleaned_data["role"],
            )
        except ValidationError as error:
            form_errors_to(form, error)
        else:
            if request.htmx:
                return _reply(request, lens, "members")
            role = membership.get_role_display().lower()
            messages.success(request, f"{membership.user} is now {role}.")
            return redirect(lens.urls.settings)
    return _reply(request, lens, "members", status=422, member_form=form)


@vary_on_headers("HX-Request")
@require_POST
def member_revoke(request: HtmxHttpRequest, slug: str, user_id: int) -> HttpResponse:
    """Remove a member (they fall back to the debate's default role)."""
    lens = lens_to_manage(request, slug, Action.MANAGE_MEMBERS)
    assert isinstance(lens, Lens)
    membership = selectors.membership_of(lens.debate, user_id)
    if membership is None:
        raise Http404("No such member.")
    try:
        services.membership_revoke(actor=request.user, membership=membership)
    except ValidationError as error:
        if request.htmx:
            return _reply(request, lens, "members", status=422)
        messages.error(request, " ".join(error.messages))
        return redirect(lens.urls.settings)
    if request.htmx:
        return _reply(request, lens, "members")
    messages.success(request, f"{membership.user} is no longer a member.")
    return redirect(lens.urls.settings)


@vary_on_headers("HX-Request")
@require_POST
def debate_status(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """Open, lock or close the debate (closing with a written conclusion)."""
    lens = lens_to_manage(request, slug, Action.MANAGE_MEMBERS)
    assert isinstance(lens, Lens)
    lens.check(Action.MODERATE)
    form = StatusForm(request.POST)
    if form.is_valid():
        try:
            services.debate_lock(
                actor=request.user,
                debate=lens.debate,
                status=form.cleaned_data["status"],
                conclusion=form.cleaned_data["conclusion"],
            )
        except ValidationError as error:
            form_errors_to(form, error)
        else:
            lens.refresh()
            if request.htmx:
                return _reply(request, lens, "status")
            status = lens.debate.get_status_display().lower()
            messages.success(request, f"The debate is now {status}.")
            return redirect(lens.urls.settings)
    return _reply(request, lens, "status", status=422, status_form=form)


@vary_on_headers("HX-Request")
@require_POST
def debate_grading(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """Choose the formula that turns participation into the grade sent to courses."""
    lens = lens_to_manage(request, slug, Action.MODERATE)
    assert isinstance(lens, Lens)  # a POST: never the login page
    form = GradingForm(request.POST)
    if form.is_valid():
        try:
            debate_grading_set(  # sets the formula on the lens's own debate row
                actor=request.user,
                debate=lens.debate,
                formula=form.cleaned_data["grade_formula"],
                full_marks=form.cleaned_data["grade_full_marks"],
            )
        except ValidationError as error:
            form_errors_to(form, error)
        else:
            if request.htmx:
                return _reply(request, lens, "courses")
            messages.success(request, "Grades follow the new formula at the next sending.")
            return redirect(lens.urls.settings + "#courses")
    return _reply(request, lens, "courses", status=422, grading_form=form)


@require_POST
def course_roster(request: HttpRequest, slug: str, activity_id: int) -> HttpResponse:
    """Fetch a linked course's roster from its LMS and make its members participants. A
    plain form post (the fetch may take seconds): the answer is a message on the page."""
    lens = lens_to_manage(request, slug, Action.MANAGE_MEMBERS)
    assert isinstance(lens, Lens)  # a POST: never the login page
    activity = selectors.course_activity_of(lens.debate, activity_id)
    if activity is None:
        raise Http404("No such course link.")
    try:
        summary = course_roster_fetch(actor=request.user, activity=activity)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        skipped = f"; {summary.skipped} inactive or unreadable entries skipped" * bool(
            summary.skipped
        )
        left = f"; {summary.removed} who left the course lost their role" * bool(summary.removed)
        messages.success(
            request,
            f"{summary.members} course members; {summary.added} new in this debate{skipped}{left}.",
        )
    return redirect(lens.urls.settings + "#courses")


@vary_on_headers("HX-Request")
@require_POST
def debate_tags(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """Set the debate's tags (owners and moderators, from its settings page)."""
    lens = lens_to_manage(request, slug, Action.MODERATE)
    assert isinstance(lens, Lens)  # a POST: never the login page
    form = TagsForm(request.POST)
    if form.is_valid():
        try:
            services.debate_tags_set(
                actor=request.user, debate=lens.debate, names=tag_names(form.cleaned_data["tags"])
            )
        except ValidationError as error:
            form_errors_to(form, error)
        else:
            if not request.htmx:
                messages.success(request, "Tags saved.")
                return redirect(lens.urls.settings)
            return _tags_form(request, lens, None, saved=True)
    return _tags_form(request, lens, form, status=422)


def _tags_form(
    request: HtmxHttpRequest,
    lens: Lens,
    form: TagsForm | None,
    *,
    status: int = 200,
    saved: bool = False,
) -> HttpResponse:
    """The tags section alone (htmx), or the settings page with it (a refused form, no JS)."""
    if request.htmx:
        context = page_context(lens, tags_form=form, tags_saved=saved, may_set_status=True)
        return render(request, "arguments/_debate_tags_form.html", context, status=status)
    context = _context(lens) | {"tags_form": form}
    return render(request, "arguments/debate_settings.html", context, status=status)
