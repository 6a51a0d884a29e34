"""The gaps view: where a debate needs its participants, each gap with the act that fills it.

- **Unsourced**: published claims that cite no source (fill it: Add a source);
- **Unanswered**: published claims with no pro or con the reader sees (Add a pro or a con);
- **Few votes**: points with fewer than `FEW_VOTES` votes that the reader has not voted on
  (Vote);
- **Waiting for review**: pending claims the reader may approve (moderators: Review).

Everything is read from the debate's structure through the reader's lens (only claims they
see; controls only where `item.actions` allows), shallowest claims first: a gap near a
thesis matters more than one at the end of a long branch. Each list is cut at `limit`, and
the lens builds items only for the claims shown, so a page costs the same on any debate.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from arguments.models import Claim
from arguments.rules.permissions import Action

if TYPE_CHECKING:
    from arguments.reading.lens import Lens
    from arguments.reading.tree import TreeItem

FEW_VOTES = 3  # fewer votes than this on a point say little about it


@dataclass(slots=True)
class Gap:
    """One kind of gap: the first claims of it (as the reader sees them) and how many."""

    shown: list[TreeItem] = field(default_factory=list)
    total: int = 0

    @property
    def more(self) -> int:
        return self.total - len(self.shown)


@dataclass(slots=True)
class Gaps:
    unsourced: Gap
    unanswered: Gap
    few_votes: Gap
    pending: Gap

    @property
    def any(self) -> bool:
        return bool(
            self.unsourced.total
            or self.unanswered.total
            or self.few_votes.total
            or self.pending.total
        )


def offered_to(lens: Lens) -> bool:
    """Whether the debate page shows the reader a "Needs you" panel: signed-in readers who
    may add claims there (writers, suggesters and up, while the debate is open)."""
    return lens.user_id is not None and lens.may(Action.ADD_CLAIM)


def _shallowest_first(lens: Lens) -> list[int]:
    """The claims the reader sees, by depth beneath their thesis, then in tree order."""
    structure = lens.structure
    visible = lens.visible_ids  # tree order: a claim comes after the claim it answers
    depth: dict[int, int] = {}
    for claim_id in visible:
        edge = structure.original.get(claim_id)
        depth[claim_id] = depth[edge.parent] + 1 if edge is not None else 0
    return sorted(visible, key=depth.__getitem__)


@dataclass(frozen=True, slots=True)
class _Found:
    """Every gap of the debate as one kind of reader sees it, shallowest first: claim ids,
    and for few votes (claim id, point) so that each reader's own votes can be left out."""

    unsourced: list[int]
    unanswered: list[int]
    few_votes: list[tuple[int, str]]
    pending: list[int]  # pending claims the reader sees (only moderators may approve them)


def _scan(lens: Lens) -> _Found:
    structure = lens.structure
    nodes, original = structure.nodes, structure.original
    found = _Found(unsourced=[], unanswered=[], few_votes=[], pending=[])
    for claim_id in _shallowest_first(lens):
        node = nodes[claim_id]
        if node.status == Claim.Status.PENDING:
            found.pending.append(claim_id)
            continue
        if node.status != Claim.Status.PUBLISHED:
            continue
        if not structure.citations.get(claim_id):
            found.unsourced.append(claim_id)
        if not lens.beneath(claim_id):
            found.unanswered.append(claim_id)
        edge = original.get(claim_id)
        tally = edge.tally if edge is not None else node.tally
        if sum(tally) < FEW_VOTES:
            found.few_votes.append(
                (claim_id, f"r{edge.id}" if edge is not None else f"c{claim_id}")
            )
    return found


def _reader_kind(lens: Lens) -> str | None:
    """Readers who see the same claims, whose scan is shared: moderators (they see every
    claim), and everyone else who wrote no claim that waits or was hidden (they see what a
    visitor sees). None: a reader with claims of their own only they see."""
    if lens.moderates:
        return "moderator"
    if lens.user_id is None:
        return "reader"
    own_unpublished = any(
        node.author_id == lens.user_id and node.status != Claim.Status.PUBLISHED
        for node in lens.structure.nodes.values()
    )
    return None if own_unpublished else "reader"


def _found(lens: Lens) -> _Found:
    """The reader's scan, shared with readers of the same kind: kept with the structure for
    its tally version (a write makes a new structure, a vote a new tally version)."""
    kind = _reader_kind(lens)
    if kind is None:
        return _scan(lens)
    structure = lens.structure
    memo = structure.__dict__.setdefault("_gaps", {})
    key = (structure.tally_version, kind)
    found = memo.get(key)
    if found is None:
        found = _scan(lens)
        for old in [k for k in memo if k[0] != structure.tally_version]:
            memo.pop(old, None)
        memo[key] = found
    return found


def gaps_of(lens: Lens, *, limit: int) -> Gaps:
    """The reader's gaps of the debate, the first `limit` claims of each kind."""
    found = _found(lens)
    nodes = lens.structure.nodes
    votes = lens.votes
    few_votes = [claim_id for claim_id, point in found.few_votes if point not in votes]
    pending = []
    if lens.may(Action.APPROVE_CLAIM):
        pending = [c for c in found.pending if lens.may(Action.APPROVE_CLAIM, claim=nodes[c])]

    def gap(ids: list[int]) -> Gap:
        items = [lens.focus(claim_id, levels=0) for claim_id in ids[:limit]]
        return Gap(shown=items, total=len(ids))

    return Gaps(
        unsourced=gap(found.unsourced),
        unanswered=gap(found.unanswered),
        few_votes=gap(few_votes),
        pending=gap(pending),
    )
