"""The moderators' admin at /moderate/: the Django admin, scoped to the debates one moderates.

DESIGN.md has moderators keep order "through the admin", but `/admin/` is for site staff. This
second `AdminSite` lets in every signed-in user who owns or moderates at least one debate
(`selectors.moderated_debate_ids`, the same rule as `permissions.role_in`), and shows them
only those debates and, within them, claims, relations, flags, notes, merges, sources cited
there, members and share links. It reuses the staff admin's ModelAdmins (arguments/admin.py):
every action (approve, hide, restore, merge, move, undo a merge, lock, close, resolve a flag,
revert a version) goes through the same services with the moderator as the actor, so the
services' own `permissions.require` is a second wall behind the scoping here.

Scoping is three things for each model: `get_queryset` (lists, change forms, actions, the
autocomplete, which reads the related admin's queryset), object-level `has_*_permission`
(simple_history's history pages fall back to a past version when the row is not in the
queryset, so the object itself is checked), and list filters that list only what the
queryset holds (`RelatedOnlyFieldListFilter`: a plain "debate" filter would list every
debate's title). `tests/test_moderation_admin.py` walks every page and action as a moderator
of one debate and proves nothing of another is reachable.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar, cast

from django.contrib import admin, messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from arguments import selectors
from arguments.admin import (
    SERVING_SITE,
    AnnotationAdmin,
    CitationInline,
    ClaimAdmin,
    DebateAdmin,
    FlagAdmin,
    MergeAdmin,
    RelationAdmin,
    SourceAdmin,
    action_refused,
)
from arguments.models import (
    Annotation,
    Claim,
    Debate,
    Flag,
    Membership,
    Merge,
    Relation,
    ShareLink,
    Source,
    WriteRequest,
)
from arguments.services.write_requests import write_request_decide

if TYPE_CHECKING:
    from django.db.models import Model


ViewType = TypeVar("ViewType", bound=Callable[..., HttpResponseBase])


def moderated(request: HttpRequest) -> list[int]:
    """The debates the signed-in user moderates, read once per request."""
    memo = request.__dict__.get("_moderated_debates")
    if memo is None:
        memo = selectors.moderated_debate_ids(request.user)
        request.__dict__["_moderated_debates"] = memo
    return memo


class ModerationSite(admin.AdminSite):
    """The admin for owners and moderators of debates (not only site staff)."""

    site_header = "Moderation: your debates"
    site_title = "Moderation"
    index_title = "The debates you moderate"
    site_url = "/"
    enable_nav_sidebar = False

    def has_permission(self, request: HttpRequest) -> bool:
        user = request.user
        return user.is_active and user.is_authenticated and bool(moderated(request))

    def admin_view(self, view: ViewType, cacheable: bool = False) -> ViewType:
        """Every page of this site: links made in Python (`admin._change_link`) and in
        templates (`request.current_app`) stay on it."""
        inner = super().admin_view(view, cacheable)

        def scoped_view(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            request.current_app = self.name
            token = SERVING_SITE.set(self.name)
            try:
                response = inner(request, *args, **kwargs)
                if isinstance(response, TemplateResponse) and not response.is_rendered:
                    response.render()  # while the links know which site they are on
                return response
            finally:
                SERVING_SITE.reset(token)

        return cast("ViewType", scoped_view)

    def login(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        # The site's own sign-in (allauth), not the admin's staff-only form; someone signed
        # in who moderates nothing is told so rather than sent round to sign in again.
        if request.user.is_authenticated:
            if self.has_permission(request):
                return redirect(reverse("moderation:index"))
            raise PermissionDenied(_("You moderate no debate: this is for debates' moderators."))
        return redirect_to_login(request.GET.get("next") or reverse("moderation:index"))


site = ModerationSite(name="moderation")


def _debate_id(obj: Model) -> int | None:
    """The debate an item belongs to (None for a source: those are shared)."""
    if isinstance(obj, Debate):
        return obj.pk
    if isinstance(obj, Claim | Relation | Merge | Membership | ShareLink | WriteRequest):
        return obj.debate_id
    if isinstance(obj, Annotation):
        return obj.claim.debate_id
    if isinstance(obj, Flag):
        return obj.flagged_claim.debate_id
    return None


class Scoped:
    """What every scoped ModelAdmin does: its rows only within the debates one moderates
    (`debate_path` names the way to the debate), nothing added or deleted."""

    admin_site: admin.AdminSite
    debate_path = "debate"  # from a row to its debate's id, in the ORM's words
    editable: bool = False  # change forms (else every page is read-only)

    def scope(self, debate_ids: list[int]) -> Q:
        return Q(**{f"{self.debate_path}__in": debate_ids})

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        queryset = super().get_queryset(request)  # type: ignore[misc]  # a ModelAdmin's
        return queryset.filter(self.scope(moderated(request))).distinct()

    def _reaches(self, request: HttpRequest, obj: Model | None) -> bool:
        if not self.admin_site.has_permission(request):
            return False
        if obj is None:
            return True
        debate_id = _debate_id(obj)
        if debate_id is None:  # a source: through a citation in a debate one moderates
            return self.get_queryset(request).filter(pk=obj.pk).exists()
        return debate_id in moderated(request)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self.admin_site.has_permission(request)

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self._reaches(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self.editable and self._reaches(request, obj)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


class ReadOnlyCitations(CitationInline):
    """A claim's citations, shown (sources change on the site, where they are checked)."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Debate, site=site)
class ScopedDebateAdmin(Scoped, DebateAdmin):
    """The debates one moderates: read-only (their owner changes them on the settings page),
    with the lock, reopen and close actions."""

    debate_path = "pk"
    list_editable: list[str] = []
    list_filter = ["visibility", "status", "requires_approval"]
    prepopulated_fields: dict[str, list[str]] = {}
    autocomplete_fields: list[str] = []  # read-only: no account picker (nor list of accounts)
    inlines = []


@admin.register(Claim, site=site)
class ScopedClaimAdmin(Scoped, ClaimAdmin):
    debate_path = "debate"
    editable = True  # rewording, through claim_edit and the refusal it asks
    inlines = [ReadOnlyCitations]
    list_filter = [
        filter_
        for filter_ in ClaimAdmin.list_filter
        if filter_ != "debate"  # every debate's title: replaced by what the list holds
    ] + [("debate", admin.RelatedOnlyFieldListFilter)]


@admin.register(Relation, site=site)
class ScopedRelationAdmin(Scoped, RelationAdmin):
    debate_path = "debate"
    list_filter = [
        "stance",
        "is_link",
        "is_hidden",
        ("debate", admin.RelatedOnlyFieldListFilter),  # type: ignore[list-item]  # stubs: names
    ]


@admin.register(Merge, site=site)
class ScopedMergeAdmin(Scoped, MergeAdmin):
    debate_path = "debate"
    list_filter = [
        ("reverted_at", admin.EmptyFieldListFilter),
        ("debate", admin.RelatedOnlyFieldListFilter),
    ]


@admin.register(Flag, site=site)
class ScopedFlagAdmin(Scoped, FlagAdmin):
    def scope(self, debate_ids: list[int]) -> Q:
        # A flag is on a claim or on a note.
        return Q(claim__debate__in=debate_ids) | Q(annotation__claim__debate__in=debate_ids)


@admin.register(Annotation, site=site)
class ScopedAnnotationAdmin(Scoped, AnnotationAdmin):
    """Notes: a moderator may hide one or change who sees it (through `admin_save`); where
    it stands and who wrote it stay as they are."""

    debate_path = "claim__debate"
    editable = True
    raw_id_fields: list[str] = []
    readonly_fields = [
        "claim",
        "parent",
        "author",
        "exact",
        "prefix",
        "suffix",
        "start",
        "end",
        "is_orphaned",
    ]


@admin.register(Source, site=site)
class ScopedSourceAdmin(Scoped, SourceAdmin):
    """The sources cited in one's debates, read-only: a source is shared by every debate
    that cites it, so only site staff change it."""

    debate_path = "citations__claim__debate"


@admin.register(Membership, site=site)
class ScopedMembershipAdmin(Scoped, admin.ModelAdmin):
    """Members and roles, read-only here: the settings page changes them, by the rules of
    `permissions.grantable_roles`."""

    debate_path = "debate"
    list_display = ["user", "debate", "role", "created_at"]
    list_filter = ["role", ("debate", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["user__username", "user__first_name"]
    list_select_related = ["user", "debate"]


@admin.register(ShareLink, site=site)
class ScopedShareLinkAdmin(Scoped, admin.ModelAdmin):
    """Share links, read-only here: the share page makes, switches and revokes them."""

    debate_path = "debate"
    list_display = ["debate", "role", "instant_access", "is_active", "revoked_at", "uses"]
    list_filter = ["role", "is_active", ("debate", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["debate"]


@admin.register(WriteRequest, site=site)
class ScopedWriteRequestAdmin(Scoped, admin.ModelAdmin):
    """Requests to write (issue 37), read-only but for the two actions, which decide them
    through the same service as the settings page's buttons."""

    debate_path = "debate"
    list_display = ["user", "debate", "status", "message", "created_at"]
    list_filter = ["status", ("debate", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["user__username", "user__first_name", "message"]
    list_select_related = ["user", "debate"]
    actions = ["accept_requests", "decline_requests"]

    def _decide(self, request: HttpRequest, queryset: QuerySet, *, accept: bool) -> None:
        done = 0
        for row in queryset.select_related("debate"):
            try:
                write_request_decide(actor=request.user, request=row, accept=accept)
            except ValidationError as error:
                why = " ".join(error.messages)
                self.message_user(request, action_refused(row, why), messages.ERROR)
                continue
            except PermissionDenied as error:
                self.message_user(request, action_refused(row, str(error)), messages.ERROR)
                continue
            done += 1
        if done:
            told = (
                ngettext(
                    "Accepted %(count)s request to write.",
                    "Accepted %(count)s requests to write.",
                    done,
                )
                if accept
                else ngettext(
                    "Declined %(count)s request to write.",
                    "Declined %(count)s requests to write.",
                    done,
                )
            )
            self.message_user(request, told % {"count": done})

    @admin.action(description=_("Accept: they become writers"))
    def accept_requests(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._decide(request, queryset, accept=True)

    @admin.action(description=_("Decline"))
    def decline_requests(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._decide(request, queryset, accept=False)
