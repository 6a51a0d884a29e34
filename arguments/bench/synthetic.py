"""Synthetic debates of realistic shape, for the benchmark and the load test.

Real debates are broad near the thesis and thin out with depth: here each claim has fewer
children the deeper it stands (depth at most 12), about 5% of the claims are also linked in a
second place, some claims cite sources, and a few hundred users have voted on many points.
Rows are written with bulk inserts (no history: this is measurement data, not user writing).
"""

from __future__ import annotations

import random
from collections import Counter

from django.contrib.auth import get_user_model
from django.db import transaction

from arguments.models import Citation, Claim, Debate, Relation, Source, Stance, Vote

MAX_DEPTH = 12
VOTERS = 300
WORDS = [
    "open", "weights", "let", "researchers", "audit", "models", "while", "misuse", "risks",
    "grow", "with", "capability", "and", "regulators", "weigh", "thresholds", "sovereignty",
    "innovation", "safety", "evidence", "incentives", "markets", "compute", "access",
    "transparency", "proliferation", "benchmarks", "licences", "governance",
]  # fmt: skip


def _sentence(rng: random.Random, n: int) -> str:
    words = rng.sample(WORDS, k=min(len(WORDS), 8 + n % 9))
    return f"Claim {n}: " + " ".join(words).capitalize() + "."


def _children_at(depth: int, rng: random.Random) -> int:
    """How many pros and cons a claim at this depth gets: many near the thesis, few deep."""
    mean = max(0.6, 6.0 / (1 + depth * 0.8))
    return max(0, int(rng.expovariate(1 / mean) + 0.5))


@transaction.atomic
def build_debate(size: int, *, slug: str, seed: int = 7) -> Debate:
    """A debate of exactly `size` claims (thesis included) with links, sources and votes."""
    rng = random.Random(seed)
    User = get_user_model()
    voters = list(User.objects.filter(username__startswith="bench-voter-")[:VOTERS])
    if len(voters) < VOTERS:
        User.objects.bulk_create(
            [User(username=f"bench-voter-{i}") for i in range(len(voters), VOTERS)],
            ignore_conflicts=True,
        )
        voters = list(User.objects.filter(username__startswith="bench-voter-")[:VOTERS])
    owner = voters[0]
    debate = Debate.objects.create(
        slug=slug, title=f"A synthetic debate of {size} claims", owner=owner
    )

    # Shape first (parent index and depth of each claim), breadth-first so depth thins out.
    parents: list[int | None] = [None]
    depths = [0]
    frontier = [0]
    while len(parents) < size:
        next_frontier: list[int] = []
        for index in frontier:
            if depths[index] >= MAX_DEPTH:
                continue
            for _ in range(_children_at(depths[index], rng)):
                if len(parents) == size:
                    break
                parents.append(index)
                depths.append(depths[index] + 1)
                next_frontier.append(len(parents) - 1)
        if not next_frontier:  # keep growing somewhere shallow until the size is reached
            next_frontier = [rng.randrange(len(parents)) for _ in range(8)]
            next_frontier = [i for i in next_frontier if depths[i] < MAX_DEPTH] or [0]
        frontier = next_frontier

    claims = Claim.objects.bulk_create(
        [
            Claim(
                debate=debate, text=_sentence(rng, n), author=rng.choice(voters), is_thesis=n == 0
            )
            for n in range(size)
        ],
        batch_size=2000,
    )
    relations = [
        Relation(
            debate=debate,
            parent=claims[parent],
            child=claims[n],
            stance=Stance.PRO if rng.random() < 0.5 else Stance.CON,
            position=n,
        )
        for n, parent in enumerate(parents)
        if parent is not None
    ]
    pairs = {(r.parent_id, r.child_id) for r in relations}
    for _ in range(size // 20):  # about 5% of claims linked in a second place
        child, parent = rng.randrange(1, size), rng.randrange(size)
        pair = (claims[parent].pk, claims[child].pk)
        if child != parent and pair not in pairs:
            pairs.add(pair)
            relations.append(
                Relation(debate=debate, parent=claims[parent], child=claims[child],
                         stance=rng.choice([Stance.PRO, Stance.CON]), is_link=True, position=size)
            )  # fmt: skip
    relations = Relation.objects.bulk_create(relations, batch_size=2000)

    sources = [
        Source.objects.get_or_create(
            url=f"https://example.org/bench/{i}", defaults={"title": f"Benchmark source {i}"}
        )[0]
        for i in range(20)
    ]
    Citation.objects.bulk_create(
        [
            Citation(claim=claims[n], source=rng.choice(sources), quote="A quoted passage.")
            for n in range(0, size, 10)
        ],
        batch_size=2000,
    )

    # Votes: each relation gets a few, from distinct voters; tallies match the rows.
    votes: list[Vote] = []
    tallies: dict[int, Counter[int]] = {}
    for relation in relations:
        for voter in rng.sample(voters, k=rng.randint(0, 4)):
            value = rng.randint(0, 4)
            votes.append(Vote(user=voter, relation=relation, value=value))
            tallies.setdefault(relation.pk, Counter())[value] += 1
    Vote.objects.bulk_create(votes, batch_size=5000)
    for relation in relations:
        tally = tallies.get(relation.pk, Counter())
        for value in range(5):
            setattr(relation, f"votes_{value}", tally[value])
    Relation.objects.bulk_update(relations, list(Relation.TALLY_FIELDS), batch_size=2000)
    return debate


def deepest_branch(debate: Debate) -> int:
    """The id of a claim as deep as possible that still has pros or cons beneath it."""
    parents = dict(
        Relation.objects.filter(debate=debate).originals().values_list("child_id", "parent_id")
    )
    with_children = set(parents.values())

    def depth(claim_id: int) -> int:
        steps = 0
        while claim_id in parents:
            claim_id = parents[claim_id]
            steps += 1
        return steps

    return max(with_children, key=depth)
