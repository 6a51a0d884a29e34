"""The admin's LTI pages (arguments/admin.py imports this module): the courses that link a
debate, and the scores sent to their gradebooks. Read-mostly: launches and rosters write
these rows, and `lti_sync_scores` sends scores; an administrator can see what was sent or
why it failed, and send scores again."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypedDict

from django.contrib import admin, messages
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from arguments.models import CourseActivity, ScoreReport
from arguments.services.grades import scores_send

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


class LearnerCount(TypedDict):
    """What the course list's queryset adds to each course link."""

    learner_count: int


class ReadMostlyAdmin(admin.ModelAdmin):
    """Rows only the LTI flow writes: viewed and deleted here, never added or edited."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(CourseActivity)
class CourseActivityAdmin(ReadMostlyAdmin):
    list_display = ["course", "debate", "platform", "graded", "learners", "updated_at"]
    list_filter = ["resource_link__context__deployment__registration"]
    search_fields = ["debate__title", "resource_link__context__title", "lineitem_url"]
    list_select_related = ["debate", "resource_link__context__deployment__registration"]
    readonly_fields = ["debate", "resource_link", "lineitem_url", "scopes", "created_at"]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).annotate(learner_count=Count("scores"))

    @admin.display(description=_("course"), ordering="resource_link__context__title")
    def course(self, obj: CourseActivity) -> str:
        context = obj.resource_link.context
        return f"{context.title or context.id_on_platform} · {obj.resource_link.title or ''}"

    @admin.display(description=_("platform"))
    def platform(self, obj: CourseActivity) -> str:
        return obj.resource_link.context.deployment.registration.name

    @admin.display(description=_("graded"), boolean=True)
    def graded(self, obj: CourseActivity) -> bool:
        return bool(obj.lineitem_url)

    @admin.display(description=_("learners scored"), ordering="learner_count")
    def learners(self, obj: WithAnnotations[CourseActivity, LearnerCount]) -> int:
        return obj.learner_count


class FailingFilter(admin.SimpleListFilter):
    title = "sending"
    parameter_name = "sending"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("failing", "Failing"), ("sent", "Sent"), ("waiting", "Not sent yet")]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() == "failing":
            return queryset.exclude(error="")
        if self.value() == "sent":
            return queryset.filter(error="", sent_at__isnull=False)
        if self.value() == "waiting":
            return queryset.filter(error="", sent_at__isnull=True)
        return queryset


@admin.register(ScoreReport)
class ScoreReportAdmin(ReadMostlyAdmin):
    list_display = ["sub", "user", "debate", "sent_score", "sent_at", "failure", "retry_at"]
    list_filter = [FailingFilter, "activity__debate"]
    search_fields = ["sub", "user__username", "activity__debate__title"]
    list_select_related = ["user", "activity__debate"]
    readonly_fields = [
        "activity",
        "user",
        "sub",
        "sent_score",
        "sent_at",
        "error",
        "attempts",
        "retry_at",
    ]
    actions = ["send_again"]

    @admin.display(description=_("debate"), ordering="activity__debate__title")
    def debate(self, obj: ScoreReport) -> str:
        return obj.activity.debate.title

    @admin.display(description=_("failure"))
    def failure(self, obj: ScoreReport) -> str:
        if not obj.error:
            return ""
        return ngettext(
            "%(error)s (failed %(count)s time in a row)",
            "%(error)s (failed %(count)s times in a row)",
            obj.attempts,
        ) % {"error": obj.error[:80], "count": obj.attempts}

    @admin.action(description=_("Send these scores again now"))
    def send_again(self, request: HttpRequest, queryset: QuerySet) -> None:
        # Forget what was sent and any wait: the send below (or, if it fails, the next
        # `lti_sync_scores`) posts them whatever their score.
        queryset.update(sent_score=None, retry_at=None)
        debates = {report.activity.debate for report in queryset.select_related("activity")}
        sent = failed = 0
        for debate in debates:
            summary = scores_send(debate=debate)
            sent, failed = sent + summary.sent, failed + summary.failed
        level = messages.WARNING if failed else messages.SUCCESS
        self.message_user(
            request,
            gettext("Scores sent: %(sent)s; failed: %(failed)s.")
            % {"sent": sent, "failed": failed},
            level,
        )
