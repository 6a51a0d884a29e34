"""Keeping a loaded debate's argument strengths current after votes, without re-scoring it.

A vote changes one point's base score. DF-QuAD strength flows upward only (a claim's strength
depends on its base and its pros' and cons' strengths), so only the voted claim and its
ancestors, over every relation that feeds strength (links included), can change. Those are
re-scored with `scoring.strengths` on the small graph they form, every other child entering
it at its current strength: exact where that graph is a forest, and on a cycle the same
bounded fixpoint the whole debate's scoring runs (a cycle through an ancestor lies wholly
among the ancestors, so it is solved from the same values in the same order).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from arguments.structure import scoring

if TYPE_CHECKING:
    from arguments.structure.graph import DebateStructure


def base_of(structure: DebateStructure, claim_id: int) -> float:
    """A published claim's base score: its original place's impact votes (a thesis: its own
    truth votes), or the neutral score when nobody voted."""
    edge = structure.original.get(claim_id)
    v0, v1, v2, v3, v4 = edge.tally if edge else structure.nodes[claim_id].tally
    votes = v0 + v1 + v2 + v3 + v4
    return (v1 + 2 * v2 + 3 * v3 + 4 * v4) / (4 * votes) if votes else scoring.DEFAULT_BASE


def ancestors(structure: DebateStructure, claims: Iterable[int]) -> set[int]:
    """The given published claims and every published claim above them, over the relations
    strength runs on (between published claims, links included)."""
    scored = structure.strength
    found = {c for c in claims if c in scored}
    stack = list(found)
    parents = structure.parents
    while stack:
        for edge in parents.get(stack.pop(), ()):
            if edge.parent in scored and edge.parent not in found:
                found.add(edge.parent)
                stack.append(edge.parent)
    return found


def rescore(structure: DebateStructure, claims: Iterable[int]) -> set[int]:
    """Recompute the base scores of `claims` (their tallies changed) and the strengths of
    them and their ancestors, in place; returns the claims re-scored."""
    base, strength = structure.base, structure.strength
    changed = [c for c in claims if c in strength]  # pending or hidden claims have none
    for claim_id in changed:
        base[claim_id] = base_of(structure, claim_id)
    affected = ancestors(structure, changed)
    sub_base = {claim_id: base[claim_id] for claim_id in affected}
    edges: list[scoring.Edge] = []
    for parent in affected:
        for edge in structure.children.get(parent, ()):
            child = edge.child
            if child not in strength:
                continue
            edges.append((parent, child, edge.stance))
            if child not in affected:
                # Settled below the change: enters as a leaf whose base is its strength.
                sub_base[child] = strength[child]
    fresh = scoring.strengths(sub_base, edges)
    for claim_id in affected:
        strength[claim_id] = fresh[claim_id]
    return affected


def with_tally(structure: DebateStructure, claim_id: int, tally: Sequence[int]) -> float | None:
    """The claim's strength were its point's tally `tally` (a vote just moved it) and all else
    as held: its own DF-QuAD step from the new base score and its pros' and cons' strengths
    (which do not depend on it). None for a claim without strength (pending or hidden)."""
    strength = structure.strength
    if claim_id not in strength:
        return None
    children = [
        (strength[edge.child], edge.stance)
        for edge in structure.children.get(claim_id, ())
        if edge.child in strength
    ]
    return scoring.local_strength(scoring.base_score(tally), children)
