"""Votes on points and their tallies."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, overload

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from arguments.models import (
    Claim,
    Debate,
    Perspective,
    Relation,
    Vote,
)
from arguments.reading.activity import vote_counted
from arguments.rules.permissions import Action, require
from arguments.services.opinions import opinions_wanted

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

    AnyUser = User | AnonymousUser


def _point_claim(point: Relation | Claim) -> Claim:
    return point.child if isinstance(point, Relation) else point


def _vote_filter(point: Relation | Claim) -> dict[str, object]:
    return {"relation": point} if isinstance(point, Relation) else {"thesis": point}


def _check_votable(user: AnyUser, point: Relation | Claim) -> tuple[User, Claim]:
    """The signed-in voter and the claim voted on, or the refusal."""
    claim = _point_claim(point)
    if not user.is_authenticated:
        raise PermissionDenied(_("Sign in to vote."))
    require(user, Action.VOTE, claim.debate, claim=claim)
    if isinstance(point, Claim) and not point.is_thesis:
        raise ValidationError(_("Vote on a pro or con where it stands, not on the claim alone."))
    if isinstance(point, Relation) and point.is_hidden:
        raise ValidationError(_("This link has been removed; its votes are closed."))
    return user, claim


def _check_voting_as(user: User, claim: Claim, perspective: Perspective) -> None:
    if (
        perspective.kind != Perspective.Kind.NAMED
        or perspective.debate_id != claim.debate_id
        or perspective.created_by_id != user.pk
    ):
        raise PermissionDenied(_("You can only vote as a perspective you started in this debate."))


@overload
def _vote_as(user: User, point: Relation | Claim, perspective: Perspective, value: int) -> Vote: ...
@overload
def _vote_as(
    user: User, point: Relation | Claim, perspective: Perspective, value: None
) -> None: ...
def _vote_as(
    user: User, point: Relation | Claim, perspective: Perspective, value: int | None
) -> Vote | None:
    """Cast, change or (`value` None) withdraw a vote as a named perspective: its own row,
    counted in no point's tally (everyone's strengths are their own votes'), only in the
    perspective's, whose version moves so its strengths are computed again."""
    votes = Vote.objects.filter(user=user, perspective=perspective, **_vote_filter(point))
    # Lock the perspective's row: one voter, but two tabs must not both insert.
    Perspective.objects.select_for_update().filter(pk=perspective.pk).update(
        version=F("version") + 1
    )
    vote = votes.first()
    counted = partial(vote_counted, debate_id=perspective.debate_id, user_id=user.pk, tallied=False)
    if value is None:
        if vote is not None:
            vote.delete()
            counted(added=-1, at=None)
        return None
    if vote is None:
        vote = Vote.objects.create(
            user=user, perspective=perspective, value=value, **_vote_filter(point)
        )
        counted(added=1, at=vote.updated_at)
        return vote
    if vote.value != value:
        vote.value = value
        vote.save(update_fields=["value", "updated_at"])
        counted(added=0, at=vote.updated_at)
    return vote


@transaction.atomic
def vote_cast(
    *, user: AnyUser, point: Relation | Claim, value: int, perspective: Perspective | None = None
) -> Vote:
    """Cast or change the user's vote on a point; the point's tally moves in step. With a
    named `perspective` the user started, the vote is cast as it: the tally stays as it is.

    The point's row is locked first, so concurrent votes on one point are serialized on
    PostgreSQL (SQLite serializes every write transaction anyway).
    """
    voter, claim = _check_votable(user, point)
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 4:
        raise ValidationError({"value": _("A vote is a whole number from 0 to 4.")})
    if perspective is not None:
        _check_voting_as(voter, claim, perspective)
        return _vote_as(voter, point, perspective, value)
    tally = _lock(point)
    vote = Vote.objects.filter(user=voter, perspective=None, **_vote_filter(point)).first()
    changes: dict[int, int] = {}
    if vote is None:
        vote = Vote.objects.create(user=voter, value=value, **_vote_filter(point))
        changes = {value: 1}
    elif vote.value != value:
        changes = {vote.value: -1, value: 1}
        vote.value = value
        vote.save(update_fields=["value", "updated_at"])
    if changes:
        _move_tally(point, tally, changes)
        vote_counted(
            debate_id=claim.debate_id,
            user_id=voter.pk,
            added=1 if len(changes) == 1 else 0,
            at=vote.updated_at,
            tallied=True,
        )
    return vote


def _lock(point: Relation | Claim) -> list[int]:
    """Lock the point's row (serializing votes on it) and read its tally in the same query."""
    model = type(point)
    row = (
        model.objects.select_for_update(no_key=True)
        .filter(pk=point.pk)
        .values_list(*model.TALLY_FIELDS)
    )
    return list(row.get())


def _move_tally(point: Relation | Claim, tally: list[int], changes: dict[int, int]) -> None:
    """Apply the changes in SQL (F expressions) and mirror them on the point in memory.

    A vote bumps the debate's `tally_version`, not its `structure_version`: no reader reloads
    the debate for it. The point is stamped with the new tally version, so each process reads
    just the points voted on since the version it holds (structure.loader.debate_structure). The
    debate's row is updated first and stays locked to the end of the transaction, so stamps
    commit in the order of the versions they carry.
    """
    debate_id = _point_claim(point).debate_id
    debates = Debate.objects.filter(pk=debate_id)
    debates.update(tally_version=F("tally_version") + 1, updated_at=timezone.now())
    type(point).objects.filter(pk=point.pk).update(
        tallied_in=Subquery(debates.values("tally_version")[:1]),
        **{f"votes_{value}": F(f"votes_{value}") + step for value, step in changes.items()},
    )
    for value, step in changes.items():
        tally[value] += step
    for name, count in zip(point.TALLY_FIELDS, tally, strict=True):
        setattr(point, name, count)
    # The opinion map is computed again in the background, once per burst of votes.
    opinions_wanted(debate_id)


@transaction.atomic
def vote_withdraw(
    *, user: AnyUser, point: Relation | Claim, perspective: Perspective | None = None
) -> None:
    """Take back the user's vote on a point (as the named `perspective`, when given), if any
    (a vote like any other: not in a locked or closed debate, nor where voting is off)."""
    voter, claim = _check_votable(user, point)
    if perspective is not None:
        _check_voting_as(voter, claim, perspective)
        _vote_as(voter, point, perspective, None)
        return
    tally = _lock(point)
    vote = Vote.objects.filter(user=voter, perspective=None, **_vote_filter(point)).first()
    if vote is None:
        return
    vote.delete()
    _move_tally(point, tally, {vote.value: -1})
    vote_counted(debate_id=claim.debate_id, user_id=voter.pk, added=-1, at=None, tallied=True)


@transaction.atomic
def votes_forget(user: User) -> int:
    """Remove a departing user's votes with every tally moved in step (their account is being
    deleted: rows would go by cascade and leave the counts, and the strengths, wrong)."""
    # Votes cast as a perspective count in no tally: they go with the account, by cascade.
    votes = list(
        Vote.objects.filter(user=user, perspective=None).select_related("relation__child", "thesis")
    )
    for vote in votes:
        point = vote.relation or vote.thesis
        assert point is not None  # a vote is on a relation or a thesis (`vote_one_point`)
        tally = _lock(point)
        vote.delete()
        _move_tally(point, tally, {vote.value: -1})
    return len(votes)


@transaction.atomic
def votes_recount() -> tuple[int, int]:
    """Recompute every point's tally from the vote rows: (points checked, points fixed)."""
    checked = fixed = 0
    for model, field in ((Relation, "relation_id"), (Claim, "thesis_id")):
        counts: dict[int, list[int]] = {}
        for point_id, value in Vote.objects.filter(
            perspective=None, **{f"{field}__isnull": False}
        ).values_list(field, "value"):
            counts.setdefault(point_id, [0] * 5)[value] += 1
        points = Claim.objects.filter(is_thesis=True) if model is Claim else model.objects.all()
        rows = points.values_list("pk", *model.TALLY_FIELDS)
        for pk, *tally in rows.iterator(chunk_size=2000):
            checked += 1
            actual = counts.get(pk, [0] * 5)
            if list(tally) != actual:
                fixed += 1
                model.objects.filter(pk=pk).update(
                    **dict(zip(model.TALLY_FIELDS, actual, strict=True))
                )
    if fixed:
        # Tallies fixed behind the votes' stamps: every process reloads its debates.
        Debate.objects.update(
            structure_version=F("structure_version") + 1, rebuilt_in=F("structure_version") + 1
        )
    return checked, fixed
