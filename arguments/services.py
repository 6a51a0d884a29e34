"""Every write to a debate: keyword-only, typed, atomic, permission-checked.

Services raise `PermissionDenied` when the actor's role does not allow the act, and
`ValidationError` (with a message meant for the user) when the input or the debate's
invariants forbid it. Views translate those into 403 and a form error.

Invariants kept here (the database enforces the rest):
- a relation joins two claims of the same debate;
- every claim that is not a thesis has exactly one original relation, and the original
  relations form a forest rooted at the theses (moves that would break this are refused);
- every write that changes what the tree shows bumps `Debate.structure_version`.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import TYPE_CHECKING
from urllib.parse import urlsplit, urlunsplit

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.text import slugify

from arguments import anchoring
from arguments.models import (
    ANNOTATION_MAX_LENGTH,
    CLAIM_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    Annotation,
    Citation,
    Claim,
    Debate,
    Flag,
    Membership,
    Relation,
    Role,
    Source,
    Stance,
    Vote,
)
from arguments.permissions import Action, claims_need_approval, permits, role_in

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

    AnyUser = AbstractBaseUser | AnonymousUser

FLAGS_PER_HOUR = 20
_WHITESPACE = re.compile(r"\s+")


# ---------------------------------------------------------------- helpers


def _require(actor: AnyUser, action: Action, debate: Debate, *, claim: Claim | None = None) -> Role:
    role = role_in(actor, debate)
    if not permits(actor, action, debate, claim=claim, role=role):
        raise PermissionDenied(f"You may not {action.value.replace('_', ' ')} in this debate.")
    assert role is not None
    return role


def clean_claim_text(text: str) -> str:
    """One line of plain text, 1 to 500 characters once runs of white space are folded."""
    text = _WHITESPACE.sub(" ", text or "").strip()
    if not text:
        raise ValidationError({"text": "Write the claim: it cannot be empty."})
    if len(text) > CLAIM_MAX_LENGTH:
        raise ValidationError(
            {"text": f"Keep a claim to {CLAIM_MAX_LENGTH} characters (this has {len(text)})."}
        )
    return text


def normalize_url(url: str) -> str:
    """An http(s) URL with a lower-case scheme and host and no fragment, for reuse by URL."""
    url = (url or "").strip()
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        raise ValidationError(
            {"url": "Give the source as a web address (http or https)."}
        ) from None
    parts = urlsplit(url)
    path = parts.path or "/"
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), path, parts.query, ""))


def _bump(debate: Debate) -> None:
    """Invalidate cached renderings of the debate's structure."""
    Debate.objects.filter(pk=debate.pk).update(
        structure_version=F("structure_version") + 1, updated_at=timezone.now()
    )


def _next_position(parent: Claim) -> int:
    top = Relation.objects.filter(parent=parent).aggregate(top=Max("position"))["top"]
    return 0 if top is None else top + 1


def _original_parents(debate: Debate) -> dict[int, int]:
    """child id -> parent id over the debate's original relations, in one query."""
    return dict(
        Relation.objects.filter(debate=debate, is_link=False).values_list("child_id", "parent_id")
    )


def is_descendant(debate: Debate, *, claim: Claim, ancestor: Claim) -> bool:
    """Whether `claim` lies in `ancestor`'s subtree of original relations (or is it)."""
    parents = _original_parents(debate)
    current: int | None = claim.pk
    seen: set[int] = set()
    while current is not None and current not in seen:
        if current == ancestor.pk:
            return True
        seen.add(current)
        current = parents.get(current)
    return False


def _unique_slug(title: str) -> str:
    base = slugify(title)[:60].strip("-") or "debate"
    slug, n = base, 2
    while Debate.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def _check_same_debate(*claims: Claim) -> None:
    if len({c.debate_id for c in claims}) != 1:
        raise ValidationError("Both claims must belong to the same debate.")


def _check_open_parent(parent: Claim) -> None:
    if parent.status != Claim.Status.PUBLISHED or parent.merged_into_id:
        raise ValidationError(
            "You can only respond to a published claim; this one is hidden or awaiting approval."
        )


# ---------------------------------------------------------------- debates and claims


@transaction.atomic
def debate_create(
    *,
    owner: AnyUser,
    title: str,
    thesis: str,
    description: str = "",
    visibility: str = Debate.Visibility.PUBLIC,
    default_role: str = Role.WRITER,
    requires_approval: bool = False,
    voting_enabled: bool = True,
    annotations_enabled: bool = True,
    slug: str | None = None,
) -> Debate:
    """Open a new debate with its first thesis; the creator owns it."""
    if not owner.is_authenticated:
        raise PermissionDenied("Sign in to start a debate.")
    title = _WHITESPACE.sub(" ", title or "").strip()
    if not title:
        raise ValidationError({"title": "Give the debate a question."})
    if len(title) > TITLE_MAX_LENGTH:
        raise ValidationError({"title": f"Keep the question to {TITLE_MAX_LENGTH} characters."})
    thesis_text = clean_claim_text(thesis)
    if default_role not in Debate.NEWCOMER_ROLES:
        raise ValidationError({"default_role": "Newcomers can be writers, suggesters or viewers."})
    debate = Debate(
        slug=slug or _unique_slug(title),
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
    Claim.objects.create(debate=debate, text=thesis_text, is_thesis=True, author=owner)
    return debate


@transaction.atomic
def thesis_add(*, actor: AnyUser, debate: Debate, text: str, elaboration: str = "") -> Claim:
    """Add another thesis at the debate's root (multi-thesis debates)."""
    _require(actor, Action.EDIT_DEBATE, debate)
    claim = Claim.objects.create(
        debate=debate,
        text=clean_claim_text(text),
        elaboration=elaboration.strip(),
        is_thesis=True,
        author=actor,
    )
    _bump(debate)
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
    role = _require(actor, Action.ADD_CLAIM, debate)
    if stance not in Stance.values:
        raise ValidationError({"stance": "Choose whether the claim is a pro or a con."})
    _check_open_parent(parent)
    text = clean_claim_text(text)
    twin = (
        Claim.objects.filter(
            parent_relations__parent=parent,
            parent_relations__stance=stance,
            text__iexact=text,
            status__in=[Claim.Status.PUBLISHED, Claim.Status.PENDING],
        )
        .select_related("debate")
        .first()
    )
    if twin is not None:
        if twin.author_id == actor.pk:
            return twin
        raise ValidationError({"text": f"The same {stance} already stands under this claim."})
    status = Claim.Status.PENDING if claims_need_approval(role, debate) else Claim.Status.PUBLISHED
    claim = Claim.objects.create(
        debate=debate, text=text, elaboration=elaboration.strip(), author=actor, status=status
    )
    Relation.objects.create(
        debate=debate,
        parent=parent,
        child=claim,
        stance=stance,
        position=_next_position(parent),
        created_by=actor,
    )
    _bump(debate)
    return claim


@transaction.atomic
def claim_edit(*, actor: AnyUser, claim: Claim, text: str, elaboration: str | None = None) -> Claim:
    """Change a claim's wording; annotations are re-anchored to the new text."""
    _require(actor, Action.EDIT_CLAIM, claim.debate, claim=claim)
    if claim.status in (Claim.Status.HIDDEN, Claim.Status.DELETED):
        raise ValidationError("A hidden claim cannot be edited; ask a moderator to restore it.")
    new_text = clean_claim_text(text)
    changed = new_text != claim.text
    claim.text = new_text
    if elaboration is not None:
        claim.elaboration = elaboration.strip()
    claim.full_clean()
    claim.save()
    if changed:
        _reanchor_annotations(claim)
    _bump(claim.debate)
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
    _require(actor, Action.LINK_CLAIM, parent.debate)
    _check_same_debate(claim, parent)
    if stance not in Stance.values:
        raise ValidationError({"stance": "Choose whether the link is a pro or a con."})
    if claim.pk == parent.pk:
        raise ValidationError("A claim cannot be a pro or con of itself.")
    _check_open_parent(parent)
    if claim.status != Claim.Status.PUBLISHED:
        raise ValidationError("Only a published claim can be linked.")
    existing = Relation.objects.filter(parent=parent, child=claim).first()
    if existing is not None:
        if existing.is_hidden and existing.is_link:
            existing.is_hidden, existing.stance = False, stance
            existing.save(update_fields=["is_hidden", "stance"])
            _bump(parent.debate)
            return existing
        raise ValidationError("That claim already stands under this one.")
    relation = Relation.objects.create(
        debate=parent.debate,
        parent=parent,
        child=claim,
        stance=stance,
        is_link=True,
        position=_next_position(parent),
        created_by=actor,
    )
    _bump(parent.debate)
    return relation


@transaction.atomic
def claim_unlink(*, actor: AnyUser, relation: Relation) -> None:
    """Take a linked claim away from one place (the link is hidden, restorable)."""
    if not relation.is_link:
        raise ValidationError("Only a link can be removed; hide or move the claim itself.")
    _require(actor, Action.MOVE_CLAIM, relation.debate)
    relation.is_hidden = True
    relation.save(update_fields=["is_hidden"])
    _bump(relation.debate)


@transaction.atomic
def claim_move(
    *, actor: AnyUser, claim: Claim, parent: Claim, stance: str | None = None
) -> Relation:
    """Put a claim (with its whole branch) under another parent, keeping the forest."""
    debate = claim.debate
    _require(actor, Action.MOVE_CLAIM, debate)
    _check_same_debate(claim, parent)
    if claim.is_thesis:
        raise ValidationError("A thesis stands at the root and cannot be moved.")
    if stance is not None and stance not in Stance.values:
        raise ValidationError({"stance": "Choose whether the claim is a pro or a con."})
    if is_descendant(debate, claim=parent, ancestor=claim):
        raise ValidationError(
            "A claim cannot be moved under itself or under one of its own pros and cons."
        )
    original = Relation.objects.select_for_update().get(child=claim, is_link=False)
    if original.parent_id == parent.pk:
        if stance and stance != original.stance:
            original.stance = stance
            original.save(update_fields=["stance"])
            _bump(debate)
        return original
    if Relation.objects.filter(parent=parent, child=claim).exists():
        raise ValidationError(
            "That claim is already linked there; remove the link before moving it."
        )
    original.parent = parent
    original.stance = stance or original.stance
    original.position = _next_position(parent)
    original.save(update_fields=["parent", "stance", "position"])
    _bump(debate)
    return original


def _set_status(actor: AnyUser, claim: Claim, status: str, *, allowed_from: set[str]) -> Claim:
    _require(actor, Action.MODERATE, claim.debate)
    if claim.status not in allowed_from:
        raise ValidationError(f"This claim is {claim.get_status_display().lower()}.")
    if claim.is_thesis and status == Claim.Status.HIDDEN:
        other = claim.debate.claims.theses().published().exclude(pk=claim.pk).exists()
        if not other:
            raise ValidationError("A debate's only thesis cannot be hidden; close the debate.")
    claim.status = status
    claim.save(update_fields=["status", "updated_at"])
    _bump(claim.debate)
    return claim


@transaction.atomic
def claim_hide(*, actor: AnyUser, claim: Claim) -> Claim:
    """Hide a claim (and so its branch) from the debate; it stays restorable."""
    return _set_status(
        actor,
        claim,
        Claim.Status.HIDDEN,
        allowed_from={Claim.Status.PUBLISHED, Claim.Status.PENDING},
    )


@transaction.atomic
def claim_restore(*, actor: AnyUser, claim: Claim) -> Claim:
    """Bring a hidden claim back."""
    return _set_status(
        actor,
        claim,
        Claim.Status.PUBLISHED,
        allowed_from={Claim.Status.HIDDEN, Claim.Status.DELETED},
    )


@transaction.atomic
def claim_approve(*, actor: AnyUser, claim: Claim) -> Claim:
    """Publish a suggested claim."""
    return _set_status(actor, claim, Claim.Status.PUBLISHED, allowed_from={Claim.Status.PENDING})


# ---------------------------------------------------------------- sources


@transaction.atomic
def source_cite(
    *,
    actor: AnyUser,
    claim: Claim,
    url: str,
    title: str = "",
    quote: str = "",
    locator: str = "",
    kind: str = Source.Kind.OTHER,
) -> Citation:
    """Cite a source on a claim; a source already known by its URL or title is reused."""
    _require(actor, Action.CITE_SOURCE, claim.debate)
    if claim.status != Claim.Status.PUBLISHED:
        raise ValidationError("Sources can be added to published claims only.")
    title = _WHITESPACE.sub(" ", title or "").strip()
    url = (url or "").strip()
    source: Source | None = None
    if url:
        url = normalize_url(url)
        source = Source.objects.filter(url=url).first()
    elif title:
        source = Source.objects.filter(title__iexact=title).first()
        if source is None:
            raise ValidationError({"url": "Give the web address of a new source."})
    else:
        raise ValidationError({"url": "Give the source's web address."})
    if source is None:
        if len(title) > 300:
            raise ValidationError({"title": "Keep the title to 300 characters."})
        if kind not in Source.Kind.values:
            raise ValidationError({"kind": "Choose what kind of source this is."})
        source = Source(url=url, title=title or urlsplit(url).netloc, kind=kind, created_by=actor)
        source.full_clean()
        source.save()
    citation = Citation(
        claim=claim, source=source, quote=quote.strip(), locator=locator.strip(), added_by=actor
    )
    citation.full_clean()
    duplicate = Citation.objects.filter(
        claim=claim, source=source, quote=citation.quote, locator=citation.locator
    ).first()
    if duplicate is not None:
        return duplicate
    citation.save()
    _bump(claim.debate)
    return citation


# ---------------------------------------------------------------- votes


def _point_claim(point: Relation | Claim) -> Claim:
    return point.child if isinstance(point, Relation) else point


def _vote_filter(point: Relation | Claim) -> dict[str, object]:
    return {"relation": point} if isinstance(point, Relation) else {"thesis": point}


def _check_votable(user: AnyUser, point: Relation | Claim) -> Claim:
    claim = _point_claim(point)
    if not user.is_authenticated:
        raise PermissionDenied("Sign in to vote.")
    _require(user, Action.VOTE, claim.debate)
    if isinstance(point, Claim) and not point.is_thesis:
        raise ValidationError("Vote on a pro or con where it stands, not on the claim alone.")
    if isinstance(point, Relation) and point.is_hidden:
        raise ValidationError("This link has been removed; its votes are closed.")
    if claim.status != Claim.Status.PUBLISHED:
        raise ValidationError("Votes are closed on a hidden or pending claim.")
    return claim


@transaction.atomic
def vote_cast(*, user: AnyUser, point: Relation | Claim, value: int) -> Vote:
    """Cast or change the user's vote on a point; the point's tally moves in step.

    The point's row is locked first, so concurrent votes on one point are serialized on
    PostgreSQL (SQLite serializes every write transaction anyway).
    """
    claim = _check_votable(user, point)
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 4:
        raise ValidationError({"value": "A vote is a whole number from 0 to 4."})
    model = type(point)
    model.objects.select_for_update().filter(pk=point.pk).values_list("pk", flat=True).get()
    vote = Vote.objects.filter(user=user, **_vote_filter(point)).first()
    changes: dict[str, object] = {}
    if vote is None:
        vote = Vote.objects.create(user=user, value=value, **_vote_filter(point))
        changes[f"votes_{value}"] = F(f"votes_{value}") + 1
    elif vote.value != value:
        changes[f"votes_{vote.value}"] = F(f"votes_{vote.value}") - 1
        changes[f"votes_{value}"] = F(f"votes_{value}") + 1
        vote.value = value
        vote.save(update_fields=["value", "updated_at"])
    if changes:
        model.objects.filter(pk=point.pk).update(**changes)
        _bump(claim.debate)
    return vote


@transaction.atomic
def vote_withdraw(*, user: AnyUser, point: Relation | Claim) -> None:
    """Take back the user's vote on a point, if any."""
    if not user.is_authenticated:
        raise PermissionDenied("Sign in to vote.")
    claim = _point_claim(point)
    model = type(point)
    model.objects.select_for_update().filter(pk=point.pk).values_list("pk", flat=True).get()
    vote = Vote.objects.filter(user=user, **_vote_filter(point)).first()
    if vote is None:
        return
    model.objects.filter(pk=point.pk).update(
        **{f"votes_{vote.value}": F(f"votes_{vote.value}") - 1}
    )
    vote.delete()
    _bump(claim.debate)


@transaction.atomic
def votes_recount() -> tuple[int, int]:
    """Recompute every point's tally from the vote rows: (points checked, points fixed)."""
    checked = fixed = 0
    for model, field in ((Relation, "relation_id"), (Claim, "thesis_id")):
        counts: dict[int, list[int]] = {}
        for point_id, value in Vote.objects.filter(**{f"{field}__isnull": False}).values_list(
            field, "value"
        ):
            counts.setdefault(point_id, [0] * 5)[value] += 1
        rows = model.objects.values_list("pk", *model.TALLY_FIELDS)
        if model is Claim:
            rows = rows.filter(is_thesis=True)
        for pk, *tally in rows.iterator(chunk_size=2000):
            checked += 1
            actual = counts.get(pk, [0] * 5)
            if list(tally) != actual:
                fixed += 1
                model.objects.filter(pk=pk).update(
                    **dict(zip(model.TALLY_FIELDS, actual, strict=True))
                )
    if fixed:
        Debate.objects.update(structure_version=F("structure_version") + 1)
    return checked, fixed


# ---------------------------------------------------------------- annotations


def _clean_body(body: str, *, required: bool) -> str:
    body = (body or "").strip()
    if required and not body:
        raise ValidationError({"body": "Write something in the annotation."})
    if len(body) > ANNOTATION_MAX_LENGTH:
        raise ValidationError(
            {"body": f"Keep an annotation to {ANNOTATION_MAX_LENGTH} characters."}
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
    _require(actor, Action.ANNOTATE, claim.debate)
    if claim.status != Claim.Status.PUBLISHED:
        raise ValidationError("Only a published claim can be annotated.")
    if motivation not in Annotation.Motivation.values:
        raise ValidationError({"motivation": "Choose why you annotate."})
    if visibility not in Annotation.Visibility.values:
        raise ValidationError({"visibility": "Choose who may see the annotation."})
    # A highlight says everything with its span; other motivations need words.
    body = _clean_body(body, required=motivation != Annotation.Motivation.HIGHLIGHTING)
    span: anchoring.Span | None = None
    if parent is not None:
        if parent.claim_id != claim.pk or parent.parent_id is not None:
            raise ValidationError("Reply to an annotation of this claim.")
    elif start is not None or end is not None:
        if start is None or end is None:
            raise ValidationError({"exact": "Give both ends of the selection."})
        try:
            span = anchoring.span_at(claim.text, start, end)
        except ValueError as error:
            raise ValidationError({"exact": str(error)}) from None
        if exact and exact != span.exact:
            raise ValidationError({"exact": "The selection does not match the claim's text."})
    elif exact.strip():
        span = anchoring.find_span(claim.text, exact.strip())
        if span is None:
            raise ValidationError({"exact": "Those words do not appear in the claim."})
    elif motivation == Annotation.Motivation.HIGHLIGHTING:
        raise ValidationError({"exact": "Select the words to highlight."})
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
    return note


def _require_annotation_author(actor: AnyUser, note: Annotation) -> None:
    if not actor.is_authenticated or note.author_id != actor.pk:
        raise PermissionDenied("Only its author may change an annotation.")
    if note.status != Annotation.Status.PUBLISHED:
        raise ValidationError("This annotation has been removed.")


@transaction.atomic
def annotation_edit(
    *, actor: AnyUser, annotation: Annotation, body: str, motivation: str | None = None
) -> Annotation:
    """Change an annotation's words (its author only)."""
    _require_annotation_author(actor, annotation)
    if motivation is not None:
        if motivation not in Annotation.Motivation.values:
            raise ValidationError({"motivation": "Choose why you annotate."})
        annotation.motivation = motivation
    annotation.body = _clean_body(
        body, required=annotation.motivation != Annotation.Motivation.HIGHLIGHTING
    )
    annotation.save()
    return annotation


@transaction.atomic
def annotation_delete(*, actor: AnyUser, annotation: Annotation) -> None:
    """Withdraw an annotation (soft: it stays in the history, restorable by moderators)."""
    _require_annotation_author(actor, annotation)
    annotation.status = Annotation.Status.DELETED
    annotation.save(update_fields=["status", "updated_at"])


# ---------------------------------------------------------------- flags


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
    """Report a claim or an annotation to the debate's moderators."""
    if (claim is None) == (annotation is None):
        raise ValidationError("Flag either a claim or an annotation.")
    target_claim = claim if claim is not None else annotation.claim  # type: ignore[union-attr]
    _require(actor, Action.FLAG, target_claim.debate)
    if reason not in Flag.Reason.values:
        raise ValidationError({"reason": "Choose a reason."})
    if reason == Flag.Reason.FALLACY and fallacy not in Flag.Fallacy.values:
        raise ValidationError({"fallacy": "Choose which fallacy."})
    if reason != Flag.Reason.FALLACY:
        fallacy = ""
    if reason == Flag.Reason.DUPLICATE:
        if duplicate_of is None or duplicate_of.pk == target_claim.pk:
            raise ValidationError({"duplicate_of": "Name the claim this one duplicates."})
        _check_same_debate(target_claim, duplicate_of)
    else:
        duplicate_of = None
    since = timezone.now() - timedelta(hours=1)
    if Flag.objects.filter(reporter=actor, created_at__gte=since).count() >= FLAGS_PER_HOUR:
        raise ValidationError("You have flagged a lot in the last hour; please wait a while.")
    target = {"claim": claim} if claim is not None else {"annotation": annotation}
    if Flag.objects.filter(reporter=actor, status=Flag.Status.OPEN, **target).exists():
        raise ValidationError("You have already flagged this; a moderator will look at it.")
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
            "You have already flagged this; a moderator will look at it."
        ) from None


@transaction.atomic
def flag_resolve(
    *, actor: AnyUser, flag: Flag, uphold: bool, note: str = "", hide: bool = False
) -> Flag:
    """Uphold or dismiss a flag with a note for the author; upholding may hide the item."""
    target_claim = flag.claim if flag.claim_id else flag.annotation.claim  # type: ignore[union-attr]
    _require(actor, Action.MODERATE, target_claim.debate)
    if flag.status != Flag.Status.OPEN:
        raise ValidationError("This flag has already been handled.")
    flag.status = Flag.Status.UPHELD if uphold else Flag.Status.DISMISSED
    flag.resolution_note = note.strip()
    flag.handled_by = actor
    flag.handled_at = timezone.now()
    flag.save()
    if uphold and hide:
        if flag.claim_id:
            if flag.claim.status != Claim.Status.HIDDEN:
                claim_hide(actor=actor, claim=flag.claim)
        else:
            note_row = flag.annotation
            note_row.status = Annotation.Status.HIDDEN
            note_row.save(update_fields=["status", "updated_at"])
    return flag


@transaction.atomic
def flag_request_review(*, actor: AnyUser, flag: Flag) -> Flag:
    """The flagged item's author asks, once, for a second look at an upheld flag."""
    item_author = flag.claim.author_id if flag.claim_id else flag.annotation.author_id  # type: ignore[union-attr]
    if not actor.is_authenticated or item_author != actor.pk:
        raise PermissionDenied("Only the author can ask for a review.")
    if flag.status != Flag.Status.UPHELD:
        raise ValidationError("Only an upheld flag can be reviewed.")
    if flag.review_requested_at is not None:
        raise ValidationError("You have already asked for a review of this decision.")
    flag.review_requested_at = timezone.now()
    flag.status = Flag.Status.OPEN
    flag.save(update_fields=["review_requested_at", "status"])
    return flag


# ---------------------------------------------------------------- memberships


@transaction.atomic
def membership_grant(*, actor: AnyUser, debate: Debate, user: AnyUser, role: str) -> Membership:
    """Give `user` a role in the debate (invite, or change their role)."""
    actor_role = _require(actor, Action.MANAGE_MEMBERS, debate)
    if role not in Role.values:
        raise ValidationError({"role": "Choose a role."})
    if role == Role.OWNER or user.pk == debate.owner_id:
        raise ValidationError({"role": "A debate has one owner; their role cannot change."})
    if role == Role.MODERATOR and actor_role != Role.OWNER:
        raise PermissionDenied("Only the owner can appoint moderators.")
    membership, _ = Membership.objects.update_or_create(
        debate=debate, user=user, defaults={"role": role}
    )
    return membership


@transaction.atomic
def membership_revoke(*, actor: AnyUser, membership: Membership) -> None:
    """Remove a member from the debate (they fall back to the debate's default role)."""
    actor_role = _require(actor, Action.MANAGE_MEMBERS, membership.debate)
    if membership.role == Role.OWNER:
        raise ValidationError("The owner cannot be removed.")
    if membership.role == Role.MODERATOR and actor_role != Role.OWNER:
        raise PermissionDenied("Only the owner can remove a moderator.")
    membership.delete()
