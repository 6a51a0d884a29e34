"""The admin is the moderation console.

Every moderating act (approve, hide, restore, merge, move, lock, close, handle a flag, revert)
goes through `arguments.services` with the signed-in user as the actor, so the admin obeys the
same rules as the site, and is logged in Django's admin log with who, what, when and why (the
"Why" field of the action bar or of the action's own page). Direct edits that could break a
debate's invariants (relations, statuses, votes) are read-only here; nothing can be deleted.
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any, TypedDict

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME, ActionForm
from django.contrib.admin.utils import unquote
from django.contrib.admin.widgets import AutocompleteSelect
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from arguments import services
from arguments.models import (
    Annotation,
    Citation,
    Claim,
    Debate,
    Flag,
    Membership,
    Merge,
    Perspective,
    Relation,
    Snapshot,
    Source,
    Stance,
    Tag,
    Vote,
)
from arguments.rules.permissions import Action, refusal
from arguments.services.guards import original_parents

if TYPE_CHECKING:
    from django.db.models import Model
    from django_stubs_ext import WithAnnotations


class OpenFlagCount(TypedDict):
    """What the claim list's queryset adds to each claim."""

    open_flag_count: int


ACTION_TEMPLATE = "admin/arguments/moderation_action.html"
# The admin site answering the request: staff's `admin`, or the moderators' scoped one
# (arguments/moderation_admin.py), which sets it, so that links stay on the same site.
SERVING_SITE: ContextVar[str] = ContextVar("serving_admin_site", default="admin")


def _errors(error: ValidationError | PermissionDenied) -> str:
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error) or gettext("You may not do that.")


def action_refused(item: object, why: str) -> str:
    """An action refused on one item: the item, then the service's reason (also the
    moderators' admin's)."""
    return gettext("%(item)s: %(why)s") % {"item": item, "why": why}


def _refused_claim(claim: object, error: ValidationError | PermissionDenied) -> str:
    return gettext("“%(claim)s”: %(why)s") % {"claim": claim, "why": _errors(error)}


def _flags_resolved(count: int, *, uphold: bool, hide: bool) -> str:
    """How many flags an action decided, and how: one whole sentence for each decision."""
    if uphold and hide:
        wording = ngettext(
            "Upheld %(count)s flag and hid the item.",
            "Upheld %(count)s flags and hid the items.",
            count,
        )
    elif uphold:
        wording = ngettext("Upheld %(count)s flag.", "Upheld %(count)s flags.", count)
    else:
        wording = ngettext("Dismissed %(count)s flag.", "Dismissed %(count)s flags.", count)
    return wording % {"count": count}


def _change_link(obj: Model, label: str | None = None) -> str:
    url = reverse(
        f"admin:arguments_{obj._meta.model_name}_change",
        args=[obj.pk],
        current_app=SERVING_SITE.get(),
    )
    return format_html('<a href="{}">{}</a>', url, label or str(obj))


class ModerationActionForm(ActionForm):
    """The action bar, with the "why" every moderating act is logged with."""

    reason = forms.CharField(
        label=_("Why"),
        required=False,
        max_length=2000,
        widget=forms.TextInput(attrs={"size": 40, "placeholder": "logged; shown to authors"}),
    )


class ServiceSaves:
    """Every save of an admin page, its own row and each inline row, through the services
    (`admin_save`, `admin_delete`): the debates that show a row move to a new version, so the
    structures, cards and pages every worker keeps catch up (the admin's own saves left them
    as they were: a note or citation hidden here stayed on every page). tests/test_admin.py
    walks every change form and inline. A mixin, first among a ModelAdmin's bases."""

    def save_model(self, request: HttpRequest, obj: Any, form: forms.Form, change: bool) -> None:
        services.admin_save(actor=request.user, obj=obj)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        services.admin_delete(actor=request.user, obj=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        for obj in queryset:
            services.admin_delete(actor=request.user, obj=obj)

    def save_formset(
        self, request: HttpRequest, form: forms.Form, formset: Any, change: bool
    ) -> None:
        for obj in formset.save(commit=False):
            services.admin_save(actor=request.user, obj=obj)
        for obj in formset.deleted_objects:
            services.admin_delete(actor=request.user, obj=obj)
        formset.save_m2m()


class ServiceRevertAdmin(ServiceSaves, SimpleHistoryAdmin):
    """History with who and when for every version; "Revert" goes through the revert service,
    so it keeps the debate's invariants and undoes a merge as a whole; "Save" through
    `admin_save`, which tells the debates that show the item."""

    action_form = ModerationActionForm

    def history_form_view(
        self,
        request: HttpRequest,
        object_id: str,
        version_id: str,
        extra_context: dict | None = None,
    ) -> HttpResponse:
        if request.method != "POST":
            return super().history_form_view(request, object_id, version_id, extra_context)
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404("No such item.")
        if not self.has_change_permission(request, obj):
            raise PermissionDenied
        history_url = reverse(f"admin:arguments_{obj._meta.model_name}_history", args=[obj.pk])
        try:
            version = int(version_id)
            services.history_revert(
                actor=request.user,
                obj=obj,
                history_id=version,
                reason=request.POST.get("reason", ""),
            )
        except (ValueError, ValidationError, PermissionDenied) as error:
            message = (
                gettext("No such version.") if isinstance(error, ValueError) else _errors(error)
            )
            self.message_user(request, message, messages.ERROR)
            return HttpResponseRedirect(history_url)
        self.log_change(request, obj, f"Reverted to version {version}.")
        self.message_user(
            request,
            gettext("%(item)s was reverted to version %(version)s.")
            % {"item": obj, "version": version},
        )
        return HttpResponseRedirect(
            reverse(f"admin:arguments_{obj._meta.model_name}_change", args=[obj.pk])
        )

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Nothing user-written is hard-deleted: hide it instead.
        return False


def _reason(request: HttpRequest) -> str:
    return request.POST.get("reason", "").strip()[:2000]


def _log(modeladmin: admin.ModelAdmin, request: HttpRequest, obj: Model, what: str) -> None:
    """A line in the item's history. It stays English, unlike the messages to the staff
    member: a plain-text log entry is written once and read by every staff member, in
    whatever language each reads the admin."""
    why = _reason(request)
    modeladmin.log_change(request, obj, f"{what}. Why: {why}" if why else f"{what}.")


# -- debates ---------------------------------------------------------------------------------


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]
    verbose_name = "member"
    verbose_name_plural = "members and their roles"


class ConclusionForm(forms.Form):
    conclusion = forms.CharField(
        label=_("Conclusion"),
        widget=forms.Textarea(attrs={"rows": 6, "cols": 80}),
        help_text=_("Shown at the top of the closed debate (Markdown)."),
    )
    reason = forms.CharField(label=_("Why"), required=False, max_length=2000)


@admin.register(Debate)
class DebateAdmin(ServiceRevertAdmin):
    list_display = ["title", "slug", "owner", "visibility", "status", "featured", "updated_at"]
    list_filter = ["featured", "visibility", "status", "voting_enabled", "requires_approval"]
    list_editable = ["featured"]  # staff choose Explore's featured debates here
    filter_horizontal = ["tags"]
    search_fields = ["title", "slug", "description"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["owner"]
    inlines = [MembershipInline]
    # Status and conclusion change through the lock, reopen and close actions (the service).
    readonly_fields = ["status", "conclusion", "structure_version", "created_at", "updated_at"]
    actions = ["lock_debates", "reopen_debates", "close_debates"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        # A debate starts with its thesis, which the site's own form creates.
        return False

    def _set_status(
        self, request: HttpRequest, queryset: QuerySet, status: str, told: Callable[[int], str]
    ) -> None:
        done = 0
        for debate in queryset:
            try:
                services.debate_lock(
                    actor=request.user, debate=debate, status=status, reason=_reason(request)
                )
            except (ValidationError, PermissionDenied) as error:
                self.message_user(request, action_refused(debate, _errors(error)), messages.ERROR)
                continue
            _log(self, request, debate, f"Set the debate {status}")
            done += 1
        if done:
            self.message_user(request, told(done))

    @admin.action(description=_("Lock (read-only for now)"))
    def lock_debates(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._set_status(
            request,
            queryset,
            Debate.Status.LOCKED,
            lambda n: (
                ngettext("%(count)s debate locked.", "%(count)s debates locked.", n) % {"count": n}
            ),
        )

    @admin.action(description=_("Reopen"))
    def reopen_debates(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._set_status(
            request,
            queryset,
            Debate.Status.OPEN,
            lambda n: (
                ngettext("%(count)s debate reopened.", "%(count)s debates reopened.", n)
                % {"count": n}
            ),
        )

    @admin.action(description=_("Close with a conclusion…"))
    def close_debates(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse | None:
        form = ConclusionForm(request.POST if "apply" in request.POST else None)
        if "apply" in request.POST and form.is_valid():
            done = 0
            for debate in queryset:
                try:
                    services.debate_lock(
                        actor=request.user,
                        debate=debate,
                        status=Debate.Status.CLOSED,
                        conclusion=form.cleaned_data["conclusion"],
                        reason=form.cleaned_data["reason"],
                    )
                except (ValidationError, PermissionDenied) as error:
                    self.message_user(
                        request, action_refused(debate, _errors(error)), messages.ERROR
                    )
                    continue
                _log(self, request, debate, "Closed the debate with a conclusion")
                done += 1
            if done:
                self.message_user(
                    request,
                    ngettext("%(count)s debate closed.", "%(count)s debates closed.", done)
                    % {"count": done},
                )
            return None
        return _action_page(
            self,
            request,
            queryset,
            form,
            action="close_debates",
            title=_("Close with a conclusion"),
        )


# -- claims ----------------------------------------------------------------------------------


class FlaggedFilter(admin.SimpleListFilter):
    title = "flags"
    parameter_name = "flagged"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list:
        return [
            ("open", "Open flags"),
            ("review", "Review requested"),
            ("any", "Ever flagged"),
            ("no", "Never flagged"),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        value = self.value()
        if value == "open":
            return queryset.filter(flags__status=Flag.Status.OPEN).distinct()
        if value == "review":
            return queryset.filter(
                flags__status=Flag.Status.OPEN, flags__review_requested_at__isnull=False
            ).distinct()
        if value == "any":
            return queryset.filter(flags__isnull=False).distinct()
        if value == "no":
            return queryset.filter(flags__isnull=True)
        return queryset


class QueueFilter(admin.SimpleListFilter):
    """What needs a moderator: suggestions awaiting approval, hidden claims, merged ones."""

    title = "moderation queue"
    parameter_name = "queue"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list:
        return [
            ("pending", "Awaiting approval"),
            ("hidden", "Hidden (restorable)"),
            ("merged", "Merged duplicates"),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        value = self.value()
        if value == "pending":
            return queryset.filter(status=Claim.Status.PENDING)
        if value == "hidden":
            return queryset.filter(status=Claim.Status.HIDDEN, merged_into__isnull=True)
        if value == "merged":
            return queryset.filter(merged_into__isnull=False)
        return queryset


class CitationInline(admin.TabularInline):
    model = Citation
    extra = 0
    fields = ["source", "quote", "locator", "is_hidden"]
    autocomplete_fields = ["source"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ClaimAdminForm(forms.ModelForm):
    """Moderators may reword a claim; the edit goes through `claim_edit` (which re-anchors
    annotations), so it is refused where the service would refuse it: by the permissions'
    own `refusal()`, for the moderator who edits (`actor`, set by `ClaimAdmin.get_form`)."""

    actor: Any = None

    class Meta:
        model = Claim
        fields = ["text", "elaboration"]

    def clean_text(self) -> str:
        return services.clean_claim_text(self.cleaned_data.get("text", ""))

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        claim = self.instance
        if claim.pk:
            refused = refusal(self.actor, Action.EDIT_CLAIM, claim.debate, claim=claim)
            if refused is not None:
                raise ValidationError(refused.reason)
        return data


class MergeForm(forms.Form):
    """The claim to merge into, found by its words (the admin's autocomplete, among the claims
    this admin shows: `claims`), and the why typed in the action bar, carried over."""

    into = forms.ModelChoiceField(
        queryset=Claim.objects.none(),
        label=_("Merge into claim"),
        help_text=_(
            "Type some of its words. The claim that survives: the duplicates' pros, "
            "cons, links, sources, votes and notes move to it."
        ),
    )
    reason = forms.CharField(label=_("Why"), required=False, max_length=2000)

    def __init__(
        self, *args: Any, admin_site: admin.AdminSite, claims: QuerySet, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        into = self.fields["into"]
        assert isinstance(into, forms.ModelChoiceField)  # as declared above
        # The widget first: setting the queryset hands the widget its choices.
        into.widget = AutocompleteSelect(Merge._meta.get_field("into"), admin_site)
        into.queryset = claims.filter(status=Claim.Status.PUBLISHED, merged_into__isnull=True)


class MoveForm(forms.Form):
    parent = forms.ModelChoiceField(
        queryset=Claim.objects.none(),
        label=_("New parent claim"),
        help_text=_("Type some of its words."),
    )
    stance = forms.ChoiceField(
        label=_("Stance"), choices=[("", "Keep its stance"), *Stance.choices], required=False
    )
    reason = forms.CharField(label=_("Why"), required=False, max_length=2000)

    def __init__(
        self, *args: Any, admin_site: admin.AdminSite, claims: QuerySet, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        parent = self.fields["parent"]
        assert isinstance(parent, forms.ModelChoiceField)  # as declared above
        parent.widget = AutocompleteSelect(Relation._meta.get_field("parent"), admin_site)
        parent.queryset = claims.filter(merged_into__isnull=True)


def _action_page(
    modeladmin: admin.ModelAdmin,
    request: HttpRequest,
    queryset: QuerySet,
    form: forms.Form,
    *,
    action: str,
    title: str | Promise,
) -> HttpResponse:
    """The intermediate page of an action that needs more than the action bar asks."""
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": title,
        "objects": list(queryset[:200]),
        "pks": list(queryset.values_list("pk", flat=True)),
        "count": queryset.count(),
        "form": form,
        "action": action,
        "action_checkbox_name": ACTION_CHECKBOX_NAME,
        "opts": modeladmin.model._meta,
        "media": modeladmin.media + form.media,
    }
    status = 422 if form.is_bound and not form.is_valid() else 200
    return render(request, ACTION_TEMPLATE, context, status=status)


@admin.register(Claim)
class ClaimAdmin(ServiceRevertAdmin):
    form = ClaimAdminForm
    list_display = [
        "text",
        "debate",
        "is_thesis",
        "status",
        "author",
        "open_flags",
        "created_at",
    ]
    list_filter = [
        QueueFilter,
        FlaggedFilter,
        "status",
        "is_thesis",
        ("author", admin.RelatedOnlyFieldListFilter),
        "debate",
    ]
    search_fields = ["=id", "text", "elaboration", "author__username"]
    list_select_related = ["debate", "author"]
    inlines = [CitationInline]
    readonly_fields = [
        "debate",
        "is_thesis",
        "status",
        "author",
        "merged_into_link",
        "path",
        "places",
        "children",
        "flags_summary",
        "created_at",
        "updated_at",
        *Claim.TALLY_FIELDS,
    ]
    fields = [
        "text",
        "elaboration",
        "debate",
        "is_thesis",
        "status",
        "author",
        "merged_into_link",
        "path",
        "places",
        "children",
        "flags_summary",
        "created_at",
        "updated_at",
        *Claim.TALLY_FIELDS,
    ]
    actions = [
        "approve_claims",
        "hide_claims",
        "restore_claims",
        "merge_claims",
        "move_claims",
        "unmerge_claims",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Claims are added in the debate, where their place (a relation) is chosen.
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return (
            super()
            .get_queryset(request)
            .annotate(open_flag_count=Count("flags", filter=Q(flags__status=Flag.Status.OPEN)))
        )

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> type[forms.ModelForm]:
        form = super().get_form(request, obj, change, **kwargs)
        form.actor = request.user  # whose refusal the form asks (a class made per request)
        return form

    def save_model(self, request: HttpRequest, obj: Claim, form: forms.Form, change: bool) -> None:
        # The form already checked what the service checks; a refusal here is a race.
        services.claim_edit(
            actor=request.user,
            claim=obj,
            text=form.cleaned_data["text"],
            elaboration=form.cleaned_data["elaboration"],
        )

    @admin.display(description=_("open flags"), ordering="open_flag_count")
    def open_flags(self, claim: WithAnnotations[Claim, OpenFlagCount]) -> int:
        return claim.open_flag_count

    @admin.display(description=_("merged into"))
    def merged_into_link(self, claim: Claim) -> str:
        merged_into = claim.merged_into
        if merged_into is None:
            return "—"
        return _change_link(merged_into)

    @admin.display(description=_("path from the thesis"))
    def path(self, claim: Claim) -> str:
        parents = original_parents(claim.debate)
        chain: list[int] = []
        current: int | None = parents.get(claim.pk)
        while current is not None and current not in chain:
            chain.append(current)
            current = parents.get(current)
        if not chain:
            return "This claim is a thesis." if claim.is_thesis else "—"
        claims = Claim.objects.in_bulk(chain)
        return format_html_join(
            mark_safe(" &rsaquo; "),  # a fixed separator, not user input
            "{}",
            ((_change_link(claims[pk]),) for pk in reversed(chain) if pk in claims),
        )

    @admin.display(description=_("places in the debate"))
    def places(self, claim: Claim) -> str:
        rows = claim.parent_relations.select_related("parent").order_by("is_link", "id")
        return (
            format_html_join(
                "",
                "<div>{} of {}{}</div>",
                (
                    (
                        r.get_stance_display(),
                        _change_link(r.parent),
                        " (link" + (", hidden)" if r.is_hidden else ")")
                        if r.is_link
                        else (" (hidden)" if r.is_hidden else ""),
                    )
                    for r in rows
                ),
            )
            or "—"
        )

    @admin.display(description=_("pros and cons"))
    def children(self, claim: Claim) -> str:
        rows = claim.child_relations.select_related("child").order_by("stance", "position", "id")
        return (
            format_html_join(
                "",
                "<div>{}: {} <small>({}{})</small></div>",
                (
                    (
                        r.get_stance_display(),
                        _change_link(r.child),
                        r.child.get_status_display().lower(),
                        ", link" if r.is_link else "",
                    )
                    for r in rows
                ),
            )
            or "—"
        )

    @admin.display(description=_("flags"))
    def flags_summary(self, claim: Claim) -> str:
        rows = claim.flags.select_related("reporter").order_by("-created_at")[:20]
        return (
            format_html_join(
                "",
                "<div>{} — {} by {}</div>",
                (
                    (_change_link(f, str(f)), f.get_fallacy_display() or "", f.reporter)
                    for f in rows
                ),
            )
            or "—"
        )

    def _each(
        self,
        request: HttpRequest,
        queryset: QuerySet,
        act: Any,
        what: str,
        told: Callable[[int], str],
    ) -> None:
        """`act` on each claim; `what` for its history (English, `_log`), `told` the staff
        member how many were done, in their language."""
        done = 0
        for claim in queryset.select_related("debate"):
            try:
                act(claim)
            except (ValidationError, PermissionDenied) as error:
                self.message_user(request, _refused_claim(claim, error), messages.ERROR)
                continue
            _log(self, request, claim, what)
            done += 1
        if done:
            self.message_user(request, told(done))

    @admin.action(description=_("Approve suggested claims"))
    def approve_claims(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._each(
            request,
            queryset,
            lambda c: services.claim_approve(actor=request.user, claim=c),
            "Approved",
            lambda n: (
                ngettext("Approved: %(count)s claim.", "Approved: %(count)s claims.", n)
                % {"count": n}
            ),
        )

    @admin.action(description=_("Hide (restorable)"))
    def hide_claims(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._each(
            request,
            queryset,
            lambda c: services.claim_hide(actor=request.user, claim=c),
            "Hid",
            lambda n: ngettext("Hid: %(count)s claim.", "Hid: %(count)s claims.", n) % {"count": n},
        )

    @admin.action(description=_("Restore hidden claims"))
    def restore_claims(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._each(
            request,
            queryset,
            lambda c: services.claim_restore(actor=request.user, claim=c),
            "Restored",
            lambda n: (
                ngettext("Restored: %(count)s claim.", "Restored: %(count)s claims.", n)
                % {"count": n}
            ),
        )

    @admin.action(description=_("Merge into a chosen claim…"))
    def merge_claims(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse | None:
        form = MergeForm(
            request.POST if "apply" in request.POST else None,
            admin_site=self.admin_site,
            claims=self.get_queryset(request),
            initial={"reason": _reason(request)},  # the why typed in the action bar
        )
        if "apply" in request.POST and form.is_valid():
            into = form.cleaned_data["into"]
            why = form.cleaned_data["reason"]
            done = 0
            for duplicate in queryset.select_related("debate"):
                try:
                    services.claim_merge(
                        actor=request.user, duplicate=duplicate, into=into, reason=why
                    )
                except (ValidationError, PermissionDenied) as error:
                    self.message_user(request, _refused_claim(duplicate, error), messages.ERROR)
                    continue
                message = f"Merged into claim {into.pk} ({into})"
                self.log_change(request, duplicate, f"{message}. Why: {why}" if why else message)
                self.log_change(request, into, f"Absorbed duplicate claim {duplicate.pk}.")
                done += 1
            if done:
                self.message_user(
                    request,
                    ngettext(
                        "Merged %(count)s claim into “%(into)s”.",
                        "Merged %(count)s claims into “%(into)s”.",
                        done,
                    )
                    % {"count": done, "into": into},
                )
            return None
        return _action_page(
            self, request, queryset, form, action="merge_claims", title=_("Merge duplicates")
        )

    @admin.action(description=_("Move under another parent…"))
    def move_claims(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse | None:
        form = MoveForm(
            request.POST if "apply" in request.POST else None,
            admin_site=self.admin_site,
            claims=self.get_queryset(request),
            initial={"reason": _reason(request)},  # the why typed in the action bar
        )
        if "apply" in request.POST and form.is_valid():
            parent = form.cleaned_data["parent"]
            stance = form.cleaned_data["stance"] or None
            why = form.cleaned_data["reason"]
            done = 0
            for claim in queryset.select_related("debate"):
                try:
                    services.claim_move(
                        actor=request.user, claim=claim, parent=parent, stance=stance
                    )
                except (ValidationError, PermissionDenied) as error:
                    self.message_user(
                        request,
                        gettext("“%(claim)s” was not moved: %(why)s")
                        % {"claim": claim, "why": _errors(error)},
                        messages.ERROR,
                    )
                    continue
                message = f"Moved under claim {parent.pk} ({parent})"
                self.log_change(request, claim, f"{message}. Why: {why}" if why else message)
                done += 1
            if done:
                self.message_user(
                    request,
                    ngettext(
                        "Moved %(count)s claim under “%(parent)s”.",
                        "Moved %(count)s claims under “%(parent)s”.",
                        done,
                    )
                    % {"count": done, "parent": parent},
                )
            return None
        return _action_page(
            self,
            request,
            queryset,
            form,
            action="move_claims",
            title=_("Move under another parent"),
        )

    @admin.action(description=_("Undo merge (revert)"))
    def unmerge_claims(self, request: HttpRequest, queryset: QuerySet) -> None:
        def unmerge(claim: Claim) -> None:
            merge = (
                Merge.objects.filter(duplicate=claim, reverted_at__isnull=True)
                .select_related("debate")
                .first()
            )
            if merge is None:
                raise ValidationError(_("This claim was not merged."))
            services.merge_revert(actor=request.user, merge=merge, reason=_reason(request))

        self._each(
            request,
            queryset,
            unmerge,
            "Undid the merge",
            lambda n: (
                ngettext(
                    "Undid the merge of %(count)s claim.",
                    "Undid the merges of %(count)s claims.",
                    n,
                )
                % {"count": n}
            ),
        )


@admin.register(Merge)
class MergeAdmin(ServiceSaves, admin.ModelAdmin):
    """The merges done, and a way to undo each as a unit."""

    action_form = ModerationActionForm
    list_display = ["__str__", "duplicate", "into", "merged_by", "created_at", "reverted_at"]
    list_filter = [("reverted_at", admin.EmptyFieldListFilter), "debate"]
    search_fields = ["duplicate__text", "into__text", "reason"]
    list_select_related = ["duplicate", "into", "merged_by"]
    readonly_fields = [
        "debate",
        "duplicate",
        "into",
        "merged_by",
        "reason",
        "vote_moves",
        "created_at",
        "reverted_at",
        "reverted_by",
    ]
    actions = ["revert_merges"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description=_("Revert selected merges"))
    def revert_merges(self, request: HttpRequest, queryset: QuerySet) -> None:
        for merge in queryset.select_related("debate", "duplicate"):
            try:
                services.merge_revert(actor=request.user, merge=merge, reason=_reason(request))
            except (ValidationError, PermissionDenied) as error:
                self.message_user(request, action_refused(merge, _errors(error)), messages.ERROR)
                continue
            _log(self, request, merge, "Reverted the merge")
            _log(self, request, merge.duplicate, f"Undid merge #{merge.pk}")
            self.message_user(request, gettext("Reverted merge %(merge)s.") % {"merge": merge})


@admin.register(Relation)
class RelationAdmin(ServiceRevertAdmin):
    """Read-only: relations change through moves, links and merges, which keep the forest."""

    list_display = ["child", "stance", "parent", "is_link", "is_hidden", "position"]
    list_filter = ["stance", "is_link", "is_hidden", "debate"]
    search_fields = ["child__text", "parent__text"]
    list_select_related = ["child", "parent"]
    raw_id_fields = ["parent", "child"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [f.name for f in Relation._meta.concrete_fields]


@admin.register(Source)
class SourceAdmin(ServiceRevertAdmin):
    list_display = ["title", "url", "kind", "publisher", "published"]
    list_filter = ["kind"]
    search_fields = ["title", "url", "author", "publisher"]


@admin.register(Citation)
class CitationAdmin(ServiceRevertAdmin):
    list_display = ["claim", "source", "locator", "is_hidden", "added_by"]
    list_filter = ["is_hidden"]
    search_fields = ["quote", "claim__text", "source__title"]
    list_select_related = ["claim", "source", "added_by"]
    raw_id_fields = ["claim"]
    autocomplete_fields = ["source"]


@admin.register(Vote)
class VoteAdmin(admin.ModelAdmin):
    list_display = ["user", "relation", "thesis", "value", "perspective", "updated_at"]
    list_filter = ["value"]
    search_fields = ["user__username"]
    raw_id_fields = ["relation", "thesis", "user", "perspective"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Votes change only through the service, which keeps the tallies in step.
        return False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Annotation)
class AnnotationAdmin(ServiceRevertAdmin):
    list_display = ["__str__", "author", "motivation", "visibility", "status", "is_orphaned"]
    list_filter = ["motivation", "visibility", "status", "is_orphaned"]
    search_fields = ["body", "exact", "author__username"]
    raw_id_fields = ["claim", "parent", "author"]


# -- flags -----------------------------------------------------------------------------------


class ReviewRequestedFilter(admin.SimpleListFilter):
    title = "review"
    parameter_name = "review"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list:
        return [("yes", "The author asked for a review")]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() == "yes":
            return queryset.filter(review_requested_at__isnull=False)
        return queryset


@admin.register(Flag)
class FlagAdmin(ServiceSaves, admin.ModelAdmin):
    """The flag queue: uphold (optionally hiding the item in the same step) or dismiss, with a
    resolution note in the "Why" field; the note is shown to the item's author."""

    action_form = ModerationActionForm
    list_display = [
        "__str__",
        "fallacy",
        "target",
        "debate",
        "reporter",
        "note",
        "review_requested_at",
        "created_at",
    ]
    list_filter = [
        "status",
        ReviewRequestedFilter,
        "reason",
        "fallacy",
        ("claim__debate", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["note", "claim__text", "annotation__body", "reporter__username"]
    list_select_related = ["claim__debate", "annotation__claim__debate", "reporter"]
    readonly_fields = [
        "reporter",
        "target",
        "reason",
        "fallacy",
        "fallacy_explanation",
        "duplicate_of",
        "note",
        "status",
        "handled_by",
        "handled_at",
        "resolution_note",
        "review_requested_at",
        "created_at",
    ]
    fields = tuple(readonly_fields)
    actions = ["uphold_flags", "uphold_and_hide", "dismiss_flags"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        # Open flags first, oldest first within them: the queue a moderator works through.
        return super().get_queryset(request).order_by("-status", "created_at")

    @admin.display(description=_("flagged item"))
    def target(self, flag: Flag) -> str:
        item = flag.claim if flag.claim_id else flag.annotation
        return _change_link(item) if item is not None else "—"

    @admin.display(description=_("debate"))
    def debate(self, flag: Flag) -> str:
        claim = flag.flagged_claim
        return str(claim.debate)

    @admin.display(description=_("what the fallacy is"))
    def fallacy_explanation(self, flag: Flag) -> str:
        english = Flag.FALLACY_EXPLANATIONS.get(flag.fallacy, "") if flag.fallacy else ""
        return gettext(english) if english else "—"

    def _resolve(
        self, request: HttpRequest, queryset: QuerySet, *, uphold: bool, hide: bool
    ) -> None:
        note = _reason(request)
        verb = "Upheld" + (" and hid the item" if hide else "") if uphold else "Dismissed"
        done = 0
        for flag in queryset.select_related("claim__debate", "annotation__claim__debate"):
            try:
                services.flag_resolve(
                    actor=request.user, flag=flag, uphold=uphold, note=note, hide=hide
                )
            except (ValidationError, PermissionDenied) as error:
                self.message_user(request, action_refused(flag, _errors(error)), messages.ERROR)
                continue
            _log(self, request, flag, verb)
            if hide and flag.claim_id:
                _log(self, request, flag.claim, f"Hid after upholding flag {flag.pk}")
            done += 1
        if done:
            self.message_user(request, _flags_resolved(done, uphold=uphold, hide=hide))

    @admin.action(description=_("Uphold (the note in “Why” is shown to the author)"))
    def uphold_flags(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._resolve(request, queryset, uphold=True, hide=False)

    @admin.action(description=_("Uphold and hide the item"))
    def uphold_and_hide(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._resolve(request, queryset, uphold=True, hide=True)

    @admin.action(description=_("Dismiss"))
    def dismiss_flags(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._resolve(request, queryset, uphold=False, hide=False)


@admin.register(Membership)
class MembershipAdmin(ServiceSaves, admin.ModelAdmin):
    list_display = ["user", "debate", "role", "created_at"]
    list_filter = ["role"]
    search_fields = ["user__username", "debate__title"]
    autocomplete_fields = ["user", "debate"]


class AccountAdmin(UserAdmin):
    """Django's user admin, able to delete an account that has voted: its votes leave with
    it, their tallies fixed in the same transaction (`services.account_leave`, run for every
    deletion of a user); its flags stay, without a reporter. A rename goes through
    `account_save`, which moves the debates that show the name."""

    def save_model(self, request: HttpRequest, obj: Any, form: forms.Form, change: bool) -> None:
        services.account_save(actor=request.user, account=obj)

    def get_deleted_objects(
        self, objs: Any, request: HttpRequest
    ) -> tuple[list[Any], dict[str, int], set[str], list[Any]]:
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        perms_needed.discard(Vote._meta.verbose_name)  # nobody deletes votes by hand
        return deleted, counts, perms_needed, protected


@admin.register(Perspective)
class PerspectiveAdmin(ServiceSaves, admin.ModelAdmin):
    """Groups and named perspectives (docs/ARCHITECTURE.md, "Perspectives"). A group's
    members are shown, not edited: the settings page's service moves the group's version,
    which keys the strengths held for it."""

    list_display = ["name", "kind", "debate", "created_by", "created_at"]
    list_filter = ["kind"]
    search_fields = ["name", "debate__title"]
    list_select_related = ["debate", "created_by"]
    raw_id_fields = ["debate", "created_by"]
    readonly_fields = ["members", "version"]


admin.site.unregister(get_user_model())
admin.site.register(get_user_model(), AccountAdmin)


@admin.register(Tag)
class TagAdmin(ServiceSaves, admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Snapshot)
class SnapshotAdmin(admin.ModelAdmin):
    """Frozen versions, shown and never changed: a citation of one must keep its meaning
    (the model refuses a change too). Owners and moderators take them on the settings page."""

    list_display = ["debate", "number", "reason", "taken_by", "taken_at", "claim_count"]
    list_filter = ["reason"]
    search_fields = ["debate__title", "debate__slug"]
    list_select_related = ["debate", "taken_by"]
    exclude = ["document"]  # the compressed whole debate: its hash says what it is
    readonly_fields = ["sha256"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


# The LTI pages (course links, scores sent) live with the LTI tool.
from arguments.lti import admin as lti_admin  # noqa: E402, F401
