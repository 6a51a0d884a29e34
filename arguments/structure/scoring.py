"""Argument strength with DF-QuAD (Rago, Toni, Aurisicchio, Baroni, KR 2016).

A debate is a graph of points. Every edge ``(parent, child, stance)`` says that ``child``
supports (``"pro"``) or attacks (``"con"``) ``parent``. Each point has a *base score* in
[0, 1] from its votes, and its *strength* is its base score moved up by its supporters
and down by its attackers:

* the strengths of the attackers are aggregated with the probabilistic sum
  ``F(v1..vn) = 1 - prod(1 - vi)`` (``F(()) = 0``), and so are those of the supporters;
* the combination of base ``v0`` with attack ``va`` and support ``vs`` is
  ``v0 - v0 * (va - vs)`` if ``va >= vs``, else ``v0 + (1 - v0) * (vs - va)``.

Why DF-QuAD rather than a plain sum or QuAD: strengths stay in [0, 1] without clamping; the
probabilistic sum saturates, so a pile of weak supporters cannot outweigh one decisive
attacker; attack and support cancel symmetrically, so one supporter and one attacker of
equal strength leave a point at its base score; and, unlike QuAD, the result is a
continuous function of every base score, so a small change in votes never makes a
strength jump. The result is also monotone: a stronger supporter never lowers its parent
and a stronger attacker never raises it.

The original relations form a forest, which is evaluated exactly in one bottom-up pass.
"Link" edges can close cycles (say, two points attacking each other), where strength is
defined only as a fixpoint; those strongly connected components are solved by a bounded
Gauss-Seidel iteration that starts from the base scores. Everything is iterative, because
debates are deep enough that recursion would hit Python's recursion limit.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import chain

__all__ = [
    "CON",
    "DEFAULT_BASE",
    "PRO",
    "Contribution",
    "Explanation",
    "base_score",
    "explain",
    "local_strength",
    "strengths",
]

logger = logging.getLogger(__name__)

PRO = "pro"
CON = "con"

# A point nobody has voted on (or that only appears in an edge) is neither credible nor
# discredited, so it starts in the middle of the scale.
DEFAULT_BASE = 0.5

# Votes take the values 0..4, so a histogram has one bucket per value.
_VOTE_VALUES = 5
_MAX_VOTE = _VOTE_VALUES - 1

Edge = tuple[int, int, str]


@dataclass(frozen=True, slots=True)
class Contribution:
    """How much one child moves its parent's strength (see :func:`explain`)."""

    child: int
    stance: str
    strength: float
    effect: float


@dataclass(frozen=True, slots=True)
class Explanation:
    """A point's base score, its strength, and its children's contributions to it."""

    base: float
    strength: float
    contributions: list[Contribution]


def base_score(histogram: Sequence[int]) -> float:
    """Return the mean vote scaled to [0, 1], or ``DEFAULT_BASE`` when nobody voted.

    ``histogram[k]`` is the number of votes with value ``k`` for ``k`` in 0..4.
    """
    if len(histogram) != _VOTE_VALUES:
        raise ValueError(f"expected {_VOTE_VALUES} vote counts, got {len(histogram)}")
    if any(count < 0 for count in histogram):
        raise ValueError(f"vote counts must be non-negative: {list(histogram)}")
    total = sum(histogram)
    if total == 0:
        return DEFAULT_BASE
    weighted = sum(value * count for value, count in enumerate(histogram))
    return weighted / (total * _MAX_VOTE)


def _combine(v0: float, va: float, vs: float) -> float:
    """DF-QuAD combination of base ``v0`` with attack ``va`` and support ``vs``."""
    # Both branches give v0 when va == vs, which is what makes the semantics continuous.
    if va >= vs:
        return v0 - v0 * (va - vs)
    return v0 + (1.0 - v0) * (vs - va)


def _aggregate(values: Iterable[float]) -> float:
    """DF-QuAD aggregation: the probabilistic sum, 0 for no values."""
    remaining = 1.0
    for value in values:
        remaining *= 1.0 - value
    return 1.0 - remaining


def local_strength(base: float, children: Iterable[tuple[float, str]]) -> float:
    """One point's strength from its base and its children's (strength, stance), as given.

    For updating a single point after a vote without re-scoring the whole debate: the
    children's strengths do not depend on their parent, so this is exact for the point.
    """
    children = list(children)
    attack = _aggregate(v for v, stance in children if stance == CON)
    support = _aggregate(v for v, stance in children if stance == PRO)
    return _combine(base, attack, support)


def _check_unit(node: int, value: float) -> float:
    # ``not 0 <= x <= 1`` is also true for NaN, which would otherwise poison every ancestor.
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"base score of node {node} must be in [0, 1], got {value!r}")
    return value


def _bad_stance(edge: Edge) -> ValueError:
    return ValueError(f"stance must be {PRO!r} or {CON!r}, got {edge!r}")


def _is_pro(edge: Edge) -> bool:
    stance = edge[2]
    if stance == PRO:
        return True
    if stance == CON:
        return False
    raise _bad_stance(edge)


@dataclass(slots=True)
class _Graph:
    """The debate as flat lists indexed by dense node number.

    Flat lists rather than per-node objects or per-node child lists: allocating tens of
    thousands of small containers costs more than all of the arithmetic.
    """

    ids: list[int]  # node number -> node id
    bases: list[float]
    # Each node's first parent edge (-1: none); in a forest that is its only one. Further
    # parents, which only link edges create, are in ``more_parents``, keyed by child.
    up_parent: list[int]
    up_pro: list[bool]
    more_parents: dict[int, dict[tuple[int, bool], None]]
    # Children whose strength is not known yet; > 0 at the end only on or above cycles.
    pending: list[int]

    @classmethod
    def build(cls, base: Mapping[int, float], edges: Iterable[Edge]) -> _Graph:
        ids = list(base)
        bases = list(base.values())
        if not all(0.0 <= value <= 1.0 for value in bases):
            for node, value in base.items():
                _check_unit(node, value)
        n = len(ids)
        graph = cls(ids, bases, [-1] * n, [False] * n, {}, [0] * n)
        index = {node: i for i, node in enumerate(ids)}
        up_parent, up_pro, more_parents, pending = (
            graph.up_parent,
            graph.up_pro,
            graph.more_parents,
            graph.pending,
        )
        for edge in edges:
            parent, child, stance = edge
            # _is_pro, inlined: this loop runs once per edge.
            if stance == PRO:
                pro = True
            elif stance == CON:
                pro = False
            else:
                raise _bad_stance(edge)
            # Subscripts rather than .get(): try is free in Python 3.11+, method calls are not.
            try:
                p = index[parent]
            except KeyError:
                p = index[parent] = graph.add(parent)
            try:
                c = index[child]
            except KeyError:
                c = index[child] = graph.add(child)
            first = up_parent[c]
            if first < 0:
                up_parent[c] = p
                up_pro[c] = pro
            # A repeated edge counts once: a link that duplicates an existing relation
            # must not double its weight.
            elif first == p and up_pro[c] == pro:
                continue
            else:
                extra = more_parents.setdefault(c, {})
                if (p, pro) in extra:
                    continue
                extra[p, pro] = None
            pending[p] += 1
        return graph

    def add(self, node: int) -> int:
        """Append a node known only from an edge, with the neutral base score."""
        self.ids.append(node)
        self.bases.append(DEFAULT_BASE)
        self.up_parent.append(-1)
        self.up_pro.append(False)
        self.pending.append(0)
        return len(self.ids) - 1

    def parents(self, i: int) -> list[tuple[int, bool]]:
        """All (parent, is_pro) edges above node ``i``."""
        first = self.up_parent[i]
        if first < 0:
            return []
        return [(first, self.up_pro[i]), *self.more_parents.get(i, ())]


def strengths(
    base: Mapping[int, float],
    edges: Iterable[Edge],
    *,
    max_iterations: int = 100,
    tolerance: float = 1e-9,
) -> dict[int, float]:
    """Return the DF-QuAD strength of every node in ``base`` or in ``edges``.

    Nodes that only appear in ``edges`` get base ``DEFAULT_BASE``. Repeated identical edges
    count once.

    Nodes that do not depend on a cycle are computed exactly. Each strongly connected
    component containing a cycle is solved by Gauss-Seidel sweeps in node-id order (so the
    order of the edges does not matter) starting from the base scores, until no strength
    moves by more than ``tolerance`` or ``max_iterations`` sweeps have run. A component that
    has not converged by then (DF-QuAD maps on cycles can oscillate) gets the mean of its
    last two sweeps, which does not depend on the parity of ``max_iterations``.
    """
    if max_iterations < 0:
        raise ValueError(f"max_iterations must be >= 0, got {max_iterations}")
    if not tolerance >= 0.0:
        raise ValueError(f"tolerance must be >= 0, got {tolerance}")
    graph = _Graph.build(base, edges)
    bases, up_parent, up_pro, more_parents, pending = (
        graph.bases,
        graph.up_parent,
        graph.up_pro,
        graph.more_parents,
        graph.pending,
    )
    n = len(bases)

    # The aggregates are accumulated as the products prod(1 - v) over the children scored
    # so far (F = 1 - product), so no node ever needs a list of its children.
    unattacked = [1.0] * n
    unsupported = [1.0] * n
    score = bases.copy()  # the base score until the strength is known

    # Kahn's algorithm from the leaves up: a node is ready once all its children are known.
    # On a forest (the usual case) this alone scores everything, exactly, in one pass.
    ready = [i for i in range(n) if not pending[i]]
    while ready:
        i = ready.pop()
        v0 = bases[i]
        va = 1.0 - unattacked[i]
        vs = 1.0 - unsupported[i]
        # _combine, inlined: this loop runs once per node.
        s = v0 - v0 * (va - vs) if va >= vs else v0 + (1.0 - v0) * (vs - va)
        score[i] = s
        p = up_parent[i]
        if p < 0:
            continue
        if up_pro[i]:
            unsupported[p] *= 1.0 - s
        else:
            unattacked[p] *= 1.0 - s
        pending[p] -= 1
        if not pending[p]:
            ready.append(p)
        if i in more_parents:  # only link edges give a node a second parent
            for p, pro in more_parents[i]:
                if pro:
                    unsupported[p] *= 1.0 - s
                else:
                    unattacked[p] *= 1.0 - s
                pending[p] -= 1
                if not pending[p]:
                    ready.append(p)

    if any(pending):  # some nodes lie on a cycle or above one
        _solve_cycles(graph, score, unattacked, unsupported, max_iterations, tolerance)
    return dict(zip(graph.ids, score, strict=True))


def _solve_cycles(
    graph: _Graph,
    score: list[float],
    unattacked: list[float],
    unsupported: list[float],
    max_iterations: int,
    tolerance: float,
) -> None:
    """Score, in place, the nodes that Kahn's pass left pending: on or above cycles.

    ``unattacked`` and ``unsupported`` already hold prod(1 - v) over the scored children.
    """
    # Usually a handful of nodes, so from here on plain dicts keyed by node number do.
    residue = [i for i, waiting in enumerate(graph.pending) if waiting]
    # The unscored children of each unscored node (all parents of an unscored node are
    # unscored too, since it has not propagated its strength to any of them).
    attackers: dict[int, list[int]] = {}
    supporters: dict[int, list[int]] = {}
    for c in residue:
        for p, pro in graph.parents(c):
            (supporters if pro else attackers).setdefault(p, []).append(c)

    def children(i: int) -> Iterator[int]:
        return chain(attackers.get(i, ()), supporters.get(i, ()))

    def evaluate(i: int) -> float:
        remaining_attack = unattacked[i]
        for c in attackers.get(i, ()):
            remaining_attack *= 1.0 - score[c]
        remaining_support = unsupported[i]
        for c in supporters.get(i, ()):
            remaining_support *= 1.0 - score[c]
        return _combine(graph.bases[i], 1.0 - remaining_attack, 1.0 - remaining_support)

    # Tarjan's algorithm emits each strongly connected component only after every
    # component below it, which is exactly the order in which strengths can be computed.
    # An explicit stack of (node, iterator over its children) replaces recursion.
    order: dict[int, int] = {}  # discovery number of each visited node
    low: dict[int, int] = {}
    on_stack: set[int] = set()
    component_stack: list[int] = []
    for start in residue:
        if start in order:
            continue
        order[start] = low[start] = len(order)
        component_stack.append(start)
        on_stack.add(start)
        calls = [(start, children(start))]
        while calls:
            v, unvisited = calls[-1]
            for w in unvisited:
                if w not in order:
                    order[w] = low[w] = len(order)
                    component_stack.append(w)
                    on_stack.add(w)
                    calls.append((w, children(w)))
                    break
                if w in on_stack:
                    low[v] = min(low[v], order[w])
            else:
                calls.pop()
                if calls:
                    u = calls[-1][0]
                    low[u] = min(low[u], low[v])
                if low[v] == order[v]:
                    component: list[int] = []
                    while True:
                        w = component_stack.pop()
                        on_stack.remove(w)
                        component.append(w)
                        if w == v:
                            break
                    if len(component) == 1 and v not in children(v):
                        score[v] = evaluate(v)  # merely above a cycle: exact
                    else:
                        component.sort(key=graph.ids.__getitem__)
                        _iterate(component, evaluate, score, max_iterations, tolerance)


def _iterate(
    component: list[int],
    evaluate: Callable[[int], float],
    score: list[float],
    max_iterations: int,
    tolerance: float,
) -> None:
    """Gauss-Seidel sweeps over one cyclic component whose other children are all scored."""
    previous = [score[i] for i in component]
    for _ in range(max_iterations):
        previous = [score[i] for i in component]
        change = 0.0
        for i in component:
            value = evaluate(i)
            change = max(change, abs(value - score[i]))
            score[i] = value
        if change <= tolerance:
            return
    # Not converged: typically a period-2 oscillation (an attack cycle is order-reversing),
    # whose last iterate would depend on the parity of max_iterations. The mean of the last
    # two sweeps is stable, lies in [0, 1], and is the fixpoint for symmetric oscillations.
    for i, before in zip(component, previous, strict=True):
        score[i] = (before + score[i]) / 2.0
    if max_iterations:
        logger.info(
            "DF-QuAD iteration did not converge within %d sweeps on a cycle of %d nodes",
            max_iterations,
            len(component),
        )


def explain(
    node: int,
    base: Mapping[int, float],
    edges: Iterable[Edge],
    scores: Mapping[int, float],
) -> Explanation:
    """Explain ``node``'s strength in terms of its children, given ``scores`` of all nodes.

    The *effect* of a child is ``node``'s strength minus what it would be without that one
    edge: the combination of ``node`` is recomputed from the other children's strengths as
    given in ``scores``, without propagating anything through the graph. That keeps effects
    local ("how much does this child move its parent"), and it makes a supporter's effect
    always >= 0 and an attacker's always <= 0. Effects need not add up to
    ``strength - base``, because the probabilistic sum is not additive.

    ``strength`` is ``scores[node]``; effects are measured from the combination recomputed
    from ``scores``, which equals it for scores returned by :func:`strengths` (up to
    rounding, and within the fixpoint tolerance on cycles). Contributions are sorted by
    absolute effect, largest first, ties by child id.
    """
    v0 = _check_unit(node, base.get(node, DEFAULT_BASE))
    children: list[Edge] = []
    seen: set[Edge] = set()
    for edge in edges:
        if edge[0] == node and edge not in seen:
            _is_pro(edge)  # validates the stance
            seen.add(edge)
            children.append(edge)

    attack = [scores[child] for _, child, stance in children if stance == CON]
    support = [scores[child] for _, child, stance in children if stance == PRO]
    everything = _combine(v0, _aggregate(attack), _aggregate(support))

    contributions = []
    positions = {CON: 0, PRO: 0}  # where the next child of each stance sits in its list
    for _, child, stance in children:
        k = positions[stance]
        positions[stance] += 1
        if stance == CON:
            without = _combine(v0, _aggregate(attack[:k] + attack[k + 1 :]), _aggregate(support))
        else:
            without = _combine(v0, _aggregate(attack), _aggregate(support[:k] + support[k + 1 :]))
        effect = everything - without
        contributions.append(Contribution(child, stance, scores[child], effect))
    contributions.sort(key=lambda c: (-abs(c.effect), c.child, c.stance))
    return Explanation(base=v0, strength=scores[node], contributions=contributions)
