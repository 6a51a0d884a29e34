"""Feedback and grades: a teacher (the debate's owner or a moderator) writes private feedback
and an optional grade on a participant's claim, and an overall grade and comment per
participant; none of it shows to the participant until it is released, for the whole debate
or to them alone, and then they are notified (the bell and the digest).

Permissions: `Action.GIVE_FEEDBACK` for every write here; who reads what is
`permissions.sees_feedback` (arguments/reading/feedback.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from arguments import selectors
from arguments.live import notifications
from arguments.models import Claim, ClaimFeedback, Debate, ParticipantGrade
from arguments.reading.feedback import released_to
from arguments.rules.permissions import Action, require, role_in

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

    AnyUser = User | AnonymousUser

TEXT_MAX = 5000


def _clean_grade(debate: Debate, grade: int | None, field: str = "grade") -> int | None:
    if grade is not None and not 0 <= grade <= debate.grade_scale:
        raise ValidationError(
            {field: _("A grade runs from 0 to %(max)s.") % {"max": debate.grade_scale}}
        )
    return grade


def _clean_text(text: str, field: str) -> str:
    text = text.strip()
    if len(text) > TEXT_MAX:
        raise ValidationError({field: _("Keep it under %(max)s characters.") % {"max": TEXT_MAX}})
    return text


@transaction.atomic
def claim_feedback_set(
    *, actor: AnyUser, claim: Claim, body: str, grade: int | None
) -> ClaimFeedback:
    """Write (or rewrite) the feedback and grade on a participant's claim. Its author hears
    of it now if their grades are already released, else at the release."""
    debate = claim.debate
    # The scale and the release as they stand now, not as the caller's copy last read them.
    debate.refresh_from_db(fields=["grade_scale", "grades_released_at"])
    require(actor, Action.GIVE_FEEDBACK, debate, claim=claim)
    assert actor.is_authenticated  # require() lets no visitor write
    feedback, _created = ClaimFeedback.objects.update_or_create(
        claim=claim,
        defaults={
            "debate": debate,
            "body": _clean_text(body, "body"),
            "grade": _clean_grade(debate, grade),
            "written_by": actor,
        },
    )
    if released_to(debate, claim.author_id):
        notifications.after_commit(
            notifications.feedback_written, claim_id=claim.pk, actor_id=actor.pk
        )
    return feedback


@transaction.atomic
def participant_grade_set(
    *, actor: AnyUser, debate: Debate, user: User, grade: int | None, comment: str
) -> ParticipantGrade:
    """Set one participant's overall grade and comment (not released by this)."""
    require(actor, Action.GIVE_FEEDBACK, debate)
    assert actor.is_authenticated  # require() lets no visitor write
    if user.pk == actor.pk:
        raise ValidationError(_("Grades are for the participants, not yourself."))
    if not selectors.takes_part(debate, user):
        raise ValidationError(_("This person does not take part in the debate."))
    row, _created = ParticipantGrade.objects.update_or_create(
        debate=debate,
        user=user,
        defaults={
            "grade": _clean_grade(debate, grade),
            "comment": _clean_text(comment, "comment"),
            "written_by": actor,
        },
    )
    return row


@transaction.atomic
def grades_release(*, actor: AnyUser, debate: Debate, user: User | None = None) -> None:
    """Release feedback and grades: to everyone in the debate (and to whatever is written
    later), or to one participant. Each one released to is notified once."""
    require(actor, Action.GIVE_FEEDBACK, debate)
    now = timezone.now()
    if user is None:
        if debate.grades_released_at is not None:
            return  # released already: a second click tells nobody twice
        debate.grades_released_at = now
        debate.save(update_fields=["grades_released_at"])
        notifications.after_commit(
            notifications.grades_released, debate_id=debate.pk, actor_id=actor.pk
        )
        return
    if role_in(user, debate) is None:
        raise ValidationError(_("This person does not take part in the debate."))
    if released_to(debate, user.pk):
        return
    ParticipantGrade.objects.update_or_create(
        debate=debate, user=user, defaults={"released_at": now}
    )
    notifications.after_commit(
        notifications.grades_released, debate_id=debate.pk, actor_id=actor.pk, user_id=user.pk
    )


@transaction.atomic
def grade_scale_set(*, actor: AnyUser, debate: Debate, scale: int) -> Debate:
    """Choose what grades run up to; refused below a grade already given."""
    require(actor, Action.GIVE_FEEDBACK, debate)
    if not 1 <= scale <= 1000:
        raise ValidationError({"grade_scale": _("Choose a scale from 1 to 1000.")})
    above = [
        grade
        for rows in (ClaimFeedback.objects, ParticipantGrade.objects)
        for grade in rows.filter(debate=debate, grade__gt=scale).values_list("grade", flat=True)
        if grade is not None
    ]
    if above:
        highest = max(above)
        raise ValidationError(
            {
                "grade_scale": _(
                    "A grade of %(grade)s is already given: the scale cannot go below it."
                )
                % {"grade": highest}
            }
        )
    debate.grade_scale = scale
    debate.save(update_fields=["grade_scale"])
    return debate
