"""Tests for DF-QuAD argument strength (arguments.scoring).

Hand-computed cases follow the definitions of Rago et al. (KR 2016):
F(()) = 0, F(v1..vn) = 1 - prod(1 - vi);
C(v0, va, vs) = v0 - v0 * (va - vs) if va >= vs else v0 + (1 - v0) * (vs - va).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from arguments.structure.scoring import Contribution, Explanation, base_score, explain, strengths

Edge = tuple[int, int, str]


# --- reference implementation, straight from the definitions ------------------------------


def combine(v0: float, va: float, vs: float) -> float:
    if va >= vs:
        return v0 - v0 * (va - vs)
    return v0 + (1 - v0) * (vs - va)


def aggregate(values: Iterable[float]) -> float:
    return 1 - math.prod(1 - v for v in values)


def children_of(edges: Iterable[Edge]) -> dict[int, list[tuple[int, str]]]:
    children: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for parent, child, stance in dict.fromkeys(edges):
        children[parent].append((child, stance))
    return children


def local_strength(
    node: int, base: Mapping[int, float], edges: Iterable[Edge], scores: Mapping[int, float]
) -> float:
    """C(base, F(attackers), F(supporters)) for one node, from the children's given scores."""
    kids = children_of(edges)[node]
    return combine(
        base.get(node, 0.5),
        aggregate(scores[c] for c, stance in kids if stance == "con"),
        aggregate(scores[c] for c, stance in kids if stance == "pro"),
    )


def reference(base: Mapping[int, float], edges: list[Edge]) -> dict[int, float]:
    """Exact strengths of an acyclic graph by memoised recursion (fine for small graphs)."""
    kids = children_of(edges)
    nodes = set(base) | {n for p, c, _ in edges for n in (p, c)}
    memo: dict[int, float] = {}

    def strength(node: int) -> float:
        if node not in memo:
            memo[node] = combine(
                base.get(node, 0.5),
                aggregate(strength(c) for c, s in kids[node] if s == "con"),
                aggregate(strength(c) for c, s in kids[node] if s == "pro"),
            )
        return memo[node]

    return {node: strength(node) for node in nodes}


# --- hand-computed examples ---------------------------------------------------------------


def test_a_single_node_with_no_children_keeps_its_base_score() -> None:
    # F(()) = 0 on both sides, so C(0.37, 0, 0) = 0.37 - 0.37 * 0 = 0.37.
    assert strengths({1: 0.37}, []) == {1: 0.37}


def test_a_supporter_raises_its_parent_to_v0_plus_the_rest_times_its_strength() -> None:
    # Leaf supporter s = 0.5 keeps its base. Parent: 0.4 + (1 - 0.4) * 0.5 = 0.7.
    scores = strengths({1: 0.4, 2: 0.5}, [(1, 2, "pro")])
    assert scores[2] == 0.5
    assert scores[1] == pytest.approx(0.7)


def test_an_attacker_lowers_its_parent() -> None:
    # Leaf attacker a = 0.25. Parent: 0.8 - 0.8 * 0.25 = 0.6.
    scores = strengths({1: 0.8, 2: 0.25}, [(1, 2, "con")])
    assert scores[1] == pytest.approx(0.6)


def test_an_equal_supporter_and_attacker_leave_the_base_score() -> None:
    # va = vs = 0.6, so va >= vs and C = 0.3 - 0.3 * 0 = 0.3.
    scores = strengths({1: 0.3, 2: 0.6, 3: 0.6}, [(1, 2, "pro"), (1, 3, "con")])
    assert scores[1] == 0.3


def test_support_beyond_attack_moves_the_parent_up_by_the_difference() -> None:
    # va = 0.5 < vs = 0.8, so C = 0.5 + (1 - 0.5) * (0.8 - 0.5) = 0.65.
    scores = strengths({1: 0.5, 2: 0.8, 3: 0.5}, [(1, 2, "pro"), (1, 3, "con")])
    assert scores[1] == pytest.approx(0.65)


def test_two_attackers_aggregate_as_a_probabilistic_sum() -> None:
    # F(0.5, 0.2) = 1 - (1 - 0.5) * (1 - 0.2) = 1 - 0.4 = 0.6; C = 0.5 - 0.5 * 0.6 = 0.2.
    scores = strengths({1: 0.5, 2: 0.5, 3: 0.2}, [(1, 2, "con"), (1, 3, "con")])
    assert scores[1] == pytest.approx(0.2)


def test_a_chain_of_three_is_computed_bottom_up() -> None:
    # Grandchild g (base 0.5) attacks child c (base 0.8), which supports root r (base 0.4).
    # c = 0.8 - 0.8 * 0.5 = 0.4; r = 0.4 + (1 - 0.4) * 0.4 = 0.64.
    scores = strengths({10: 0.4, 20: 0.8, 30: 0.5}, [(20, 30, "con"), (10, 20, "pro")])
    assert scores[30] == 0.5
    assert scores[20] == pytest.approx(0.4)
    assert scores[10] == pytest.approx(0.64)


@pytest.mark.parametrize(
    ("histogram", "expected"),
    [
        ([0, 0, 0, 0, 0], 0.5),  # no votes: neutral
        ([0, 0, 0, 0, 2], 1.0),  # mean 4 / 4
        ([1, 0, 0, 0, 1], 0.5),  # mean (0 + 4) / 2 = 2, / 4
        ([0, 1, 0, 0, 0], 0.25),  # mean 1 / 4
    ],
)
def test_base_score_is_the_mean_vote_over_four_or_a_half_without_votes(
    histogram: list[int], expected: float
) -> None:
    assert base_score(histogram) == expected


@pytest.mark.parametrize("histogram", [[], [1, 2, 3, 4], [0, 0, 0, 0, 0, 1], [0, -1, 0, 0, 2]])
def test_base_score_rejects_malformed_histograms(histogram: list[int]) -> None:
    with pytest.raises(ValueError):
        base_score(histogram)


# --- graph bookkeeping --------------------------------------------------------------------


def test_nodes_only_named_in_edges_get_a_neutral_base_score() -> None:
    # Node 2 is absent from base, so it is a leaf with base 0.5: 0.2 + 0.8 * 0.5 = 0.6.
    scores = strengths({1: 0.2}, [(1, 2, "pro")])
    assert scores == {1: pytest.approx(0.6), 2: 0.5}


def test_every_node_in_base_is_scored_even_without_edges() -> None:
    assert strengths({1: 0.1, 2: 0.9, 3: 0.5}, []) == {1: 0.1, 2: 0.9, 3: 0.5}


def test_a_repeated_edge_counts_once() -> None:
    once = strengths({1: 0.5, 2: 0.6}, [(1, 2, "con")])
    assert strengths({1: 0.5, 2: 0.6}, [(1, 2, "con"), (1, 2, "con")]) == once


def test_an_unknown_stance_is_rejected() -> None:
    with pytest.raises(ValueError, match="stance"):
        strengths({1: 0.5, 2: 0.5}, [(1, 2, "neutral")])


@pytest.mark.parametrize("bad", [-0.1, 1.5, math.nan])
def test_a_base_score_outside_the_unit_interval_is_rejected(bad: float) -> None:
    with pytest.raises(ValueError, match="base score"):
        strengths({1: 0.5, 2: bad}, [(1, 2, "pro")])


# --- cycles -------------------------------------------------------------------------------


def test_a_mutual_attack_under_a_root_terminates_at_a_fixpoint() -> None:
    # a (base 0.6) and b (base 0.4) attack each other; a supports root r, b attacks it.
    # Fixpoint: a = 0.6 - 0.6 b and b = 0.4 - 0.4 a, so a = 0.6 - 0.24 + 0.24 a,
    # a = 0.36 / 0.76 = 9/19 and b = 0.4 * 10/19 = 4/19.
    # Root: vs = 9/19 > va = 4/19, so r = 0.5 + 0.5 * 5/19 = 12/19.
    r, a, b = 1, 2, 3
    base = {r: 0.5, a: 0.6, b: 0.4}
    edges = [(r, a, "pro"), (r, b, "con"), (a, b, "con"), (b, a, "con")]
    scores = strengths(base, edges)
    assert all(0 <= v <= 1 for v in scores.values())
    for node in base:
        assert scores[node] == pytest.approx(local_strength(node, base, edges, scores), abs=1e-8)
    assert scores[a] == pytest.approx(9 / 19, abs=1e-8)
    assert scores[b] == pytest.approx(4 / 19, abs=1e-8)
    assert scores[r] == pytest.approx(12 / 19, abs=1e-8)


def test_a_self_attack_converges_to_its_fixpoint() -> None:
    # a = 0.5 - 0.5 a, so a = 1/3.
    scores = strengths({1: 0.5}, [(1, 1, "con")])
    assert scores[1] == pytest.approx(1 / 3, abs=1e-8)


@pytest.mark.parametrize("max_iterations", [2, 7, 100])
def test_an_oscillating_cycle_stops_and_settles_on_the_mean_of_its_last_two_sweeps(
    max_iterations: int,
) -> None:
    # a (base 1) is attacked by b (base 0), which a supports: a = 1 - b, b = a, fixpoint 1/2.
    # Gauss-Seidel from the bases (1, 0) swings between (1, 1) and (0, 0) for ever; from the
    # second sweep on, the mean of the last two is 1/2 whatever the parity of their number.
    scores = strengths(
        {1: 1.0, 2: 0.0}, [(1, 2, "con"), (2, 1, "pro")], max_iterations=max_iterations
    )
    assert scores == {1: 0.5, 2: 0.5}


# --- depth --------------------------------------------------------------------------------


def chain_reference(bases: list[float], stances: list[str]) -> list[float]:
    """Strengths of the chain 0 <- 1 <- ... <- n-1, computed from the leaf up in a loop."""
    values = bases.copy()
    for i in range(len(bases) - 2, -1, -1):
        child = values[i + 1]
        if stances[i] == "pro":
            values[i] = combine(bases[i], 0.0, child)
        else:
            values[i] = combine(bases[i], child, 0.0)
    return values


def test_a_deep_chain_of_5000_nodes_does_not_hit_the_recursion_limit() -> None:
    n = 5000
    bases = [(i * 37 % 101) / 100 for i in range(n)]
    stances = ["pro" if i % 3 else "con" for i in range(n - 1)]
    edges = [(i, i + 1, stances[i]) for i in range(n - 1)]
    scores = strengths(dict(enumerate(bases)), edges)
    expected = chain_reference(bases, stances)
    assert [scores[i] for i in range(n)] == pytest.approx(expected, abs=1e-12)


def test_a_deep_chain_above_a_cycle_does_not_hit_the_recursion_limit() -> None:
    # Every node depends on the cycle at the bottom, so the cycle search walks all of them.
    n = 5000
    edges = [(i, i + 1, "pro") for i in range(n - 1)] + [(n - 1, n, "con"), (n, n - 1, "con")]
    scores = strengths(dict.fromkeys(range(n + 1), 0.5), edges)
    assert len(scores) == n + 1
    assert all(0 <= v <= 1 for v in scores.values())
    # The bottom pair is a mutual attack with base 0.5: x = 0.5 - 0.5 x, x = 1/3.
    assert scores[n] == pytest.approx(1 / 3, abs=1e-8)


def test_a_cycle_of_5000_nodes_does_not_hit_the_recursion_limit() -> None:
    n = 5000
    edges = [(i, (i + 1) % n, "con") for i in range(n)]
    scores = strengths(dict.fromkeys(range(n), 0.5), edges, max_iterations=5)
    assert len(scores) == n
    assert all(0 <= v <= 1 for v in scores.values())


# --- properties ---------------------------------------------------------------------------

unit = st.floats(min_value=0.0, max_value=1.0)
stances = st.sampled_from(["pro", "con"])


@st.composite
def debates(
    draw: st.DrawFn, *, max_nodes: int = 25, links: str = "any"
) -> tuple[dict[int, float], list[Edge]]:
    """A random forest plus random link edges (``links``: "none", "acyclic" or "any").

    Node ids are arbitrary distinct ints, so that ids and internal positions never agree
    by accident. "acyclic" links only point from earlier to later nodes, like the forest.
    """
    n = draw(st.integers(min_value=1, max_value=max_nodes))
    ids = draw(st.lists(st.integers(-(10**6), 10**6), min_size=n, max_size=n, unique=True))
    base = {node: draw(unit) for node in ids}
    edges: list[Edge] = []
    for i in range(1, n):
        parent = draw(st.one_of(st.none(), st.integers(min_value=0, max_value=i - 1)))
        if parent is not None:  # None starts a new tree
            edges.append((ids[parent], ids[i], draw(stances)))
    if links != "none":
        for _ in range(draw(st.integers(min_value=0, max_value=n))):
            a = draw(st.integers(min_value=0, max_value=n - 1))
            b = draw(st.integers(min_value=0, max_value=n - 1))
            if links == "acyclic":
                if a == b:
                    continue
                a, b = min(a, b), max(a, b)
            edges.append((ids[a], ids[b], draw(stances)))
    return base, edges


@given(debates())
def test_all_strengths_lie_in_the_unit_interval_even_with_cycles(
    debate: tuple[dict[int, float], list[Edge]],
) -> None:
    base, edges = debate
    scores = strengths(base, edges)
    assert set(scores) == set(base) | {n for p, c, _ in edges for n in (p, c)}
    assert all(0.0 <= v <= 1.0 for v in scores.values())


@given(debates(links="acyclic"))
def test_acyclic_graphs_match_the_definition_exactly(
    debate: tuple[dict[int, float], list[Edge]],
) -> None:
    base, edges = debate
    expected = reference(base, edges)
    assert strengths(base, edges) == pytest.approx(expected, abs=1e-12)


@given(debates(links="acyclic"), st.data(), unit, stances)
def test_a_new_leaf_moves_its_parent_only_in_its_own_direction(
    debate: tuple[dict[int, float], list[Edge]], data: st.DataObject, leaf_base: float, stance: str
) -> None:
    # On acyclic graphs a new leaf under X changes nothing below X, so monotonicity of
    # the combination gives: a supporter never lowers X, an attacker never raises it.
    # (On a cycle X's own change can feed back into X through the cycle, so no such rule.)
    base, edges = debate
    x = data.draw(st.sampled_from(sorted(base)))
    leaf = max(base) + 1
    before = strengths(base, edges)[x]
    after = strengths({**base, leaf: leaf_base}, [*edges, (x, leaf, stance)])[x]
    if stance == "pro":
        assert after >= before
    else:
        assert after <= before


@given(debates(links="none"), st.data(), unit)
def test_a_new_supporter_at_the_end_of_an_all_pro_path_never_lowers_the_root(
    debate: tuple[dict[int, float], list[Edge]], data: st.DataObject, leaf_base: float
) -> None:
    # Every step up the all-pro path is a supporter getting at least as strong, which can
    # only raise its parent. The slack of 1e-12 is for rounding alone: the implementation
    # multiplies children's (1 - v) factors in the order they are finished, which the new
    # leaf can change, so an unchanged product may come out one ulp different.
    base, edges = debate
    x = data.draw(st.sampled_from(sorted(base)))
    parent_of = {child: parent for parent, child, _ in edges}
    path = {x}
    node = x
    while node in parent_of:
        node = parent_of[node]
        path.add(node)
    root = node
    edges = [(p, c, "pro" if c in path else s) for p, c, s in edges]
    leaf = max(base) + 1
    before = strengths(base, edges)[root]
    after = strengths({**base, leaf: leaf_base}, [*edges, (x, leaf, "pro")])[root]
    assert after >= before - 1e-12


# --- explain ------------------------------------------------------------------------------


def test_explain_reports_each_childs_effect_as_the_change_when_it_is_removed() -> None:
    # Base 0.5, supporter 0.5, attacker 0.2: va = 0.2 < vs = 0.5, strength
    # 0.5 + 0.5 * 0.3 = 0.65. Without the supporter: 0.5 - 0.5 * 0.2 = 0.4, effect +0.25.
    # Without the attacker: 0.5 + 0.5 * 0.5 = 0.75, effect 0.65 - 0.75 = -0.1.
    base = {1: 0.5, 2: 0.5, 3: 0.2}
    edges = [(1, 3, "con"), (1, 2, "pro")]
    scores = strengths(base, edges)
    explanation = explain(1, base, edges, scores)
    assert explanation.base == 0.5
    assert explanation.strength == pytest.approx(0.65)
    assert explanation.contributions == [
        Contribution(child=2, stance="pro", strength=0.5, effect=pytest.approx(0.25)),
        Contribution(child=3, stance="con", strength=0.2, effect=pytest.approx(-0.1)),
    ]


def test_explain_a_leaf_has_no_contributions() -> None:
    scores = strengths({1: 0.3, 2: 0.7}, [(1, 2, "pro")])
    assert explain(2, {1: 0.3, 2: 0.7}, [(1, 2, "pro")], scores) == Explanation(0.7, 0.7, [])


@given(debates(), st.data())
@settings(max_examples=200)
def test_explain_sorts_by_absolute_effect_and_signs_effects_by_stance(
    debate: tuple[dict[int, float], list[Edge]], data: st.DataObject
) -> None:
    base, edges = debate
    scores = strengths(base, edges)
    node = data.draw(st.sampled_from(sorted(scores)))
    explanation = explain(node, base, edges, scores)
    assert explanation.strength == scores[node]
    assert len(explanation.contributions) == len(children_of(edges)[node])
    magnitudes = [abs(c.effect) for c in explanation.contributions]
    assert magnitudes == sorted(magnitudes, reverse=True)
    for contribution in explanation.contributions:
        assert contribution.strength == scores[contribution.child]
        if contribution.stance == "pro":
            assert contribution.effect >= 0
        else:
            assert contribution.effect <= 0
