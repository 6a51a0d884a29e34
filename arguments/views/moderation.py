"""Moderation on the site: flag a claim, ask for a review, approve and restore in place, and the
debate's settings page (members and roles, the suggestion queue, lock and close).

Every view works without JavaScript (a form page or a button, POST, redirect) and with htmx
(the changed fragment comes back). Permissions come from `permissions.permits`; the services
check them again. Private debates are a 404 to those who may not read them, a refused act a
403, invalid input the form again with status 422, too many flags 429.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import reswap, retarget, trigger_client_event

from arguments import services
from arguments.models import Annotation, Claim, Debate, Flag, Membership, Role
from arguments.moderation import claim_notices
from arguments.permissions import ROLE_ORDER, Action, at_least, permits, role_in
from arguments.selectors import debate_structure, may_see_note
from arguments.tree import build_item
from arguments.views.access import (
    HtmxHttpRequest,
    controls_for,
    debate_for,
    reader_for,
    visibility_reader,
    visible_claim,
)
from arguments.views.claims import Place, body_response
from arguments.views.forms import form_errors_to

User = get_user_model()

# A pending queue longer than this is paged in the admin; the settings page shows the oldest.
QUEUE_LIMIT = 100


# -- forms -----------------------------------------------------------------------------------


class FlagForm(forms.Form):
    reason = forms.ChoiceField(choices=Flag.Reason.choices, widget=forms.RadioSelect)
    fallacy = forms.ChoiceField(
        choices=[("", "—"), *Flag.Fallacy.choices], required=False, widget=forms.RadioSelect
    )
    duplicate_of = forms.ModelChoiceField(
        queryset=Claim.objects.none(), required=False, label="Duplicate of"
    )
    note = forms.CharField(
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Note for the moderators (optional)",
    )

    def __init__(self, *args: Any, claim: Claim, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["duplicate_of"].queryset = (
            Claim.objects.filter(
                debate_id=claim.debate_id,
                status=Claim.Status.PUBLISHED,
                merged_into__isnull=True,
            )
            .exclude(pk=claim.pk)
            .only("id", "text")
            .order_by("text")
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        reason = data.get("reason")
        if reason == Flag.Reason.FALLACY and not data.get("fallacy"):
            self.add_error("fallacy", "Choose which fallacy.")
        if reason == Flag.Reason.DUPLICATE and not data.get("duplicate_of"):
            self.add_error("duplicate_of", "Choose the claim this one duplicates.")
        return data


class MemberForm(forms.Form):
    username = forms.CharField(max_length=150)
    role = forms.ChoiceField(choices=[])

    def __init__(self, *args: Any, roles: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = roles

    def clean_username(self) -> Any:
        name = self.cleaned_data["username"].strip()
        user = User.objects.filter(username__iexact=name).first()
        if user is None:
            raise ValidationError("No one has that username.")
        return user


class StatusForm(forms.Form):
    status = forms.ChoiceField(choices=Debate.Status.choices, widget=forms.RadioSelect)
    conclusion = forms.CharField(
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Needed to close the debate; shown at its top (Markdown).",
    )


# -- helpers ---------------------------------------------------------------------------------


def _claim_in(debate: Debate, pk: int) -> Claim:
    claim = get_object_or_404(Claim, pk=pk, debate=debate)
    claim.debate = debate
    return claim


def _may_see(request: HttpRequest, debate: Debate, role: Role, claim_id: int) -> bool:
    """Whether the reader may see the claim in the tree or as its author (a hidden claim)."""
    structure = debate_structure(debate)
    if visible_claim(structure, visibility_reader(request, role), claim_id):
        return True
    node = structure.nodes.get(claim_id)
    return node is not None and node.author_id is not None and node.author_id == request.user.pk


def _back(request: HttpRequest, debate: Debate, claim_id: int | None = None) -> HttpResponse:
    """POST-redirect-GET: to a safe `next`, else the claim (or its moderation page)."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    if claim_id is None:
        return redirect("arguments:debate_settings", slug=debate.slug)
    role = role_in(request.user, debate) or Role.VIEWER
    if visible_claim(debate_structure(debate), visibility_reader(request, role), claim_id):
        url = reverse("arguments:claim", kwargs={"slug": debate.slug, "pk": claim_id})
        return redirect(f"{url}#claim-{claim_id}")
    return redirect("arguments:claim_moderation", slug=debate.slug, pk=claim_id)


def _fragment(
    request: HttpRequest, debate: Debate, role: Role, claim_id: int, *, status: int = 200
) -> HttpResponse:
    """The claim's moderation fragment, re-rendered for htmx after a change."""
    debate.refresh_from_db(fields=["structure_version", "status", "updated_at"])
    structure = debate_structure(debate)
    item = build_item(
        structure,
        claim_id,
        edge=structure.original.get(claim_id),
        reader=visibility_reader(request, role),
        levels=0,
    )
    context = {
        "debate": debate,
        "role": role,
        "can": controls_for(request, debate, role),
        "item": item,
        "notices": claim_notices(user=request.user, debate=debate, role=role),
    }
    response = render(request, "arguments/_claim_moderation.html", context, status=status)
    return trigger_client_event(response, "claimChanged", {"id": claim_id})


def _flags_last_hour(user: Any) -> int:
    since = timezone.now() - timedelta(hours=1)
    return Flag.objects.filter(reporter=user, created_at__gte=since).count()


# -- flags -----------------------------------------------------------------------------------


def _fallacy_rows(form: FlagForm) -> list[dict[str, Any]]:
    chosen = form["fallacy"].value() or ""
    return [
        {
            "value": value,
            "label": label,
            "explanation": Flag.FALLACY_EXPLANATIONS.get(value, ""),
            "checked": value == chosen,
        }
        for value, label in Flag.Fallacy.choices
    ]


@require_http_methods(["GET", "POST"])
def claim_flag(request: HtmxHttpRequest, slug: str, pk: int) -> HttpResponse:
    """The Flag form: reasons, fallacies with their one-line explanations, duplicate-of."""
    debate, role = debate_for(request, slug)
    if not _may_see(request, debate, role, pk):
        raise Http404("No such claim in this debate.")
    if not request.user.is_authenticated and request.method == "GET":
        return redirect_to_login(request.get_full_path())
    return _flag(request, debate, role, _claim_in(debate, pk))


@require_http_methods(["GET", "POST"])
def note_flag(request: HtmxHttpRequest, slug: str, note_id: int) -> HttpResponse:
    """The same Flag form, for an annotation the reader can see."""
    debate, role = debate_for(request, slug)
    note = get_object_or_404(
        Annotation.objects.select_related("claim"),
        pk=note_id,
        claim__debate=debate,
        status=Annotation.Status.PUBLISHED,
    )
    user_id = request.user.pk if request.user.is_authenticated else None
    visible = may_see_note(
        note,  # type: ignore[arg-type]  # the model has the fields the check reads
        user_id=user_id,
        participant=request.user.is_authenticated,
        moderator=at_least(role, Role.MODERATOR),
    )
    if not visible or not _may_see(request, debate, role, note.claim_id):
        raise Http404("No such note in this debate.")
    if not request.user.is_authenticated and request.method == "GET":
        return redirect_to_login(request.get_full_path())
    note.claim.debate = debate
    return _flag(request, debate, role, note.claim, annotation=note)


def _flag(
    request: HtmxHttpRequest,
    debate: Debate,
    role: Role,
    claim: Claim,
    *,
    annotation: Annotation | None = None,
) -> HttpResponse:
    if not permits(request.user, Action.FLAG, debate, claim=claim, role=role):
        raise PermissionDenied("Your role in this debate does not allow flagging.")
    form = FlagForm(request.POST if request.method == "POST" else None, claim=claim)
    status = 200
    if request.method == "POST":
        status = 422
        if _flags_last_hour(request.user) >= services.FLAGS_PER_HOUR:
            form.add_error(
                None,
                f"You have flagged {services.FLAGS_PER_HOUR} times in the last hour; "
                "please wait a while before flagging again.",
            )
            status = 429
        elif form.is_valid():
            try:
                services.flag_raise(
                    actor=request.user,
                    claim=None if annotation else claim,
                    annotation=annotation,
                    reason=form.cleaned_data["reason"],
                    fallacy=form.cleaned_data["fallacy"],
                    duplicate_of=form.cleaned_data["duplicate_of"],
                    note=form.cleaned_data["note"],
                )
            except ValidationError as error:
                form_errors_to(form, error)
            else:
                if request.htmx and annotation is None:
                    # The form sits in the claim's flag slot; the whole fragment is replaced.
                    response = _fragment(request, debate, role, claim.pk)
                    return reswap(retarget(response, f"#moderation-{claim.pk}"), "outerHTML")
                if request.htmx:
                    return HttpResponse(
                        '<p class="meta" role="status">Thank you: a moderator will look at '
                        "your flag.</p>"
                    )
                messages.success(request, "Thank you: a moderator will look at your flag.")
                return _back(request, debate, claim.pk)
    if annotation is None:
        key, flagging = str(claim.pk), claim.text
        action = reverse("arguments:claim_flag", kwargs={"slug": debate.slug, "pk": claim.pk})
    else:
        key, flagging = f"note-{annotation.pk}", annotation.body or annotation.exact
        action = reverse(
            "arguments:note_flag", kwargs={"slug": debate.slug, "note_id": annotation.pk}
        )
    context = {
        "debate": debate,
        "claim": claim,
        "role": role,
        "form": form,
        "fallacies": _fallacy_rows(form),
        "next": request.GET.get("next", ""),
        "key": key,
        "slot": f"flag-slot-{key}",
        "action": action,
        "flagging": flagging,
    }
    template = "arguments/flag_form.html#form" if request.htmx else "arguments/flag_form.html"
    response = render(request, template, context, status=status)
    if status == 429:
        response["Retry-After"] = "3600"
    return response


@require_POST
def flag_review(request: HtmxHttpRequest, slug: str, flag_id: int) -> HttpResponse:
    """The author of a flagged claim asks, once, for a moderator to look again."""
    debate, role = debate_for(request, slug)
    flag = get_object_or_404(Flag.objects.select_related("claim"), pk=flag_id, claim__debate=debate)
    flag.claim.debate = debate
    if not request.user.is_authenticated:
        raise PermissionDenied("Sign in to ask for a review.")
    try:
        services.flag_request_review(actor=request.user, flag=flag)
    except ValidationError as error:
        if request.htmx:
            return _fragment(request, debate, role, flag.claim_id, status=422)
        messages.error(request, " ".join(error.messages))
        return _back(request, debate, flag.claim_id)
    if request.htmx:
        return _fragment(request, debate, role, flag.claim_id)
    messages.success(request, "You asked for a review; a moderator will look again.")
    return _back(request, debate, flag.claim_id)


# -- approve and restore in place -----------------------------------------------------------


def _moderate(request: HtmxHttpRequest, slug: str, pk: int, act: Any, done: str) -> HttpResponse:
    debate, role = debate_for(request, slug)
    if not _may_see(request, debate, role, pk):
        raise Http404("No such claim in this debate.")
    claim = _claim_in(debate, pk)
    if not permits(request.user, Action.MODERATE, debate, claim=claim, role=role):
        raise PermissionDenied("Only the debate's moderators can do this.")
    try:
        act(actor=request.user, claim=claim)
    except ValidationError as error:
        if request.htmx:
            return _fragment(request, debate, role, pk, status=422)
        messages.error(request, " ".join(error.messages))
        return _back(request, debate, pk)
    if request.htmx and request.POST.get("from") == "queue":
        # From the settings page's suggestion queue: the row becomes a confirmation.
        return HttpResponse(
            format_html('<li id="pending-{}" role="status">{} <q>{}</q></li>', pk, done, claim.text)
        )
    if request.htmx:
        # The whole claim body comes back: its status badge changes along with the buttons.
        place = Place(
            debate=debate,
            role=role,
            claim=claim,
            structure=debate_structure(debate),
            reader=reader_for(request, debate, role),
        )
        return body_response(request, place)
    messages.success(request, done)
    return _back(request, debate, pk)


@require_POST
def claim_approve(request: HtmxHttpRequest, slug: str, pk: int) -> HttpResponse:
    """Publish a suggested claim."""
    return _moderate(request, slug, pk, services.claim_approve, "The claim is published.")


@require_POST
def claim_restore(request: HtmxHttpRequest, slug: str, pk: int) -> HttpResponse:
    """Bring a hidden claim back."""

    def restore(*, actor: Any, claim: Claim) -> Claim:
        if claim.merged_into_id:
            raise ValidationError("This claim was merged; a moderator can undo the merge.")
        return services.claim_restore(actor=actor, claim=claim)

    return _moderate(request, slug, pk, restore, "The claim is restored.")


def claim_moderation(request: HtmxHttpRequest, slug: str, pk: int) -> HttpResponse:
    """A claim's moderation as its author or a moderator sees it: why it is hidden or flagged,
    and the buttons that go with it (the tree does not show a hidden claim to its author)."""
    debate, role = debate_for(request, slug)
    claim = _claim_in(debate, pk)
    is_author = request.user.is_authenticated and claim.author_id == request.user.pk
    if not (is_author or at_least(role, Role.MODERATOR)):
        raise Http404("No such claim in this debate.")
    structure = debate_structure(debate)
    item = build_item(
        structure,
        pk,
        edge=structure.original.get(pk),
        reader=visibility_reader(request, role),
        levels=0,
    )
    context = {
        "debate": debate,
        "role": role,
        "can": controls_for(request, debate, role),
        "claim": claim,
        "item": item,
        "notices": claim_notices(user=request.user, debate=debate, role=role),
    }
    return render(request, "arguments/claim_moderation.html", context)


# -- the debate's settings -------------------------------------------------------------------


def _settings_access(request: HttpRequest, slug: str) -> tuple[Debate, Role] | HttpResponse:
    debate, role = debate_for(request, slug)
    if not request.user.is_authenticated:
        if request.method == "GET":
            return redirect_to_login(request.get_full_path())
        raise PermissionDenied("Sign in first.")
    if not permits(request.user, Action.MANAGE_MEMBERS, debate, role=role):
        raise PermissionDenied("Only the debate's owner and moderators manage it.")
    return debate, role


def _grantable_roles(role: Role) -> list[tuple[str, str]]:
    """Roles this manager may give: the owner appoints moderators, moderators the rest."""
    lowest = Role.MODERATOR if role == Role.OWNER else Role.EDITOR
    start = ROLE_ORDER.index(lowest)
    return [(r.value, r.label) for r in ROLE_ORDER[start:]]


def _settings_context(
    request: HttpRequest,
    debate: Debate,
    role: Role,
    *,
    member_form: MemberForm | None = None,
    status_form: StatusForm | None = None,
) -> dict[str, Any]:
    roles = _grantable_roles(role)
    members = list(Membership.objects.filter(debate=debate).select_related("user").order_by("id"))
    for membership in members:
        membership.manageable = membership.role != Role.OWNER and (
            role == Role.OWNER or membership.role != Role.MODERATOR
        )
    pending = list(
        Claim.objects.filter(debate=debate, status=Claim.Status.PENDING)
        .select_related("author")
        .order_by("created_at")[:QUEUE_LIMIT]
    )
    return {
        "debate": debate,
        "role": role,
        "roles": roles,
        "members": members,
        "pending": pending,
        "open_flags": Flag.objects.filter(claim__debate=debate, status=Flag.Status.OPEN).count(),
        "member_form": member_form or MemberForm(roles=roles),
        "status_form": status_form
        or StatusForm(initial={"status": debate.status, "conclusion": debate.conclusion}),
        "may_set_status": permits(request.user, Action.MODERATE, debate, role=role),
    }


def debate_settings(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """The owner's and moderators' page: members and roles, the suggestion queue, status."""
    access = _settings_access(request, slug)
    if isinstance(access, HttpResponse):
        return access
    debate, role = access
    return render(
        request, "arguments/debate_settings.html", _settings_context(request, debate, role)
    )


def _settings_reply(
    request: HtmxHttpRequest,
    debate: Debate,
    role: Role,
    part: str,
    *,
    status: int = 200,
    **forms_: Any,
) -> HttpResponse:
    context = _settings_context(request, debate, role, **forms_)
    template = "arguments/debate_settings.html"
    if request.htmx:
        template += f"#{part}"
    return render(request, template, context, status=status)


@require_POST
def member_grant(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """Invite a user by username, or change a member's role."""
    access = _settings_access(request, slug)
    if isinstance(access, HttpResponse):
        return access
    debate, role = access
    form = MemberForm(request.POST, roles=_grantable_roles(role))
    if form.is_valid():
        try:
            membership = services.membership_grant(
                actor=request.user,
                debate=debate,
                user=form.cleaned_data["username"],
                role=form.cleaned_data["role"],
            )
        except ValidationError as error:
            form_errors_to(form, error)
        else:
            text = f"{membership.user} is now {membership.get_role_display().lower()}."
            if request.htmx:
                return _settings_reply(request, debate, role, "members")
            messages.success(request, text)
            return redirect("arguments:debate_settings", slug=debate.slug)
    return _settings_reply(request, debate, role, "members", status=422, member_form=form)


@require_POST
def member_revoke(request: HtmxHttpRequest, slug: str, user_id: int) -> HttpResponse:
    """Remove a member (they fall back to the debate's default role)."""
    access = _settings_access(request, slug)
    if isinstance(access, HttpResponse):
        return access
    debate, role = access
    membership = get_object_or_404(
        Membership.objects.select_related("user"), debate=debate, user_id=user_id
    )
    membership.debate = debate
    try:
        services.membership_revoke(actor=request.user, membership=membership)
    except ValidationError as error:
        if request.htmx:
            return _settings_reply(request, debate, role, "members", status=422)
        messages.error(request, " ".join(error.messages))
        return redirect("arguments:debate_settings", slug=debate.slug)
    if request.htmx:
        return _settings_reply(request, debate, role, "members")
    messages.success(request, f"{membership.user} is no longer a member.")
    return redirect("arguments:debate_settings", slug=debate.slug)


@require_POST
def debate_status(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """Open, lock or close the debate (closing with a written conclusion)."""
    access = _settings_access(request, slug)
    if isinstance(access, HttpResponse):
        return access
    debate, role = access
    if not permits(request.user, Action.MODERATE, debate, role=role):
        raise PermissionDenied("Only the debate's owner and moderators can lock or close it.")
    form = StatusForm(request.POST)
    if form.is_valid():
        try:
            debate = services.debate_lock(
                actor=request.user,
                debate=debate,
                status=form.cleaned_data["status"],
                conclusion=form.cleaned_data["conclusion"],
            )
        except ValidationError as error:
            form_errors_to(form, error)
        else:
            if request.htmx:
                return _settings_reply(request, debate, role, "status")
            messages.success(request, f"The debate is now {debate.get_status_display().lower()}.")
            return redirect("arguments:debate_settings", slug=debate.slug)
    return _settings_reply(request, debate, role, "status", status=422, status_form=form)
