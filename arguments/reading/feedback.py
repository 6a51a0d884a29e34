"""Feedback and grades as one reader may see them: a teacher sees and writes all of it; a
participant reads what was written about their own work once it is released to them
(`permissions.sees_feedback`); nobody else reads any of it.

Each read is one or two queries, whatever the debate's size.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db.models import Avg, Count

from arguments.models import ClaimFeedback, ParticipantGrade
from arguments.reading.markup import render_markdown
from arguments.rules.permissions import Action, sees_feedback

if TYPE_CHECKING:
    from arguments.models import Debate
    from arguments.reading.lens import Lens


def released_to(debate: Debate, user_id: int | None) -> bool:
    """Whether the participant's feedback and grades are released to them (for the whole
    debate, or to them alone)."""
    if user_id is None:
        return False
    if debate.grades_released_at is not None:
        return True
    return ParticipantGrade.objects.filter(
        debate=debate, user_id=user_id, released_at__isnull=False
    ).exists()


@dataclass(frozen=True)
class FeedbackPanel:
    """What a reader is shown of one claim's feedback."""

    claim_id: int
    author_name: str  # the claim's author as the reader names them (pseudonyms)
    body: str
    body_html: str
    grade: int | None
    scale: int
    released: bool  # to the claim's author
    may_write: bool  # the reader is a teacher here: the form is theirs


def panel_for(lens: Lens, claim_id: int) -> FeedbackPanel | None:
    """The feedback on a claim the reader knows of, when they may read it; else None."""
    node = lens.structure.nodes.get(claim_id)
    if node is None or node.author_id is None or not lens.knows(claim_id):
        return None
    released = released_to(lens.debate, node.author_id)
    if not sees_feedback(
        user_id=lens.user_id, author_id=node.author_id, moderates=lens.moderates, released=released
    ):
        return None
    row = ClaimFeedback.objects.filter(claim_id=claim_id).values_list("body", "grade").first()
    body, grade = row if row is not None else ("", None)
    return FeedbackPanel(
        claim_id=claim_id,
        author_name=lens.author_name(node.author_id, node.author),
        body=body,
        body_html=render_markdown(body) if body else "",
        grade=grade,
        scale=lens.debate.grade_scale,
        released=released,
        may_write=lens.may(Action.GIVE_FEEDBACK, claim=node),
    )


@dataclass(frozen=True)
class ClaimNote:
    """One claim's feedback in a participant's list."""

    claim_id: int
    text: str
    body_html: str
    grade: int | None


@dataclass(frozen=True)
class MyFeedback:
    """Everything released to one participant in a debate (empty before the release)."""

    released: bool
    scale: int
    grade: int | None = None
    comment_html: str = ""
    claims: list[ClaimNote] = field(default_factory=list)


def feedback_of(lens: Lens) -> MyFeedback:
    """The reader's own feedback and grades in the debate, once released to them: the claims
    they still know of (a claim they no longer know of keeps its feedback out of sight)."""
    debate, user_id = lens.debate, lens.user_id
    own = (
        ParticipantGrade.objects.filter(debate=debate, user_id=user_id)
        .values_list("grade", "comment", "released_at")
        .first()
        if user_id is not None
        else None
    )
    released = user_id is not None and (
        debate.grades_released_at is not None or (own is not None and own[2] is not None)
    )
    if not released:
        return MyFeedback(released=False, scale=debate.grade_scale)
    rows = ClaimFeedback.objects.filter(debate=debate, claim__author_id=user_id).values_list(
        "claim_id", "claim__text", "body", "grade"
    )
    claims = [
        ClaimNote(claim_id, text, render_markdown(body) if body else "", grade)
        for claim_id, text, body, grade in rows.order_by("claim_id")
        if lens.knows(claim_id)
    ]
    grade, comment = (own[0], own[1]) if own is not None else (None, "")
    return MyFeedback(
        released=True,
        scale=debate.grade_scale,
        grade=grade,
        comment_html=render_markdown(comment) if comment else "",
        claims=claims,
    )


@dataclass(frozen=True)
class Grades:
    """One participant's grades, for the teacher's activity table and its CSV."""

    grade: int | None = None  # the overall grade
    comment: str = ""
    released: bool = False
    graded_claims: int = 0
    claim_grade_mean: float | None = None


def grades_by_user(debate: Debate) -> dict[int, Grades]:
    """Every participant's overall grade, release and claim grades: two grouped queries."""
    overall = {
        user_id: (grade, comment, released_at)
        for user_id, grade, comment, released_at in ParticipantGrade.objects.filter(
            debate=debate
        ).values_list("user_id", "grade", "comment", "released_at")
    }
    on_claims = {
        author_id: (n, mean)
        for author_id, n, mean in ClaimFeedback.objects.filter(
            debate=debate, grade__isnull=False, claim__author__isnull=False
        )
        .values_list("claim__author_id")
        .annotate(n=Count("id"), mean=Avg("grade"))
        .values_list("claim__author_id", "n", "mean")
    }
    everyone = debate.grades_released_at is not None
    grades = {}
    for user_id in set(overall) | set(on_claims):
        grade, comment, released_at = overall.get(user_id, (None, "", None))
        n, mean = on_claims.get(user_id, (0, None))
        grades[user_id] = Grades(
            grade=grade,
            comment=comment,
            released=everyone or released_at is not None,
            graded_claims=n,
            claim_grade_mean=round(mean, 2) if mean is not None else None,
        )
    return grades


def offers_feedback(lens: Lens, claim_id: int) -> bool:
    """Whether a claim's page links to its feedback, without a query: for a teacher who may
    write it, and for its author once the whole debate's grades are released (a release to
    one participant reaches them through its notice and their feedback page)."""
    node = lens.structure.nodes.get(claim_id)
    if node is None or lens.user_id is None:
        return False
    if lens.may(Action.GIVE_FEEDBACK, claim=node):
        return True
    return node.author_id == lens.user_id and lens.debate.grades_released_at is not None
