"""Annotations on claims (W3C Web Annotation model)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from arguments.live import notifications
from arguments.models import (
    ANNOTATION_MAX_LENGTH,
    Annotation,
    Claim,
)
from arguments.reading import anchoring
from arguments.rules.permissions import Action, require
from arguments.services.guards import bump_version

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

    AnyUser = User | AnonymousUser


def _clean_body(body: str, *, required: bool) -> str:
    body = (body or "").strip()
    if required and not body:
        raise ValidationError({"body": _("Write something in the annotation.")})
    if len(body) > ANNOTATION_MAX_LENGTH:
        raise ValidationError(
            {
                "body": _("Keep an annotation to %(max)s characters.")
                % {"max": ANNOTATION_MAX_LENGTH}
            }
        )
    return body


@transaction.atomic
def annotation_add(
    *,
    actor: AnyUser,
    claim: Claim,
    body: str,
    motivation: str = Annotation.Motivation.COMMENTING,
    visibility: str = Annotation.Visibility.PUBLIC,
    exact: str = "",
    start: int | None = None,
    end: int | None = None,
    parent: Annotation | None = None,
) -> Annotation:
    """Annotate a claim, or a span of its text (by offsets, or by the quoted words alone)."""
    require(actor, Action.ANNOTATE, claim.debate, claim=claim)
    assert actor.is_authenticated  # require() lets no visitor write
    if motivation not in Annotation.Motivation.values:
        raise ValidationError({"motivation": _("Choose why you annotate.")})
    if visibility not in Annotation.Visibility.values:
        raise ValidationError({"visibility": _("Choose who may see the annotation.")})
    # A highlight says everything with its span; other motivations need words.
    body = _clean_body(body, required=motivation != Annotation.Motivation.HIGHLIGHTING)
    span: anchoring.Span | None = None
    if parent is not None:
        if parent.claim_id != claim.pk or parent.parent_id is not None:
            raise ValidationError(_("Reply to an annotation of this claim."))
        require(actor, Action.ANNOTATE, claim.debate, note=parent)
    elif start is not None or end is not None:
        if start is None or end is None:
            raise ValidationError({"exact": _("Give both ends of the selection.")})
        try:
            span = anchoring.span_at(claim.text, start, end)
        except ValueError as error:
            raise ValidationError({"exact": str(error)}) from None
        if exact and exact != span.exact:
            raise ValidationError({"exact": _("The selection does not match the claim's text.")})
    elif exact.strip():
        span = anchoring.find_span(claim.text, exact.strip())
        if span is None:
            raise ValidationError({"exact": _("Those words do not appear in the claim.")})
    elif motivation == Annotation.Motivation.HIGHLIGHTING:
        raise ValidationError({"exact": _("Select the words to highlight.")})
    note = Annotation(
        claim=claim,
        author=actor,
        parent=parent,
        body=body,
        motivation=motivation,
        visibility=parent.visibility if parent else visibility,
    )
    if span is not None:
        note.exact, note.prefix, note.suffix = span.exact, span.prefix, span.suffix
        note.start, note.end = span.start, span.end
    note.save()
    bump_version(claim.debate, [claim.pk])
    notifications.after_commit(notifications.note_added, note_id=note.pk)
    return note


@transaction.atomic
def annotation_edit(
    *, actor: AnyUser, annotation: Annotation, body: str, motivation: str | None = None
) -> Annotation:
    """Change an annotation's words (its author only)."""
    require(actor, Action.EDIT_NOTE, annotation.claim.debate, note=annotation)
    if motivation is not None:
        if motivation not in Annotation.Motivation.values:
            raise ValidationError({"motivation": _("Choose why you annotate.")})
        annotation.motivation = motivation
    annotation.body = _clean_body(
        body, required=annotation.motivation != Annotation.Motivation.HIGHLIGHTING
    )
    annotation.save()
    bump_version(annotation.claim.debate, [annotation.claim_id])
    return annotation


@transaction.atomic
def annotation_delete(*, actor: AnyUser, annotation: Annotation) -> None:
    """Withdraw an annotation (soft: it stays in the history, restorable by moderators)."""
    require(actor, Action.EDIT_NOTE, annotation.claim.debate, note=annotation)
    annotation.status = Annotation.Status.DELETED
    annotation.save(update_fields=["status", "updated_at"])
    bump_version(annotation.claim.debate, [annotation.claim_id])
