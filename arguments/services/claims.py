"""Debates, theses and claims: add, edit, link, move, hide, restore, approve."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max, Min, Q
from django.utils.translation import gettext as _

from arguments import languages
from arguments.live import notifications
from arguments.models import (
    TITLE_MAX_LENGTH,
    Claim,
    Debate,
    Membership,
    Relation,
    Role,
    Stance,
)
from arguments.reading import anchoring
from arguments.rules.permissions import Action, claims_need_approval, require
from arguments.rules.validation import WHITESPACE, clean_claim_text
from arguments.services.guards import (
    bump_version,
    check_same_debate,
    is_descendant,
    next_position,
    sees_where_it_stands,
    unique_slug,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

    AnyUser = User | AnonymousUser


@transaction.atomic
def debate_create(
    *,
    owner: AnyUser,
    title: str,
    thesis: str,
    description: str = "",
    visibility: str = Debate.Visibility.UNLISTED,
    default_role: str = Role.WRITER,
    requires_approval: bool = False,
    voting_enabled: bool = True,
    annotations_enabled: bool = True,
    slug: str | None = None,
    language: str = "",
) -> Debate:
    """Open a new debate with its first thesis; the creator owns it. It starts unlisted
    (reachable by its link, listed nowhere) unless the owner chooses otherwise."""
    if not owner.is_authenticated:
        raise PermissionDenied(_("Sign in to start a debate."))
    title = WHITESPACE.sub(" ", title or "").strip()
    if not title:
        raise ValidationError({"title": _("Give the debate a question.")})
    if len(title) > TITLE_MAX_LENGTH:
        raise ValidationError(
            {"title": _("Keep the question to %(max)s characters.") % {"max": TITLE_MAX_LENGTH}}
        )
    thesis_text = clean_claim_text(thesis)
    if default_role not in Debate.NEWCOMER_ROLES:
        raise ValidationError(
            {"default_role": _("Newcomers can be writers, suggesters or viewers.")}
        )
    language = language or settings.LANGUAGE_CODE
    if language not in languages.codes():
        raise ValidationError({"language": _("Choose one of the languages offered.")})
    debate = Debate(
        slug=slug or unique_slug(title),
        language=language,
        title=title,
        description=description.strip(),
        owner=owner,
        visibility=visibility,
        default_role=default_role,
        requires_approval=requires_approval,
        voting_enabled=voting_enabled,
        annotations_enabled=annotations_enabled,
    )
    debate.full_clean()
    debate.save()
    Membership.objects.create(debate=debate, user=owner, role=Role.OWNER)
    thesis_claim = Claim.objects.create(
        debate=debate, text=thesis_text, is_thesis=True, author=owner
    )
    notifications.follow_own(thesis_claim, new=True)
    return debate


@transaction.atomic
def thesis_add(*, actor: AnyUser, debate: Debate, text: str, elaboration: str = "") -> Claim:
    """Add another thesis at the debate's root (multi-thesis debates)."""
    require(actor, Action.EDIT_DEBATE, debate)
    assert actor.is_authenticated  # require() lets no visitor write
    claim = Claim.objects.create(
        debate=debate,
        text=clean_claim_text(text),
        elaboration=elaboration.strip(),
        is_thesis=True,
        author=actor,
    )
    bump_version(debate, [claim.pk])
    notifications.follow_own(claim, new=True)
    return claim


@transaction.atomic
def claim_add(
    *, actor: AnyUser, parent: Claim, stance: str, text: str, elaboration: str = ""
) -> Claim:
    """Add a pro or con under `parent`; a suggester's claim waits for approval.

    Submitting the same text under the same parent twice returns the first claim, so a
    double-submitted form makes no duplicate.
    """
    debate = parent.debate
    role = require(actor, Action.ADD_CLAIM, debate, claim=parent)
    assert actor.is_authenticated  # require() lets no visitor write
    if stance not in Stance.values:
        raise ValidationError({"stance": _("Choose whether the claim is a pro or a con.")})
    text = clean_claim_text(text)
    # One query for both: where the claim will stand among its siblings, and a twin (the
    # same text under the same parent as the same stance, published or waiting).
    found = Relation.objects.filter(parent=parent).aggregate(
        top=Max("position"),
        twin=Min(
            "child_id",
            filter=Q(
                stance=stance,
                child__text__iexact=text,
                child__status__in=[Claim.Status.PUBLISHED, Claim.Status.PENDING],
            ),
        ),
    )
    twin = None if found["twin"] is None else Claim.objects.get(pk=found["twin"])
    if twin is not None:
        if twin.author_id == actor.pk:
            return twin
        raise ValidationError(
            {
                "text": (
                    _("The same pro already stands under this claim.")
                    if stance == "pro"
                    else _("The same con already stands under this claim.")
                )
            }
        )
    status = Claim.Status.PENDING if claims_need_approval(role, debate) else Claim.Status.PUBLISHED
    claim = Claim.objects.create(
        debate=debate, text=text, elaboration=elaboration.strip(), author=actor, status=status
    )
    Relation.objects.create(
        debate=debate,
        parent=parent,
        child=claim,
        stance=stance,
        position=0 if found["top"] is None else found["top"] + 1,
        created_by=actor,
    )
    bump_version(debate, [parent.pk, claim.pk])
    notifications.follow_own(claim, new=True)
    notifications.after_commit(notifications.claim_added, claim_id=claim.pk)
    return claim


@transaction.atomic
def claim_edit(*, actor: AnyUser, claim: Claim, text: str, elaboration: str | None = None) -> Claim:
    """Change a claim's wording; annotations are re-anchored to the new text."""
    role = require(actor, Action.EDIT_CLAIM, claim.debate, claim=claim)
    old_text = claim.text
    new_text = clean_claim_text(text)
    reworded = new_text != claim.text
    changed = reworded
    claim.text = new_text
    if elaboration is not None:
        changed = changed or elaboration.strip() != claim.elaboration
        claim.elaboration = elaboration.strip()
    # Where claims wait for approval, an approved claim rewritten by someone whose claims
    # wait goes back for review: approval was of the words, not of the author.
    if (
        changed
        and claim.status == Claim.Status.PUBLISHED
        and claims_need_approval(role, claim.debate)
    ):
        claim.status = Claim.Status.PENDING
    claim.full_clean()
    # Only what changed: a thesis's vote tally in memory may be stale, and saving it would
    # overwrite votes cast meanwhile (tests/test_cross_process.py found it on PostgreSQL).
    claim.save(update_fields=["text", "elaboration", "status", "updated_at"])
    if reworded:
        _reanchor_annotations(claim)
    bump_version(claim.debate, [claim.pk])
    if changed:
        notifications.after_commit(
            notifications.claim_edited, claim_id=claim.pk, actor_id=actor.pk, old_text=old_text
        )
    return claim


def _reanchor_annotations(claim: Claim) -> None:
    for note in claim.annotations.exclude(exact=""):
        span = anchoring.find_span(
            claim.text, note.exact, prefix=note.prefix, suffix=note.suffix, start=note.start
        )
        if span is None:
            note.is_orphaned = True
        else:
            note.start, note.end, note.prefix, note.suffix = (
                span.start,
                span.end,
                span.prefix,
                span.suffix,
            )
            note.is_orphaned = False
        note.save(update_fields=["start", "end", "prefix", "suffix", "is_orphaned", "updated_at"])


@transaction.atomic
def claim_link(*, actor: AnyUser, claim: Claim, parent: Claim, stance: str) -> Relation:
    """Reuse an existing claim as a pro or con of another claim of the same debate."""
    role = require(actor, Action.LINK_CLAIM, parent.debate, claim=parent)
    assert actor.is_authenticated  # require() lets no visitor write
    check_same_debate(claim, parent)
    if stance not in Stance.values:
        raise ValidationError({"stance": _("Choose whether the link is a pro or a con.")})
    if claim.pk == parent.pk:
        raise ValidationError(_("A claim cannot be a pro or con of itself."))
    if claim.status != Claim.Status.PUBLISHED:
        raise ValidationError(_("Only a published claim can be linked."))
    # Published is not enough: a claim under a hidden one is hidden with it, and a link
    # must not bring it back into the tree.
    if not sees_where_it_stands(role, actor.pk, parent.debate, claim.pk):
        raise ValidationError(_("Only a claim you can see in the debate can be linked."))
    existing = Relation.objects.filter(parent=parent, child=claim).first()
    if existing is not None:
        if existing.is_hidden and existing.is_link:
            existing.is_hidden, existing.stance = False, stance
            existing.save(update_fields=["is_hidden", "stance"])
            bump_version(parent.debate, [parent.pk, claim.pk])
            return existing
        raise ValidationError(_("That claim already stands under this one."))
    relation = Relation.objects.create(
        debate=parent.debate,
        parent=parent,
        child=claim,
        stance=stance,
        is_link=True,
        position=next_position(parent),
        created_by=actor,
    )
    bump_version(parent.debate, [parent.pk, claim.pk])
    return relation


@transaction.atomic
def claim_unlink(*, actor: AnyUser, relation: Relation) -> None:
    """Take a linked claim away from one place (the link is hidden, restorable)."""
    if not relation.is_link:
        raise ValidationError(_("Only a link can be removed; hide or move the claim itself."))
    require(actor, Action.MOVE_CLAIM, relation.debate)
    relation.is_hidden = True
    relation.save(update_fields=["is_hidden"])
    bump_version(relation.debate, [relation.parent_id, relation.child_id])


@transaction.atomic
def claim_move(
    *, actor: AnyUser, claim: Claim, parent: Claim, stance: str | None = None
) -> Relation:
    """Put a claim (with its whole branch) under another parent, keeping the forest."""
    debate = claim.debate
    require(actor, Action.MOVE_CLAIM, debate)
    check_same_debate(claim, parent)
    if claim.is_thesis:
        raise ValidationError(_("A thesis stands at the root and cannot be moved."))
    if stance is not None and stance not in Stance.values:
        raise ValidationError({"stance": _("Choose whether the claim is a pro or a con.")})
    if parent.merged_into_id is not None:
        # A merged claim is gone for every reader: a branch moved there would vanish.
        raise ValidationError(
            _(
                "That claim was merged into another; move this one under the claim it was merged "
                "into."
            )
        )
    if is_descendant(debate, claim=parent, ancestor=claim):
        raise ValidationError(
            _("A claim cannot be moved under itself or under one of its own pros and cons.")
        )
    original = Relation.objects.originals().select_for_update().get(child=claim)
    if original.parent_id == parent.pk:
        if stance and stance != original.stance:
            original.stance = stance
            original.save(update_fields=["stance"])
            bump_version(debate, [parent.pk, claim.pk])
        return original
    if Relation.objects.filter(parent=parent, child=claim).exists():
        raise ValidationError(
            _("That claim is already linked there; remove the link before moving it.")
        )
    old_parent = original.parent_id
    original.parent = parent
    original.stance = stance or original.stance
    original.position = next_position(parent)
    original.save(update_fields=["parent", "stance", "position"])
    bump_version(debate, [old_parent, parent.pk, claim.pk])
    return original


def _set_status(actor: AnyUser, claim: Claim, action: Action, status: str) -> Claim:
    """Approve, hide or restore: the rules (who, and from which status) are the permissions'."""
    lone_thesis = (
        action is Action.HIDE_CLAIM
        and claim.is_thesis
        and not claim.debate.claims.theses().published().exclude(pk=claim.pk).exists()
    )
    require(actor, action, claim.debate, claim=claim, lone_thesis=lone_thesis)
    was, claim.status = claim.status, status
    claim.save(update_fields=["status", "updated_at"])
    bump_version(claim.debate, [claim.pk])
    if was != status:
        notifications.after_commit(
            notifications.claim_moderated, claim_id=claim.pk, actor_id=actor.pk, was=was
        )
    return claim


@transaction.atomic
def claim_hide(*, actor: AnyUser, claim: Claim) -> Claim:
    """Hide a claim (and so its branch) from the debate; it stays restorable."""
    return _set_status(actor, claim, Action.HIDE_CLAIM, Claim.Status.HIDDEN)


@transaction.atomic
def claim_restore(*, actor: AnyUser, claim: Claim) -> Claim:
    """Bring a hidden claim back (a merged one comes back by undoing its merge)."""
    return _set_status(actor, claim, Action.RESTORE_CLAIM, Claim.Status.PUBLISHED)


@transaction.atomic
def claim_approve(*, actor: AnyUser, claim: Claim) -> Claim:
    """Publish a suggested claim."""
    return _set_status(actor, claim, Action.APPROVE_CLAIM, Claim.Status.PUBLISHED)
