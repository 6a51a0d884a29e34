"""Flags: reports to moderators, their resolution and review."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from arguments.live import notifications
from arguments.models import Annotation, Claim, Flag
from arguments.rules.limits import check_rate
from arguments.rules.permissions import Action, require
from arguments.services.claims import claim_hide
from arguments.services.guards import bump_version, check_same_debate

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

    AnyUser = User | AnonymousUser

FLAGS_PER_HOUR = 20


@transaction.atomic
def flag_raise(
    *,
    actor: AnyUser,
    reason: str,
    claim: Claim | None = None,
    annotation: Annotation | None = None,
    fallacy: str = "",
    duplicate_of: Claim | None = None,
    note: str = "",
) -> Flag:
    """Report a claim or an annotation to the debate's moderators (RateLimited when the
    reporter has flagged too much in the last hour)."""
    if claim is not None and annotation is None:
        target_claim = claim
    elif annotation is not None and claim is None:
        target_claim = annotation.claim
    else:
        raise ValidationError(_("Flag either a claim or an annotation."))
    require(actor, Action.FLAG, target_claim.debate, claim=claim, note=annotation)
    assert actor.is_authenticated  # require() lets no visitor write
    if reason not in Flag.Reason.values:
        raise ValidationError({"reason": _("Choose a reason.")})
    if reason == Flag.Reason.FALLACY and fallacy not in Flag.Fallacy.values:
        raise ValidationError({"fallacy": _("Choose which fallacy.")})
    if reason != Flag.Reason.FALLACY:
        fallacy = ""
    if reason == Flag.Reason.DUPLICATE:
        if duplicate_of is None or duplicate_of.pk == target_claim.pk:
            raise ValidationError({"duplicate_of": _("Name the claim this one duplicates.")})
        check_same_debate(target_claim, duplicate_of)
    else:
        duplicate_of = None
    check_rate(
        Flag.objects.filter(reporter=actor),
        limit=FLAGS_PER_HOUR,
        window=timedelta(hours=1),
        field="created_at",
        what="flagged",
    )
    target = {"claim": claim} if claim is not None else {"annotation": annotation}
    if Flag.objects.filter(reporter=actor, status=Flag.Status.OPEN, **target).exists():
        raise ValidationError(_("You have already flagged this; a moderator will look at it."))
    try:
        with transaction.atomic():
            return Flag.objects.create(
                reporter=actor,
                reason=reason,
                fallacy=fallacy,
                duplicate_of=duplicate_of,
                note=note.strip()[:2000],
                **target,
            )
    except IntegrityError:
        raise ValidationError(
            _("You have already flagged this; a moderator will look at it.")
        ) from None


@transaction.atomic
def flag_resolve(
    *, actor: AnyUser, flag: Flag, uphold: bool, note: str = "", hide: bool = False
) -> Flag:
    """Uphold or dismiss a flag with a note for the author; upholding may hide the item."""
    target_claim = flag.flagged_claim
    require(actor, Action.MODERATE, target_claim.debate)
    assert actor.is_authenticated  # require() lets no visitor write
    if flag.status != Flag.Status.OPEN:
        raise ValidationError(_("This flag has already been handled."))
    flag.status = Flag.Status.UPHELD if uphold else Flag.Status.DISMISSED
    flag.resolution_note = note.strip()
    flag.handled_by = actor
    flag.handled_at = timezone.now()
    flag.save()
    if uphold and hide:
        item = flag.flagged
        if isinstance(item, Claim):
            if item.status != Claim.Status.HIDDEN:
                claim_hide(actor=actor, claim=item)
        else:
            item.status = Annotation.Status.HIDDEN
            item.save(update_fields=["status", "updated_at"])
            bump_version(target_claim.debate, [target_claim.pk])
    notifications.after_commit(notifications.flag_resolved, flag_id=flag.pk)
    return flag


@transaction.atomic
def flag_request_review(*, actor: AnyUser, flag: Flag) -> Flag:
    """The flagged item's author asks, once, for a second look at an upheld flag."""
    claim = flag.flagged_claim
    require(
        actor,
        Action.REQUEST_REVIEW,
        claim.debate,
        claim=claim,
        note=flag.annotation if flag.annotation_id else None,
        flag=flag,
    )
    flag.review_requested_at = timezone.now()
    flag.status = Flag.Status.OPEN
    flag.save(update_fields=["review_requested_at", "status"])
    return flag
