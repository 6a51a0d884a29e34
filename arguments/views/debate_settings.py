"""A debate's settings page, for its owner and moderators: what the debate is and who may
reach it, how the room runs, where it may be embedded, members and roles, the suggestion
queue, open flags, tags, its status (open, locked, closed with a conclusion), grading, and
archiving it. Which roles a manager may give, and whose role they may change, is
`permissions.grantable_roles` and `manages`; which settings each may change is
`services.debates.FIELD_ACTIONS`; the services apply the same rules. Every form works as a
plain POST (a redirect back with a message) and, with htmx, swaps its own section."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_headers

from arguments import selectors, services
from arguments.reading.lens import Lens
from arguments.rules.permissions import Action, grantable_roles, manages
from arguments.services.debates import FIELD_ACTIONS
from arguments.services.grades import debate_grading_set
from arguments.services.roster import course_roster_fetch
from arguments.services.tags import tag_names
from arguments.views.access import HtmxHttpRequest, lens_to_manage
from arguments.views.forms import form_errors_to
from arguments.views.forms.moderation import (
    VISIBILITY_HELP,
    DebateSettingsForm,
    GradingForm,
    MemberForm,
    StatusForm,
)
from arguments.views.forms.tags import TagsForm
from arguments.views.fragments import page_context
from arguments.views.snapshots import settings_context

# A pending queue longer than this is paged in the admin; the settings page shows the oldest.
QUEUE_LIMIT = 100


def _settable(lens: Lens, section: str) -> tuple[str, ...]:
    """The fields of a section of the settings that this manager may change."""
    return tuple(
        name for name in DebateSettingsForm.SECTIONS[section] if lens.may(FIELD_ACTIONS[name])
    )


def _settings_forms(
    lens: Lens, bound: DebateSettingsForm | None, bound_section: str
) -> dict[str, DebateSettingsForm]:
    """One form per section of the debate's settings, with what this manager may change."""
    debate = lens.debate
    initial = {name: getattr(debate, name) for name in FIELD_ACTIONS}
    forms = {}
    for section in DebateSettingsForm.SECTIONS:
        if bound is not None and section == bound_section:
            forms[section] = bound
        else:
            forms[section] = DebateSettingsForm(initial=initial, fields=_settable(lens, section))
    return forms


def _context(
    lens: Lens,
    *,
    member_form: MemberForm | None = None,
    status_form: StatusForm | None = None,
    grading_form: GradingForm | None = None,
    settings_form: DebateSettingsForm | None = None,
    section: str = "",
) -> dict[str, Any]:
    debate = lens.debate
    roles = grantable_roles(lens.role)
    return {
        "settings_forms": _settings_forms(lens, settings_form, section),
        "may_configure": lens.may(Action.CONFIGURE_DEBATE),
        "visibility_help": VISIBILITY_HELP,
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
        "flag_queue": selectors.open_flags_of(debate, limit=QUEUE_LIMIT),
        "flags_back": lens.urls.settings + "#flags",
        "moderation_open_flags": reverse("moderation:arguments_flag_changelist")
        + "?status__exact=open",
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
        **settings_context(lens),
    }


def debate_settings(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """The owner's and moderators' page: members and roles, the suggestion queue, status."""
    lens = lens_to_manage(request, slug, Action.MANAGE_MEMBERS)
    if isinstance(lens, HttpResponse):
        return lens
    return render(request, "arguments/debate_settings.html", _context(lens))


def _reply(
    request: HtmxHttpRequest,
    lens: Lens,
    part: str,
    *,
    status: int = 200,
    saved: bool = False,
    **forms: Any,
) -> HttpResponse:
    template = "arguments/debate_settings.html"
    if request.htmx:
        template += f"#{part}"
    context = _context(lens, **forms) | {"saved": part if saved else ""}
    return render(request, template, context, status=status)


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
            messages.success(
                request, _("%(user)s is now %(role)s.") % {"user": membership.user, "role": role}
            )
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
    messages.success(request, _("%(user)s is no longer a member.") % {"user": membership.user})
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
            messages.success(request, _("The debate is now %(status)s.") % {"status": status})
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
            messages.success(request, _("Grades follow the new formula at the next sending."))
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
        parts = [
            _("%(count)s course members") % {"count": summary.members},
            _("%(count)s new in this debate") % {"count": summary.added},
        ]
        if summary.skipped:
            parts.append(
                _("%(count)s inactive or unreadable entries skipped") % {"count": summary.skipped}
            )
        if summary.removed:
            parts.append(
                _("%(count)s who left the course lost their role") % {"count": summary.removed}
            )
        if summary.teams:
            parts.append(
                ngettext(
                    "%(n)d team made from the course's groups",
                    "%(n)d teams made from the course's groups",
                    summary.teams,
                )
                % {"n": summary.teams}
            )
        messages.success(request, "; ".join(parts) + ".")
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
                messages.success(request, _("Tags saved."))
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


@vary_on_headers("HX-Request")
@require_POST
def debate_settings_save(request: HtmxHttpRequest, slug: str, section: str) -> HttpResponse:
    """Save one section of the debate's settings (about, participation, embedding): the
    fields of it this manager may change, through `debate_configure`."""
    if section not in DebateSettingsForm.SECTIONS:
        raise Http404("No such section of the settings.")
    lens = lens_to_manage(request, slug, Action.MANAGE_MEMBERS)
    assert isinstance(lens, Lens)  # a POST: never the login page
    fields = _settable(lens, section)
    if not fields or any(
        name in request.POST for name in DebateSettingsForm.SECTIONS[section] if name not in fields
    ):
        # A setting this manager may not change (only the owner's form offers it): a 403.
        lens.check(Action.CONFIGURE_DEBATE)
    form = DebateSettingsForm(request.POST, fields=fields)
    if form.is_valid():
        try:
            changed = services.debate_configure(
                actor=request.user, debate=lens.debate, reason=f"settings: {section}",
                **form.cleaned_data,
            )  # fmt: skip
        except ValidationError as error:
            form_errors_to(form, error)
        else:
            lens.refresh()
            if request.htmx:
                return _reply(request, lens, section, saved=bool(changed))
            messages.success(request, _("Saved.") if changed else _("Nothing changed."))
            return redirect(f"{lens.urls.settings}#{section}")
    return _reply(request, lens, section, status=422, settings_form=form, section=section)


@require_POST
def debate_archive_view(request: HttpRequest, slug: str) -> HttpResponse:
    """The owner's "delete": the debate is archived (only site staff see it, and can restore
    it). A plain form with a typed confirmation, never htmx."""
    lens = lens_to_manage(request, slug, Action.CONFIGURE_DEBATE)
    assert isinstance(lens, Lens)  # a POST: never the login page
    if request.POST.get("confirm", "").strip() != lens.debate.slug:
        messages.error(request, _("Type the debate's address name to confirm archiving it."))
        return redirect(f"{lens.urls.settings}#archive")
    services.debate_archive(actor=request.user, debate=lens.debate)
    messages.success(
        request,
        _(
            "“%(title)s” is archived: nobody can open it any more. Site staff can "
            "restore it if you ask them."
        )
        % {"title": lens.debate.title},
    )
    return redirect("arguments:profile")
