"""Property-based: random sequences of writes keep the debate's invariants.

Whatever order people add, link, move, hide, restore and vote in, the original relations stay
a forest rooted at the theses, every claim stays reachable from a thesis, and every point's
tally equals a recount of its vote rows.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from arguments import services
from arguments.models import Claim, Relation

pytestmark = pytest.mark.django_db

index = st.integers(min_value=0, max_value=40)
stance = st.sampled_from(["pro", "con"])
operation = st.one_of(
    st.tuples(st.just("add"), index, stance),
    st.tuples(st.just("link"), index, index, stance),
    st.tuples(st.just("move"), index, index, stance),
    st.tuples(st.just("hide"), index),
    st.tuples(st.just("restore"), index),
    st.tuples(st.just("vote"), index, index, st.integers(min_value=0, max_value=4)),
    st.tuples(st.just("withdraw"), index, index),
)


def assert_forest(debate) -> None:
    claims = list(Claim.objects.filter(debate=debate).values_list("id", "is_thesis"))
    originals: dict[int, int] = {}
    for child, parent in Relation.objects.filter(debate=debate, is_link=False).values_list(
        "child_id", "parent_id"
    ):
        assert child not in originals, "a claim has two original relations"
        originals[child] = parent
    for claim_id, is_thesis in claims:
        if is_thesis:
            assert claim_id not in originals, "a thesis has a parent"
            continue
        assert claim_id in originals, "a claim has no original relation"
        seen = {claim_id}
        current = originals[claim_id]
        while current in originals:
            assert current not in seen, "the original relations form a cycle"
            seen.add(current)
            current = originals[current]
        assert dict(claims)[current], "a claim does not lead back to a thesis"


def apply(op, *, claims, users, moderator) -> None:
    kind, *args = op
    pick = lambda i: claims[i % len(claims)]  # noqa: E731
    if kind == "add":
        claims.append(
            services.claim_add(
                actor=users[0], parent=pick(args[0]), stance=args[1], text=f"Claim {len(claims)}"
            )
        )
    elif kind == "link":
        services.claim_link(
            actor=users[0], claim=pick(args[0]), parent=pick(args[1]), stance=args[2]
        )
    elif kind == "move":
        services.claim_move(
            actor=moderator, claim=pick(args[0]), parent=pick(args[1]), stance=args[2]
        )
    elif kind == "hide":
        services.claim_hide(actor=moderator, claim=pick(args[0]))
    elif kind == "restore":
        services.claim_restore(actor=moderator, claim=pick(args[0]))
    elif kind in ("vote", "withdraw"):
        claim = pick(args[1])
        point = claim if claim.is_thesis else claim.parent_relations.get(is_link=False)
        user = users[args[0] % len(users)]
        if kind == "vote":
            services.vote_cast(user=user, point=point, value=args[2])
        else:
            services.vote_withdraw(user=user, point=point)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(operations=st.lists(operation, min_size=1, max_size=25))
def test_random_writes_keep_the_forest_and_the_tallies(cast, debate, thesis, operations):
    with transaction.atomic():
        claims = [thesis]
        users = [cast.writer, cast.viewer, cast.editor]
        for op in operations:
            try:
                with transaction.atomic():
                    apply(op, claims=claims, users=users, moderator=cast.moderator)
            except ValidationError:
                pass  # refused writes are part of the property: they must leave no trace
            for claim in claims:
                claim.refresh_from_db()
        assert_forest(debate)
        assert services.votes_recount()[1] == 0, "a tally drifted from its vote rows"
        transaction.set_rollback(True)
