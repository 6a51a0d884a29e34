"""A read racing a write never answers 500 and never shows a tree that did not exist (issue 38).

A read that assembles one answer from several statements (the whole load of a debate, its
catch-up after a write, the first screen's slice, an export) used to read each statement in its
own snapshot: a claim and its relation committed between the statement for claims and the one
for relations gave a relation to a claim never read, and `Lens.beneath` raised KeyError.

The deterministic tests commit a new claim with its relation from another connection after
each statement of a request in turn, and check the answer and the structure kept: the new claim
is there with its relation, or not at all. The property test (PostgreSQL) races a writer and a
reader in two threads and checks every tree read is one that existed at some instant.
"""

from __future__ import annotations

import random
import re
import threading
from contextlib import contextmanager
from typing import TYPE_CHECKING

import pytest
from django.db import connection
from django.urls import reverse

from arguments import services
from arguments.models import Claim, Debate, Stance
from arguments.structure import loader
from arguments.structure.graph import dangling
from arguments.structure.loader import debate_structure
from arguments.structure.snapshot import in_snapshot
from arguments.views import member_pages
from tests.conftest import build_debate

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

pytestmark = pytest.mark.django_db(transaction=True)

WRITTEN = "Written while the page was read"


def _write_from_another_connection(debate: Debate, text: str) -> None:
    """Add a pro under the first thesis, committed by another thread's own connection."""
    failures: list[BaseException] = []

    def write() -> None:
        try:
            thesis = Claim.objects.get(debate=debate, is_thesis=True)
            services.claim_add(actor=debate.owner, parent=thesis, stance=Stance.PRO, text=text)
        except BaseException as error:  # reported in the test's thread
            failures.append(error)
        finally:
            connection.close()

    writer = threading.Thread(target=write)
    writer.start()
    writer.join(timeout=30)
    assert not writer.is_alive(), "the write waited on the read: a snapshot must not block"
    assert not failures, failures


@contextmanager
def _writes_after_statement(debate: Debate, number: int) -> Iterator[list[str]]:
    """Commit a new claim (another connection) right after this connection's read statement
    `number` (from 0) of the block; yields the statements run. Statements inside this
    connection's own writes are not counted: a writer waits for those by design."""
    statements: list[str] = []

    def hook(execute: Callable, sql: str, params: object, many: bool, context: object) -> object:
        result = execute(sql, params, many, context)
        if _reading(sql):
            statements.append(sql)
        if _reading(sql) and len(statements) - 1 == number:
            _write_from_another_connection(debate, f"{WRITTEN} {number}.")
        return result

    with connection.execute_wrapper(hook):
        yield statements


def _consistent(debate: Debate) -> None:
    """The structure this process keeps holds every claim written meanwhile with its relation,
    or neither (a tree that existed at some instant)."""
    if not loader.holds(debate):
        return
    structure = debate_structure(Debate.objects.get(pk=debate.pk))
    assert not dangling(structure)
    for node in structure.nodes.values():
        if node.text.startswith(WRITTEN):
            assert node.id in structure.original, f"{node.text!r} held without its relation"


def _reading(sql: str) -> bool:
    """Whether this connection is between statements where another may commit: not inside
    a transaction of its own that writes (its reads' snapshot is one it may hold), nor just
    beginning one (SQLite's BEGIN runs before Django marks the block)."""
    if sql.startswith(("BEGIN", "SAVEPOINT", "RELEASE", "ROLLBACK")):
        return False
    return not connection.in_atomic_block or in_snapshot()


def _statements_of(request: Callable[[], object]) -> int:
    statements: list[str] = []

    def count(execute: Callable, sql: str, params: object, many: bool, context: object) -> object:
        if _reading(sql):
            statements.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        request()
    return len(statements)


def _race_every_statement(
    debate: Debate, prepare: Callable[[], None], request: Callable[[], object]
) -> int:
    """Run `request` once per statement it makes, a write committed after that statement;
    `prepare` sets the process up before each run. Returns how many runs."""
    prepare()
    runs = _statements_of(request)
    for number in range(runs):
        prepare()
        with _writes_after_statement(debate, number):
            request()
        _consistent(debate)
    return runs


@pytest.fixture
def race(cast):
    debate = build_debate(60, owner=cast.owner, slug="racing")
    return debate


def _page(client, url: str) -> Callable[[], object]:
    def get() -> object:
        response = client.get(url)
        assert response.status_code == 200, response.content[:2000]
        return response

    return get


def test_a_claim_written_between_the_statements_of_a_whole_load_never_breaks_the_page(
    client, cast, race
):
    thesis = race.claims.get(is_thesis=True)
    client.force_login(cast.viewer)
    focus = reverse("arguments:claim", kwargs={"slug": race.slug, "pk": thesis.pk})
    runs = _race_every_statement(race, loader.forget_structures, _page(client, focus))
    assert runs >= 5  # the versions, relations, claims, citations and notes at least


def test_a_claim_written_between_the_statements_of_the_first_screen_never_breaks_it(
    client, cast, race
):
    """The slice reads relations before the claims at their ends, so it never dangled; but
    its stamp (what the live poll compares with) was read before it: a page showing a claim
    written meanwhile was stamped older, and was told of that claim as news."""
    url = race.get_absolute_url()
    client.force_login(cast.viewer)  # a visitor's page would be the one kept

    def first_screen_slice() -> None:
        client.get(url)  # loads the debate whole and stores its strengths: the slice is usable
        loader.forget_structures()  # and this process holds nothing: the next page is a slice
        member_pages.forget_pages()  # rendered, not the reader's page kept whole

    first_screen_slice()
    runs = _statements_of(lambda: client.get(url))
    assert runs >= 5
    for number in range(runs):
        first_screen_slice()
        with _writes_after_statement(race, number):
            page = client.get(url)
        assert page.status_code == 200
        body = page.content.decode()
        stamp = int(re.search(r'data-live-etag="(?:&quot;)?(\d+)\.', body).group(1))
        written = Claim.objects.get(text=f"{WRITTEN} {number}.")
        shown = written.text in body
        version = Debate.objects.get(pk=race.pk).structure_version
        assert (stamp == version) if shown else (stamp < version), (number, shown, stamp)


def test_a_claim_written_between_the_statements_of_a_catch_up_never_breaks_the_page(
    client, cast, race
):
    url = race.get_absolute_url()
    client.force_login(cast.viewer)
    thesis = race.claims.get(is_thesis=True)
    written = iter(range(1000))

    def held_then_written() -> None:
        client.get(url)  # this process holds the debate, caught up
        services.claim_add(
            actor=cast.owner, parent=thesis, stance=Stance.CON, text=f"Before {next(written)}."
        )

    runs = _race_every_statement(race, held_then_written, _page(client, url))
    assert runs >= 5


def test_a_claim_written_between_the_statements_of_an_export_is_in_it_whole_or_not_at_all(
    client, cast, race
):
    client.force_login(cast.owner)
    url = reverse("arguments:export", kwargs={"slug": race.slug, "format_name": "json"})
    answers: list[dict] = []

    def export() -> None:
        response = client.get(url)
        assert response.status_code == 200
        answers.append(response.json())

    runs = _race_every_statement(race, lambda: None, export)
    assert runs >= 4
    for document in answers:
        claims = {claim["id"] for claim in document["claims"]}
        for relation in document["relations"]:
            assert {relation["parent"], relation["child"]} <= claims, relation


def test_a_structure_naming_an_unread_claim_is_read_again_not_served(cast, race, monkeypatch):
    """Defence in depth: should a read dangle anyway, the structure is read once more."""
    reads = []
    read_whole = loader._read_whole

    def first_read_dangles(debate: Debate):
        structure, now, stored = read_whole(debate)
        if not reads:
            some = next(iter(structure.nodes))
            del structure.nodes[some]
        reads.append(debate.pk)
        return structure, now, stored

    monkeypatch.setattr(loader, "_read_whole", first_read_dangles)
    structure = debate_structure(race)
    assert len(reads) == 2 and not dangling(structure)


@pytest.mark.postgres
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_interleavings_of_writes_and_reads_only_ever_read_trees_that_existed(cast, seed):
    if connection.vendor != "postgresql":
        pytest.skip("two connections reading and writing at once: PostgreSQL (CI runs it)")
    debate = build_debate(40, owner=cast.owner, slug=f"interleaved-{seed}")
    claims = list(debate.claims.order_by("id").values_list("pk", flat=True))
    rng = random.Random(seed)
    writes = [(rng.choice(claims), rng.choice([Stance.PRO, Stance.CON])) for _ in range(40)]
    failures: list[BaseException] = []
    done = threading.Event()

    def write() -> None:
        try:
            for number, (parent, stance) in enumerate(writes):
                services.claim_add(
                    actor=cast.owner,
                    parent=Claim.objects.get(pk=parent),
                    stance=stance,
                    text=f"Interleaved {number}.",
                )
        except BaseException as error:
            failures.append(error)
        finally:
            done.set()
            connection.close()

    writer = threading.Thread(target=write)
    writer.start()
    reads = 0
    while not done.is_set() or reads < 5:
        if rng.random() < 0.5:
            loader.forget_structures()  # a whole load; else a catch-up of the one held
        structure = debate_structure(Debate.objects.get(pk=debate.pk))
        reads += 1
        assert not dangling(structure)
        seen = sorted(
            int(node.text.split()[1].rstrip("."))
            for node in structure.nodes.values()
            if node.text.startswith("Interleaved")
        )
        # Written in order, one transaction each: a tree that existed is a prefix of them,
        # each claim in its place.
        assert seen == list(range(len(seen))), seen
        for node in structure.nodes.values():
            if node.text.startswith("Interleaved"):
                number = int(node.text.split()[1].rstrip("."))
                edge = structure.original[node.id]
                assert (edge.parent, edge.stance) == writes[number]
    writer.join()
    assert not failures, failures
    assert reads >= 5
