"""Synthetic debates of realistic shape, for the benchmark and the load test.

Real debates are broad near the thesis and thin out with depth: here each claim has fewer
children the deeper it stands (depth at most 12), about 5% of the claims are also linked in a
second place, some claims cite sources, and a few hundred users have voted on many points.
Rows are written with bulk inserts (no history: this is measurement data, not user writing).
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.db.models import Max

from arguments.models import Citation, Claim, Debate, Relation, Source, Stance, Tag, Vote

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


def _voters() -> list[Any]:
    User = get_user_model()
    voters = list(User.objects.filter(username__startswith="bench-voter-")[:VOTERS])
    if len(voters) < VOTERS:
        User.objects.bulk_create(
            [User(username=f"bench-voter-{i}") for i in range(len(voters), VOTERS)],
            ignore_conflicts=True,
        )
        voters = list(User.objects.filter(username__startswith="bench-voter-")[:VOTERS])
    return voters


def _shape(size: int, rng: random.Random) -> list[int | None]:
    """Each claim's parent index, breadth-first so depth thins out (the thesis first)."""
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
    return parents


class _Rows:
    """The rows of one or many synthetic debates, written with one bulk insert per table."""

    def __init__(self, voters: list[Any], sources: list[Source]) -> None:
        self.voters = voters
        self.sources = sources
        self.debates: list[tuple[Debate, int, random.Random]] = []

    def add(self, debate: Debate, size: int, rng: random.Random) -> None:
        self.debates.append((debate, size, rng))

    def write(self) -> None:
        shapes = [_shape(size, rng) for _debate, size, rng in self.debates]
        voters = [voter.pk for voter in self.voters]
        sources = [source.pk for source in self.sources]
        claim_id = _next_id(Claim)
        relation_id = _next_id(Relation)
        claims: list[tuple[Any, ...]] = []
        relations: list[list[Any]] = []
        citations: list[tuple[int, int, str]] = []
        votes: list[tuple[int, int, int]] = []
        # The random draws in the order the debate has always been drawn in (its shape,
        # texts and authors, stances and links, citations, votes), so a seed is the same
        # debate as before rows were written this way.
        for (debate, size, rng), parents in zip(self.debates, shapes, strict=True):
            ids = range(claim_id, claim_id + size)
            claim_id += size
            claims.extend(
                (ids[n], debate.pk, _sentence(rng, n), rng.choice(voters), n == 0)
                for n in range(size)
            )
            # id, debate, parent, child, stance, is_link, position, votes_0…votes_4
            own: list[list[Any]] = [
                [0, debate.pk, ids[parent], ids[n],
                 Stance.PRO if rng.random() < 0.5 else Stance.CON, False, n, 0, 0, 0, 0, 0]
                for n, parent in enumerate(parents)
                if parent is not None
            ]  # fmt: skip
            pairs = {(row[2], row[3]) for row in own}
            for _ in range(size // 20):  # about 5% of claims linked in a second place
                child, parent = rng.randrange(1, size), rng.randrange(size)
                pair = (ids[parent], ids[child])
                if child != parent and pair not in pairs:
                    pairs.add(pair)
                    stance = rng.choice([Stance.PRO, Stance.CON])
                    own.append([0, debate.pk, *pair, stance, True, size, 0, 0, 0, 0, 0])
            citations.extend(
                (ids[n], rng.choice(sources), "A quoted passage.") for n in range(0, size, 10)
            )
            # Votes: each relation gets a few, from distinct voters; its tallies are set
            # before it is written, so they match the rows without a second pass.
            for row in own:
                row[0] = relation_id
                relation_id += 1
                for voter in rng.sample(voters, k=rng.randint(0, 4)):
                    value = rng.randint(0, 4)
                    votes.append((voter, row[0], value))
                    row[7 + value] += 1
            relations.extend(own)
        _insert(Claim, ("id", "debate_id", "text", "author_id", "is_thesis"), claims)
        relation_columns = (
            "id", "debate_id", "parent_id", "child_id", "stance", "is_link", "position",
            *Relation.TALLY_FIELDS,
        )  # fmt: skip
        _insert(Relation, relation_columns, relations)
        _insert(Citation, ("claim_id", "source_id", "quote"), citations)
        _insert(Vote, ("user_id", "relation_id", "value"), votes)


def _next_id(model: type[models.Model]) -> int:
    return (model._default_manager.aggregate(top=Max("id"))["top"] or 0) + 1


def _insert(
    model: type[models.Model], names: tuple[str, ...], rows: Sequence[Sequence[Any]]
) -> None:
    """Rows of `model` with the columns `names` (attnames), every other column its default,
    in plain `executemany` batches: the ORM's bulk insert costs a hundred times the database's
    own work per row, which a site of a million claims cannot afford."""
    template = model()
    fixed = [
        (str(field.column), field.get_db_prep_save(field.pre_save(template, add=True), connection))
        for field in model._meta.concrete_fields
        if field.attname not in names and not (field.primary_key and "id" not in names)
    ]
    column_of = {field.attname: str(field.column) for field in model._meta.concrete_fields}
    columns = [column_of[name] for name in names] + [column for column, _v in fixed]
    quote = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        quote(model._meta.db_table),
        ", ".join(quote(column) for column in columns),
        ", ".join(["%s"] * len(columns)),
    )
    values = tuple(value for _c, value in fixed)
    with connection.cursor() as cursor:
        for first in range(0, len(rows), 10_000):
            cursor.executemany(sql, [(*row, *values) for row in rows[first : first + 10_000]])
    if "id" in names and connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for statement in connection.ops.sequence_reset_sql(no_style(), [model]):
                cursor.execute(statement)


def _sources() -> list[Source]:
    return [
        Source.objects.get_or_create(
            url=f"https://example.org/bench/{i}", defaults={"title": f"Benchmark source {i}"}
        )[0]
        for i in range(20)
    ]


@transaction.atomic
def build_debate(size: int, *, slug: str, seed: int = 7) -> Debate:
    """A debate of exactly `size` claims (thesis included) with links, sources and votes."""
    rng = random.Random(seed)
    voters = _voters()
    debate = Debate.objects.create(
        slug=slug, title=f"A synthetic debate of {size} claims", owner=voters[0]
    )
    rows = _Rows(voters, _sources())
    rows.add(debate, size, rng)
    rows.write()
    return debate


def build_site(
    count: int,
    size: int,
    *,
    prefix: str = "site-",
    tags: int = 10,
    each: int = 250,
    start: int = 0,
) -> None:
    """`count` public debates of `size` claims each, slugs `<prefix>0`…, with one bulk insert
    per table for every `each` debates (not an ORM save per row: a site of 5,000 debates of
    200 claims is a million claims), and `tags` tags each on a `tags`-th of the debates.
    `start`: the debates before it are already written (a kept site grown or resumed)."""
    voters = _voters()
    sources = _sources()
    names = [f"{prefix}tag-{n}" for n in range(tags)]
    Tag.objects.bulk_create(
        (Tag(slug=f"{prefix}tag-{n}", name=f"{prefix}tag {n}") for n in range(tags)),
        ignore_conflicts=True,
    )
    made = sorted(Tag.objects.filter(slug__in=names), key=lambda tag: names.index(tag.slug))
    for first in range(start, count, each):
        with transaction.atomic():
            numbers = range(first, min(count, first + each))
            debates = Debate.objects.bulk_create(
                Debate(
                    slug=f"{prefix}{n}",
                    title=f"A synthetic debate of {size} claims, number {n}",
                    owner=voters[0],
                )
                for n in numbers
            )
            rows = _Rows(voters, sources)
            for n, debate in zip(numbers, debates, strict=True):
                # The same debate `build_debate(size, seed=n)` writes.
                rows.add(debate, size, random.Random(n))
            rows.write()
            if made:
                Debate.tags.through._default_manager.bulk_create(
                    Debate.tags.through(debate_id=debate.pk, tag_id=made[n % tags].pk)
                    for n, debate in zip(numbers, debates, strict=True)
                )


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
