"""Moderation: merging duplicate claims, locking and closing debates, reverting history, and
saving what staff change in the admin.

A merge moves everything the duplicate carried onto the surviving claim and leaves the
duplicate hidden with `merged_into` set (its URL redirects). It writes a `Merge` row and stamps
every history row it writes with the merge's tag (`merge #<id>`), and lists the vote rows it
moved (votes have no history), so `merge_revert` can undo it as a unit. `history_revert` puts
one object back to any version of its history; when a merge lies between that version and now,
the whole merge is undone first.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from arguments.models import (
    ELABORATION_MAX_LENGTH,
    Annotation,
    Citation,
    Claim,
    Debate,
    Flag,
    Membership,
    Merge,
    Perspective,
    Relation,
    Source,
    Tag,
    Vote,
)
from arguments.reading import anchoring
from arguments.rules.permissions import Action, forget_roles, require
from arguments.services.guards import (
    attribute,
    bump_version,
    history_of,
    is_descendant,
    next_position,
    store_strengths_later,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

    AnyUser = User | AnonymousUser

# The models whose history a merge writes and a revert replays, in the order they are read.
MERGED_MODELS: tuple[type[models.Model], ...] = (Claim, Relation, Citation, Annotation)
REVERTIBLE_MODELS: tuple[type[models.Model], ...] = (
    Debate,
    Claim,
    Relation,
    Source,
    Citation,
    Annotation,
)
MERGE_TAG_PREFIX = "merge #"


# -- small helpers ---------------------------------------------------------------------------


def _save(obj: models.Model, *, actor: AnyUser, reason: str, **changes: Any) -> None:
    """Save only the changed fields, with the history row attributed and explained.

    `update_fields` keeps a stale in-memory vote tally from overwriting concurrent votes.
    """
    for name, value in changes.items():
        setattr(obj, name, value)
    attribute(
        obj, actor=actor if getattr(actor, "is_authenticated", False) else None, reason=reason
    )
    fields = list(changes)
    if any(f.name == "updated_at" for f in obj._meta.concrete_fields):
        fields.append("updated_at")
    obj.save(update_fields=fields)


def _tracked_fields(model: type[models.Model]) -> list[models.Field]:
    """The fields a model's history keeps (and a revert may restore), without the key."""
    tracked = history_of(model).model.tracked_fields
    names = {f.name for f in tracked}
    return [
        f
        for f in model._meta.concrete_fields
        if f.name in names and not f.primary_key and not getattr(f, "auto_now", False)
        and not getattr(f, "auto_now_add", False)
    ]  # fmt: skip


def _debate_of(obj: models.Model) -> Debate | None:
    """The debate an object belongs to (None for sources, which debates share)."""
    if isinstance(obj, Debate):
        return obj
    if isinstance(obj, Claim | Relation):
        return obj.debate
    if isinstance(obj, Citation | Annotation):
        return obj.claim.debate
    if isinstance(obj, Membership | Perspective | Merge):
        return obj.debate
    if isinstance(obj, Flag):
        return obj.flagged_claim.debate
    return None


def _require_moderator(actor: AnyUser, obj: models.Model) -> Debate | None:
    debate = _debate_of(obj)
    if debate is None:
        # A source is cited across debates: only site staff may rewrite its history.
        if not (actor.is_authenticated and actor.is_staff):
            raise PermissionDenied(_("Only site staff can change a shared source."))
        return None
    require(actor, Action.MODERATE, debate)
    return debate


def _bump_where_shown(*rows: models.Model | None) -> None:
    """Move the structure version of every debate whose tree shows these rows (a citation or
    a note on a claim, a source wherever it is cited), naming the claims they show on, so
    every process holding one reads those claims again (arguments/caches.py)."""
    shown: defaultdict[int, set[int]] = defaultdict(set)
    for row in rows:
        if isinstance(row, Source):
            cited = Citation.objects.filter(source=row).values_list("claim__debate_id", "claim_id")
            for debate_id, claim_id in cited:
                shown[debate_id].add(claim_id)
        elif isinstance(row, Citation | Annotation):
            shown[row.claim.debate_id].add(row.claim_id)
    for debate in Debate.objects.filter(pk__in=shown).order_by("pk"):
        bump_version(debate, shown[debate.pk])
        store_strengths_later(debate)  # no reader's request caught the admin's edit up


@transaction.atomic
def admin_save(*, actor: AnyUser, obj: models.Model) -> None:
    """Save an item as staff changed it in its admin page (a debate's settings, a source, a
    citation, a note): the debates that show it, before and after, move to a new version."""
    debate = _require_moderator(actor, obj)
    before = type(obj)._default_manager.filter(pk=obj.pk).first() if obj.pk else None
    obj._history_user = actor  # type: ignore[attr-defined]
    obj.save()
    # A debate's own row needs no bump: saving it moves `updated_at`, which its visitor
    # pages are keyed by, and its structure holds none of its fields.
    _bump_where_shown(before, obj)
    _after_admin_change(obj, debate)


@transaction.atomic
def admin_delete(*, actor: AnyUser, obj: models.Model) -> None:
    """Delete what the admin may delete (a membership, a tag), with what its save would
    move: the roles remembered for the debate, the pages of the debates that carried a tag."""
    debate = _require_moderator(actor, obj)
    tagged = list(Debate.objects.filter(tags=obj)) if isinstance(obj, Tag) else []
    obj.delete()
    _after_admin_change(obj, debate, tagged=tagged)


def _after_admin_change(obj: models.Model, debate: Debate | None, *, tagged: Any = None) -> None:
    if isinstance(obj, Membership) and debate is not None:
        forget_roles(debate)  # a role changed by hand counts at once (share links, polls)
    if isinstance(obj, Tag):
        # Tag names show on the pages of the debates carrying them (kept by `updated_at`).
        debates = tagged if tagged is not None else Debate.objects.filter(tags=obj)
        Debate.objects.filter(pk__in=[d.pk for d in debates]).update(updated_at=timezone.now())


def recount_debate(debate: Debate) -> int:
    """Recompute the vote tallies of one debate's points from the vote rows; points fixed.

    Merges and reverts move vote rows between points, so they recount the debate they touched
    instead of shifting counters one by one: the tallies then equal a recount by construction.
    """
    fixed = 0
    for model, field, points in (
        (Relation, "relation_id", Relation.objects.filter(debate=debate)),
        (Claim, "thesis_id", Claim.objects.filter(debate=debate, is_thesis=True)),
    ):
        counts: dict[int, list[int]] = defaultdict(lambda: [0] * 5)
        rows = (
            Vote.objects.filter(perspective=None, **{f"{field[:-3]}__in": points.values("pk")})
            .values_list(field, "value")
            .annotate(n=Count("id"))
        )
        for point_id, value, n in rows:
            counts[point_id][value] = n
        for pk, *tally in points.values_list("pk", *model.TALLY_FIELDS):
            actual = counts.get(pk, [0] * 5)
            if list(tally) != actual:
                fixed += 1
                model.objects.filter(pk=pk).update(
                    **dict(zip(model.TALLY_FIELDS, actual, strict=True))
                )
    return fixed


# -- merging ---------------------------------------------------------------------------------


def _move_votes(point: str, source: int, target: int, moves: list[dict[str, Any]]) -> None:
    """Move the votes on one point to another; a user who voted on both keeps the later vote.

    Nothing is deleted: the earlier of two votes by one user stays on the source point (which
    the merge hides), so a revert can put every vote back where it was.
    """
    if source == target:
        return
    column = f"{point}_id"
    # One vote per voter per point, and per perspective they vote as: the key of a voter.
    on_target = {
        (v.user_id, v.perspective_id): v
        for v in Vote.objects.select_for_update().filter(**{column: target})
    }
    for vote in Vote.objects.select_for_update().filter(**{column: source}).order_by("id"):
        other = on_target.get((vote.user_id, vote.perspective_id))
        if other is None:
            Vote.objects.filter(pk=vote.pk).update(**{column: target})
            moves.append({"vote": vote.pk, "point": point, "from": source, "to": target})
        elif vote.updated_at > other.updated_at:
            # Both rows exist and a user has one vote per point, so swap what they hold
            # rather than the rows (either row move alone would break the unique constraint).
            _swap_votes(vote, other)
            moves.append({"swap": [vote.pk, other.pk]})


def _swap_votes(a: Vote, b: Vote) -> None:
    fields = ("value", "created_at", "updated_at")
    a_values = {f: getattr(a, f) for f in fields}
    b_values = {f: getattr(b, f) for f in fields}
    # .update() so that auto_now does not stamp the move as the voter's own change.
    Vote.objects.filter(pk=a.pk).update(**b_values)
    Vote.objects.filter(pk=b.pk).update(**a_values)


def _check_mergeable(debate: Debate, duplicate: Claim, into: Claim) -> None:
    if duplicate.pk == into.pk:
        raise ValidationError(_("A claim cannot be merged into itself."))
    if duplicate.debate_id != into.debate_id:
        raise ValidationError(_("Claims of different debates cannot be merged."))
    if duplicate.merged_into_id:
        raise ValidationError(_("This claim has already been merged into another."))
    if into.merged_into_id or into.status != Claim.Status.PUBLISHED:
        raise ValidationError(_("Merge into a published claim (this one is hidden or pending)."))
    if duplicate.is_thesis and not into.is_thesis:
        raise ValidationError(_("A thesis can only be merged into another thesis."))
    if is_descendant(debate, claim=into, ancestor=duplicate):
        raise ValidationError(
            _("A claim cannot be merged into one of its own pros and cons (or theirs).")
        )
    if is_descendant(debate, claim=duplicate, ancestor=into):
        raise ValidationError(
            _(
                "A claim cannot be merged into a claim above it on its own branch: "
                "it would support or attack itself. Hide it instead."
            )
        )


def _fold_relation(
    relation: Relation, survivor: Relation, *, actor: AnyUser, tag: str, moves: list
) -> None:
    """Two relations that now mean the same place: keep `survivor`, hide `relation`, and move
    its votes over. If `relation` was the child's original place, the survivor becomes it."""
    if not relation.is_link and survivor.is_link:
        # One original per child (a database constraint): demote first, then promote.
        _save(relation, actor=actor, reason=tag, is_link=True, is_hidden=True)
        _save(survivor, actor=actor, reason=tag, is_link=False, is_hidden=False)
    else:
        if not relation.is_hidden and survivor.is_hidden:
            _save(survivor, actor=actor, reason=tag, is_hidden=False)
        if not relation.is_hidden:
            _save(relation, actor=actor, reason=tag, is_hidden=True)
    _move_votes("relation", relation.pk, survivor.pk, moves)


@transaction.atomic
def claim_merge(*, actor: AnyUser, duplicate: Claim, into: Claim, reason: str = "") -> Claim:
    """Merge a duplicate claim into `into`, keeping its pros and cons, links, citations,
    votes and annotations; the duplicate is hidden and points to the survivor."""
    require(actor, Action.MODERATE, duplicate.debate)
    assert actor.is_authenticated  # require() lets no visitor write
    if duplicate.debate_id != into.debate_id:
        raise ValidationError(_("Claims of different debates cannot be merged."))
    # Lock both rows so two moderators cannot merge the same pair crosswise at once.
    locked = {
        c.pk: c for c in Claim.objects.select_for_update().filter(pk__in=[duplicate.pk, into.pk])
    }
    duplicate, into = locked[duplicate.pk], locked.get(into.pk, into)
    debate = Debate.objects.get(pk=duplicate.debate_id)
    _check_mergeable(debate, duplicate, into)
    merge = Merge.objects.create(
        debate=debate,
        duplicate=duplicate,
        into=into,
        merged_by=actor,
        reason=reason.strip()[:2000],
    )
    tag = merge.history_tag
    moves: list[dict[str, Any]] = []

    # The duplicate's pros and cons go under the survivor.
    for relation in (
        Relation.objects.select_for_update().filter(parent=duplicate).order_by("position", "id")
    ):
        if relation.child_id == into.pk:
            # The survivor was linked under the duplicate: it cannot be its own pro or con.
            if not relation.is_hidden:
                _save(relation, actor=actor, reason=tag, is_hidden=True)
            continue
        twin = Relation.objects.filter(parent=into, child_id=relation.child_id).first()
        if twin is None:
            _save(relation, actor=actor, reason=tag, parent=into, position=next_position(into))
        else:
            _fold_relation(relation, twin, actor=actor, tag=tag, moves=moves)

    # Where the duplicate stood, the survivor now stands (as a link, or folded into its place).
    for relation in Relation.objects.select_for_update().filter(child=duplicate).order_by("id"):
        if relation.parent_id == into.pk:
            if not relation.is_hidden:
                _save(relation, actor=actor, reason=tag, is_hidden=True)
            continue
        twin = Relation.objects.filter(parent_id=relation.parent_id, child=into).first()
        if twin is not None:
            _fold_relation(relation, twin, actor=actor, tag=tag, moves=moves)
        elif relation.is_link:
            _save(relation, actor=actor, reason=tag, child=into)
        else:
            # The duplicate keeps its original place (hidden), so every claim still has
            # exactly one; the survivor is linked there and the place's votes follow it.
            link = Relation(
                debate=debate,
                parent_id=relation.parent_id,
                child=into,
                stance=relation.stance,
                is_link=True,
                is_hidden=relation.is_hidden,
                position=relation.position,
                created_by=actor if actor.is_authenticated else None,
            )
            attribute(link, actor=actor, reason=tag)
            link.save()
            if not relation.is_hidden:
                _save(relation, actor=actor, reason=tag, is_hidden=True)
            _move_votes("relation", relation.pk, link.pk, moves)

    if duplicate.is_thesis:
        _move_votes("thesis", duplicate.pk, into.pk, moves)

    for citation in Citation.objects.filter(claim=duplicate).order_by("id"):
        # An imported reference may have no source (its words are its address).
        same_source = (
            Q(source_id=citation.source_id)
            if citation.source_id is not None
            else Q(source__isnull=True)
        )
        cited_already = Citation.objects.filter(
            same_source,
            claim=into,
            address=citation.address,
            quote=citation.quote,
            locator=citation.locator,
            is_hidden=False,
        ).exists()
        _save(
            citation,
            actor=actor,
            reason=tag,
            claim=into,
            is_hidden=citation.is_hidden or cited_already,
        )

    for note in Annotation.objects.filter(claim=duplicate).order_by("id"):
        changes: dict[str, Any] = {"claim": into}
        if note.exact:
            span = anchoring.find_span(
                into.text, note.exact, prefix=note.prefix, suffix=note.suffix, start=note.start
            )
            if span is None:
                changes["is_orphaned"] = True
            else:
                changes |= {
                    "start": span.start,
                    "end": span.end,
                    "prefix": span.prefix,
                    "suffix": span.suffix,
                    "is_orphaned": False,
                }
        _save_annotation(note, actor=actor, reason=tag, **changes)

    _save(
        duplicate,
        actor=actor,
        reason=tag,
        status=Claim.Status.HIDDEN
        if duplicate.status != Claim.Status.DELETED
        else Claim.Status.DELETED,
        merged_into=into,
    )
    merge.vote_moves = moves
    merge.save(update_fields=["vote_moves"])
    recount_debate(debate)
    bump_version(debate)
    into.refresh_from_db()
    return into


def _save_annotation(note: Annotation, *, actor: AnyUser, reason: str, **changes: Any) -> None:
    # Moving a note is not its author's edit: keep its `updated_at`.
    for name, value in changes.items():
        setattr(note, name, value)
    attribute(note, actor=actor, reason=reason)
    note.save(update_fields=list(changes))


# -- reverting -------------------------------------------------------------------------------


def _field_value(row: models.Model, field: models.Field) -> Any:
    return getattr(row, field.attname)


def _describe(obj: models.Model) -> str:
    return f"{obj._meta.verbose_name} {obj.pk}"


@transaction.atomic
def merge_revert(*, actor: AnyUser, merge: Merge, reason: str = "") -> Merge:
    """Undo a merge as a unit: every row it wrote goes back to how it was, and every vote it
    moved goes back to its point. Refused when something the merge wrote changed since."""
    require(actor, Action.MODERATE, merge.debate)
    assert actor.is_authenticated  # require() lets no visitor write
    merge = Merge.objects.select_for_update().get(pk=merge.pk)
    if merge.reverted_at is not None:
        raise ValidationError(_("This merge has already been reverted."))
    tag = merge.history_tag
    undo_reason = f"revert of {tag}"
    if reason.strip():
        undo_reason = f"{undo_reason}: {reason.strip()}"[:100]

    # Each object the merge wrote: its state before the merge and after it.
    plans: list[tuple[Any, Any, models.Model | None, type[models.Model]]] = []
    for model in MERGED_MODELS:
        rows = (
            history_of(model)
            .filter(history_change_reason=tag)
            .order_by("history_date", "history_id")
        )
        first: dict[int, Any] = {}
        last: dict[int, Any] = {}
        for row in rows:
            first.setdefault(row.id, row)
            last[row.id] = row
        for pk, earliest in first.items():
            before = None if earliest.history_type == "+" else earliest.prev_record
            plans.append((last[pk], earliest, before, model))

    conflicts: list[str] = []
    work: list[tuple[Any, models.Model, dict[str, Any], type[models.Model]]] = []
    for after, _earliest, before, model in plans:
        current = model._default_manager.filter(pk=after.id).first()
        if current is None:
            conflicts.append(f"{model._meta.verbose_name} {after.id} no longer exists")
            continue
        if before is None:
            # A row the merge created (a link in the duplicate's place): hide it.
            work.append((after, current, {"is_hidden": True}, model))
            continue
        changes: dict[str, Any] = {}
        for field in _tracked_fields(model):
            old, new = _field_value(before, field), _field_value(after, field)
            if old == new:
                continue
            if _field_value(current, field) != new:
                conflicts.append(f"{_describe(current)} ({field.verbose_name}) changed since")
                continue
            changes[field.attname] = old
        work.append((after, current, changes, model))
    if conflicts:
        raise ValidationError(
            _("The merge cannot be reverted as a unit: %(conflicts)s.")
            % {"conflicts": "; ".join(sorted(conflicts))}
        )

    # Undo in the reverse order of the merge's writes, so that each step is valid on its own
    # (one original relation per child, one relation per parent and child).
    work.sort(key=lambda w: (w[0].history_date, w[0].history_id), reverse=True)
    try:
        for _after, current, changes, _model in work:
            if changes:
                _save_fields(current, actor=actor, reason=undo_reason, changes=changes)
        _undo_vote_moves(merge.vote_moves)
    except IntegrityError:
        raise ValidationError(
            _("The merge cannot be reverted: the debate changed in a way that conflicts with it.")
        ) from None

    recount_debate(merge.debate)
    bump_version(merge.debate)
    merge.reverted_at = timezone.now()
    merge.reverted_by = actor
    merge.save(update_fields=["reverted_at", "reverted_by"])
    return merge


def _save_fields(obj: models.Model, *, actor: AnyUser, reason: str, changes: dict) -> None:
    for attname, value in changes.items():
        setattr(obj, attname, value)
    attribute(obj, actor=actor, reason=reason)
    by_attname = {f.attname: f.name for f in obj._meta.concrete_fields}
    names = [by_attname[attname] for attname in changes]
    # A nested atomic block, so a constraint failure leaves the outer transaction usable.
    with transaction.atomic():
        obj.save(update_fields=names)


def _undo_vote_moves(moves: list[dict[str, Any]]) -> None:
    for move in reversed(moves):
        if "swap" in move:
            a = Vote.objects.filter(pk=move["swap"][0]).first()
            b = Vote.objects.filter(pk=move["swap"][1]).first()
            if a is not None and b is not None:
                _swap_votes(a, b)
            continue
        column = f"{move['point']}_id"
        vote = Vote.objects.filter(pk=move["vote"], **{column: move["to"]}).first()
        if vote is None:
            continue  # withdrawn since the merge: nothing to put back
        voter = {"user_id": vote.user_id, "perspective_id": vote.perspective_id}
        if Vote.objects.filter(**voter, **{column: move["from"]}).exists():
            continue  # the voter has voted on the old point again; keep both as they are
        Vote.objects.filter(pk=vote.pk).update(**{column: move["from"]})


@transaction.atomic
def history_revert(
    *, actor: AnyUser, obj: models.Model, history_id: int, reason: str = ""
) -> models.Model:
    """Put an object back to one version of its history (django-simple-history).

    A merge recorded between that version and now is undone as a whole first, so reverting a
    merged claim to before its merge also brings back its pros and cons, citations and votes.
    """
    if not isinstance(obj, REVERTIBLE_MODELS):
        raise ValidationError(_("This kind of item has no history to revert."))
    debate = _require_moderator(actor, obj)
    model = type(obj)
    record = history_of(model).filter(id=obj.pk, history_id=history_id).first()
    if record is None:
        raise ValidationError(_("No such version of this item."))

    if isinstance(obj, MERGED_MODELS):
        later_tags = set(
            history_of(model)
            .filter(
                id=obj.pk,
                history_date__gt=record.history_date,
                history_change_reason__startswith=MERGE_TAG_PREFIX,
            )
            .values_list("history_change_reason", flat=True)
        )
        merge_ids = [int(t.removeprefix(MERGE_TAG_PREFIX)) for t in later_tags if t[7:].isdigit()]
        for merge in Merge.objects.filter(pk__in=merge_ids, reverted_at__isnull=True).order_by(
            "-created_at", "-id"
        ):
            merge_revert(actor=actor, merge=merge, reason=reason)
        obj = model._default_manager.get(pk=obj.pk)

    changes = {
        f.attname: _field_value(record, f)
        for f in _tracked_fields(model)
        if _field_value(record, f) != _field_value(obj, f)
    }
    if changes:
        if isinstance(obj, Relation):
            _check_relation_revert(obj, changes)
        for attname, value in changes.items():
            setattr(obj, attname, value)
        try:
            obj.full_clean(validate_unique=False, validate_constraints=False)
        except ValidationError as error:
            raise ValidationError(
                _("That version cannot be restored: %(problems)s")
                % {"problems": "; ".join(error.messages)}
            ) from None
        why = f"revert to version {history_id}"
        if reason.strip():
            why = f"{why}: {reason.strip()}"
        try:
            _save_fields(obj, actor=actor, reason=why[:100], changes=changes)
        except IntegrityError:
            raise ValidationError(
                _(
                    "That version conflicts with the debate as it is now "
                    "(a relation or a link already holds its place)."
                )
            ) from None
    if debate is not None:
        bump_version(debate)
    else:  # a source: every debate that cites it
        _bump_where_shown(obj)
    return obj


def _check_relation_revert(relation: Relation, changes: dict[str, Any]) -> None:
    """Reverting a relation must keep the original relations a forest."""
    parent_id = changes.get("parent_id", relation.parent_id)
    child_id = changes.get("child_id", relation.child_id)
    is_link = changes.get("is_link", relation.is_link)
    parent = Claim.objects.filter(pk=parent_id).first()
    child = Claim.objects.filter(pk=child_id).first()
    if parent is None or child is None or parent.debate_id != child.debate_id:
        raise ValidationError(_("That version joins claims that are gone or in another debate."))
    if not is_link and is_descendant(relation.debate, claim=parent, ancestor=child):
        raise ValidationError(
            _("That version would put a claim under itself or under one of its own pros and cons.")
        )


# -- debates ---------------------------------------------------------------------------------


@transaction.atomic
def debate_lock(
    *, actor: AnyUser, debate: Debate, status: str, conclusion: str = "", reason: str = ""
) -> Debate:
    """Open, lock (read-only for now) or close a debate; closing needs a written conclusion."""
    require(actor, Action.MODERATE, debate)
    if status not in Debate.Status.values:
        raise ValidationError({"status": _("Choose open, locked or closed.")})
    conclusion = (conclusion or "").strip()
    if len(conclusion) > ELABORATION_MAX_LENGTH:
        raise ValidationError(
            {
                "conclusion": _("Keep the conclusion to %(max)s characters.")
                % {"max": ELABORATION_MAX_LENGTH}
            }
        )
    if status == Debate.Status.CLOSED and not (conclusion or debate.conclusion):
        raise ValidationError({"conclusion": _("Write the conclusion the debate closes with.")})
    debate = Debate.objects.select_for_update().get(pk=debate.pk)
    changes: dict[str, Any] = {"status": status}
    if conclusion:
        changes["conclusion"] = conclusion
    _save(debate, actor=actor, reason=(reason.strip() or f"set {status}")[:100], **changes)
    bump_version(debate)
    debate.refresh_from_db()
    return debate
