"""The admin: every model, with list displays, filters and search for moderators."""

from __future__ import annotations

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from arguments.models import (
    Annotation,
    Citation,
    Claim,
    Debate,
    Flag,
    Membership,
    Relation,
    Source,
    Vote,
)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Debate)
class DebateAdmin(SimpleHistoryAdmin):
    list_display = ["title", "slug", "owner", "visibility", "status", "updated_at"]
    list_filter = ["visibility", "status", "voting_enabled", "requires_approval"]
    search_fields = ["title", "slug", "description"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["owner"]
    inlines = [MembershipInline]
    readonly_fields = ["structure_version", "created_at", "updated_at"]


class ParentRelationInline(admin.TabularInline):
    model = Relation
    fk_name = "child"
    extra = 0
    fields = ["parent", "stance", "is_link", "is_hidden", "position"]
    raw_id_fields = ["parent"]
    verbose_name = "place in the debate"
    verbose_name_plural = "places in the debate"


class CitationInline(admin.TabularInline):
    model = Citation
    extra = 0
    fields = ["source", "quote", "locator", "is_hidden"]
    autocomplete_fields = ["source"]


@admin.register(Claim)
class ClaimAdmin(SimpleHistoryAdmin):
    list_display = ["text", "debate", "is_thesis", "status", "author", "created_at"]
    list_filter = ["status", "is_thesis", "debate"]
    search_fields = ["text", "elaboration", "author__username"]
    list_select_related = ["debate", "author"]
    raw_id_fields = ["merged_into"]
    autocomplete_fields = ["author", "debate"]
    inlines = [ParentRelationInline, CitationInline]
    readonly_fields = ["created_at", "updated_at", *Claim.TALLY_FIELDS]


@admin.register(Relation)
class RelationAdmin(SimpleHistoryAdmin):
    list_display = ["child", "stance", "parent", "is_link", "is_hidden", "position"]
    list_filter = ["stance", "is_link", "is_hidden", "debate"]
    search_fields = ["child__text", "parent__text"]
    list_select_related = ["child", "parent"]
    raw_id_fields = ["parent", "child"]
    readonly_fields = list(Relation.TALLY_FIELDS)


@admin.register(Source)
class SourceAdmin(SimpleHistoryAdmin):
    list_display = ["title", "url", "kind", "publisher", "published"]
    list_filter = ["kind"]
    search_fields = ["title", "url", "author", "publisher"]


@admin.register(Citation)
class CitationAdmin(SimpleHistoryAdmin):
    list_display = ["claim", "source", "locator", "is_hidden", "added_by"]
    list_filter = ["is_hidden"]
    search_fields = ["quote", "claim__text", "source__title"]
    list_select_related = ["claim", "source", "added_by"]
    raw_id_fields = ["claim"]
    autocomplete_fields = ["source"]


@admin.register(Vote)
class VoteAdmin(admin.ModelAdmin):
    list_display = ["user", "relation", "thesis", "value", "updated_at"]
    list_filter = ["value"]
    search_fields = ["user__username"]
    raw_id_fields = ["relation", "thesis", "user"]

    def has_change_permission(self, request, obj=None) -> bool:
        # Votes change only through the service, which keeps the tallies in step.
        return False

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(Annotation)
class AnnotationAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "author", "motivation", "visibility", "status", "is_orphaned"]
    list_filter = ["motivation", "visibility", "status", "is_orphaned"]
    search_fields = ["body", "exact", "author__username"]
    raw_id_fields = ["claim", "parent", "author"]


@admin.register(Flag)
class FlagAdmin(admin.ModelAdmin):
    list_display = ["__str__", "claim", "annotation", "fallacy", "reporter", "created_at"]
    list_filter = ["status", "reason", "fallacy"]
    search_fields = ["note", "claim__text", "reporter__username"]
    raw_id_fields = ["claim", "annotation", "duplicate_of", "reporter", "handled_by"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "debate", "role", "created_at"]
    list_filter = ["role"]
    search_fields = ["user__username", "debate__title"]
    autocomplete_fields = ["user", "debate"]
