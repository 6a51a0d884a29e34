"""LTI Assignment and Grade Services: participation scores sent to the course's gradebook.

A teacher links a debate as *graded* in the deep-linking picker; the content item carries a
`lineItem` and the platform makes a gradebook column for it. Its launches then name that
line item (the AGS claim's `lineitem`), which `course_activity_record` keeps with the
debate, and each launching learner gets a `ScoreReport` row: our outbox.

Nothing here runs in a student's request. `scores_send` (`manage.py lti_sync_scores`, run
every few minutes by cron; and, for one learner, a little after their writes in the LMS
frame: arguments.lti.scores_soon) recomputes each learner's points from what the debate holds now
(so approvals, hides and merges count too), posts the scores that changed, one access token
per platform per run (OAuth 2 client credentials with a JWT assertion signed with our key,
scopes line item and score), and keeps what was sent; a failure is kept with its error and
retried later, waiting twice as long after each failure in a row (up to a day).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

import requests
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from lti_tool.models import LtiRegistration
from pylti1p3.assignments_grades import AssignmentsGradesService
from pylti1p3.exception import LtiException, LtiServiceException
from pylti1p3.grade import Grade
from pylti1p3.service_connector import ServiceConnector

from arguments.models import (
    CourseActivity,
    Debate,
    GradeFormula,
    ScoreReport,
)
from arguments.reading.activity import AsOf, activity_of
from arguments.reading.tasks import completion_by_user
from arguments.rules.permissions import Action, require
from arguments.services.lti import PlatformSession

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User
    from lti_tool.models import LtiResourceLink

    AnyUser = User | AnonymousUser

# Final: their literal types are the ones pylti1p3's service data accepts.
SCOPE_LINEITEM: Final = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"
SCOPE_SCORE: Final = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
SCORE_MAXIMUM = 100  # the deep-linked line item's scoreMaximum; scores are out of it too
RETRY_FIRST = dt.timedelta(minutes=1)
RETRY_LONGEST = dt.timedelta(days=1)

# Points per act, by formula: (claims, sources, votes, notes). docs/EMBEDDING.md shows them.
WEIGHTS: dict[str, tuple[int, int, int, int]] = {
    GradeFormula.PARTICIPATION: (1, 1, 1, 1),
    GradeFormula.ARGUMENTS: (3, 2, 1, 1),
    GradeFormula.CLAIMS: (1, 0, 0, 0),
}


@dataclass(frozen=True)
class Participation:
    """What one person did in a debate that counts for a grade."""

    claims: int = 0
    sources: int = 0
    votes: int = 0
    notes: int = 0
    released_grade: int | None = None  # the overall grade, once released to them
    tasks_done: int = 0  # the debate's tasks they have completed
    tasks_total: int = 0  # the debate's tasks

    def points(self, formula: str) -> int:
        weights = WEIGHTS.get(formula, WEIGHTS[GradeFormula.PARTICIPATION])
        counts = (self.claims, self.sources, self.votes, self.notes)
        return sum(w * n for w, n in zip(weights, counts, strict=True))


def participation_by_user(
    debate: Debate, user_ids: list[int], at: AsOf | None = None
) -> dict[int, Participation]:
    """Each user's published claims, citations on published claims, votes and published
    notes in the debate, and the tasks they completed: the figures of the activity page
    (one place counts them); `at` a snapshot, as of it (`reading.activity.as_of`)."""
    done = {row.user_id: row for row in activity_of(debate, at)}
    tasks_total, complete = completion_by_user(debate)
    return {
        uid: Participation(
            done[uid].claims,
            done[uid].sources,
            done[uid].votes,
            done[uid].notes,
            done[uid].grade if done[uid].released else None,
            complete.get(uid, 0),
            tasks_total,
        )
        if uid in done
        else Participation(tasks_total=tasks_total)
        for uid in user_ids
    }


def score_of(debate: Debate, participation: Participation) -> float | None:
    """The score out of SCORE_MAXIMUM: full marks at the debate's `grade_full_marks`; or,
    where the teacher chose their own grade, that grade on the debate's scale (None, nothing
    to send, before it is given and released); or, by tasks, the share of the debate's tasks
    completed (None while the debate has no task)."""
    if debate.grade_formula == GradeFormula.TASKS:
        if not participation.tasks_total:
            return None
        share = min(participation.tasks_done, participation.tasks_total)
        return round(SCORE_MAXIMUM * share / participation.tasks_total, 2)
    if debate.grade_formula == GradeFormula.RELEASED_GRADE:
        grade = participation.released_grade
        if grade is None:
            return None
        return round(SCORE_MAXIMUM * min(grade, debate.grade_scale) / debate.grade_scale, 2)
    points = participation.points(debate.grade_formula)
    full = max(debate.grade_full_marks, 1)
    return round(SCORE_MAXIMUM * min(points, full) / full, 2)


@transaction.atomic
def course_activity_record(
    *,
    debate: Debate,
    resource_link: LtiResourceLink,
    ags: dict[str, Any] | None,
    learner: tuple[User, str] | None,
) -> CourseActivity:
    """Keep a launch's course link to the debate, its line item when graded, and the
    launching learner (user, subject) as one to score. Called by the launch, in its
    transaction; `ags` is the launch's (shape-checked) grade services claim."""
    ags = ags or {}
    lineitem = str(ags.get("lineitem") or "")
    scopes = [scope for scope in ags.get("scope") or [] if isinstance(scope, str)]
    activity, _created = CourseActivity.objects.update_or_create(
        resource_link=resource_link,
        defaults={"debate": debate, "lineitem_url": lineitem, "scopes": scopes},
    )
    if lineitem and learner is not None:
        user, sub = learner
        ScoreReport.objects.update_or_create(activity=activity, user=user, defaults={"sub": sub})
    return activity


@transaction.atomic
def debate_grading_set(*, actor: AnyUser, debate: Debate, formula: str, full_marks: int) -> Debate:
    """Choose how participation becomes a grade (moderators); scores follow at the next send."""
    require(actor, Action.MODERATE, debate)
    if formula not in GradeFormula.values:
        raise ValidationError({"grade_formula": _("Choose one of the formulas.")})
    debate.grade_formula = formula
    debate.grade_full_marks = full_marks
    debate.full_clean(validate_unique=False, validate_constraints=False)
    debate.save(update_fields=["grade_formula", "grade_full_marks", "updated_at"])
    return debate


@dataclass
class SendSummary:
    """What one run of `scores_send` did."""

    sent: int = 0
    unchanged: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)


def _failure(error: Exception) -> str:
    if isinstance(error, LtiServiceException):
        return f"The platform answered {error.response.status_code}: {error.response.text[:300]}"
    return f"{type(error).__name__}: {error}"[:500]


def scores_send(
    *,
    debate: Debate | None = None,
    user_id: int | None = None,
    resend: bool = False,
    now: dt.datetime | None = None,
) -> SendSummary:
    """Post the learners' changed scores to their courses' line items (all scores with
    `resend`; one learner's with `user_id`); keep what was sent, or the failure and when to
    retry."""
    now = now or timezone.now()
    summary = SendSummary()
    activities = CourseActivity.objects.exclude(lineitem_url="").select_related(
        "debate", "resource_link__context__deployment__registration"
    )
    if debate is not None:
        activities = activities.filter(debate=debate)
    connectors: dict[int, ServiceConnector] = {}  # one access token per platform per run
    for activity in activities:
        reports = list(
            activity.scores.filter(user_id=user_id) if user_id else activity.scores.all()
        )
        if not resend:
            reports = [r for r in reports if r.retry_at is None or r.retry_at <= now]
        if not reports:
            continue
        done = participation_by_user(activity.debate, [r.user_id for r in reports])
        registration = activity.resource_link.context.deployment.registration
        for report in reports:
            score = score_of(activity.debate, done[report.user_id])
            if score is None or (not resend and not report.error and report.sent_score == score):
                summary.unchanged += 1
                continue
            try:
                connector = connectors.get(registration.pk)
                if connector is None:
                    connector = connectors[registration.pk] = _connector(registration)
                _post_score(connector, activity, report.sub, score, now)
            except (LtiException, requests.RequestException, ValueError, KeyError) as error:
                report.attempts += 1
                report.error = _failure(error)
                wait = min(RETRY_FIRST * 2 ** (report.attempts - 1), RETRY_LONGEST)
                report.retry_at = now + wait
                summary.failed += 1
                summary.errors.append(f"{report.sub}: {report.error}")
            else:
                report.sent_score, report.sent_at = score, now
                report.error, report.attempts, report.retry_at = "", 0, None
                summary.sent += 1
            report.save(update_fields=["sent_score", "sent_at", "error", "attempts", "retry_at"])
    return summary


def _connector(registration: LtiRegistration) -> ServiceConnector:
    return ServiceConnector(
        registration.to_registration(), requests_session=PlatformSession(registration)
    )


def _post_score(
    connector: ServiceConnector,
    activity: CourseActivity,
    sub: str,
    score: float,
    now: dt.datetime,
) -> None:
    # Ask only for what sending a score needs, whatever else the launch granted.
    service = AssignmentsGradesService(
        connector,
        {
            "scope": [s for s in (SCOPE_LINEITEM, SCOPE_SCORE) if s in activity.scopes],
            "lineitem": activity.lineitem_url,
        },
    )
    grade = (
        Grade()
        .set_user_id(sub)
        .set_score_given(score)
        .set_score_maximum(SCORE_MAXIMUM)
        # A participation grade is never final: the student may take part again.
        .set_activity_progress("InProgress")
        .set_grading_progress("FullyGraded")
        .set_timestamp(now.isoformat(timespec="milliseconds"))
    )
    service.put_grade(grade)
