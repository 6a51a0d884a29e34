"""Two processes on one PostgreSQL database, as two workers are: a vote or a claim written
through one is seen by a reader on the other on their next request, and that reader's process
catches up on the change instead of reloading the debate."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from arguments import services
from arguments.bench.worker_probe import Probe, database_url
from arguments.models import Claim, Stance
from tests.conftest import build_debate
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]


@pytest.fixture
def worker():
    if connection.vendor != "postgresql":
        pytest.skip("two processes share one database on PostgreSQL (SQLite tests: in memory)")
    worker = Probe(database_url(connection.settings_dict))
    yield worker
    worker.stop()


def test_a_vote_and_a_claim_written_here_are_read_there_on_the_next_request(cast, worker):
    debate = build_debate(300, owner=cast.owner, slug="two-workers")
    page = debate.get_absolute_url()
    first = worker.get(page)
    assert first["status"] == 200 and first["loads"] == 1
    assert "1 vote" not in first["body"] and "Written through" not in first["body"]
    assert worker.get(page)["queries"] == 1  # warm: the kept visitor page's state read only

    claim = debate.claims.filter(is_thesis=False).order_by("id")[0]
    services.vote_cast(user=cast.viewer, point=claim.parent_relations.get(), value=4)
    after_vote = worker.get(page)
    assert after_vote["loads"] == 1, "a vote must not make the other worker reload the debate"
    assert "1 vote" in after_vote["body"]

    beside = claim.parent_relations.get().parent  # on the page's first level, shown unfolded
    services.claim_add(
        actor=cast.owner, parent=beside, stance=Stance.PRO, text="Written through this worker."
    )
    after_write = worker.get(page)
    assert after_write["loads"] == 1, "a new claim must cost a catch-up, not a reload"
    assert "Written through this worker." in after_write["body"]
    # The kept page's state (a miss), the debate row, the catch-up in one read-only snapshot
    # (its BEGIN, the versions it stands at, the four, its COMMIT: issue 38), and as the first
    # process to catch up, the stored strengths' stamp and the rescored claims' strengths in
    # one transaction (its BEGIN and COMMIT are counted on PostgreSQL), with the branch sizes
    # the write changed (+2: their stamp, their rows; structure/stored_sizes.py).
    assert after_write["queries"] <= 15, "\n".join(after_write["sql"])


def tree_of(body: str) -> str:
    return body[body.index('<ul class="tree"') : body.index('<aside class="debate-aside"')]


def test_a_worker_holding_nothing_shows_the_first_screen_another_worker_stored(cast, worker):
    """Strengths stored by the worker that caught up a vote are what a worker started after
    shows, from the first screen alone: the same tree, without loading the debate."""
    debate = build_debate(300, owner=cast.owner, slug="first-screen")
    page = debate.get_absolute_url()
    assert worker.get(page)["loads"] == 1  # never read before: loaded, strengths stored
    claim = debate.claims.filter(is_thesis=False).order_by("id")[0]
    services.vote_cast(user=cast.viewer, point=claim.parent_relations.get(), value=4)
    services.vote_cast(user=cast.editor, point=claim.parent_relations.get(), value=3)
    held = worker.get(page)  # catches the votes up and stores the rescored strengths
    assert held["loads"] == 1 and "2 votes" in held["body"]
    cold = Probe(database_url(connection.settings_dict))
    try:
        fresh = cold.get(page)
    finally:
        cold.stop()
    assert fresh["status"] == 200 and fresh["loads"] == 0, "a cold worker reads its first screen"
    assert tree_of(fresh["body"]) == tree_of(held["body"])


@pytest.mark.django_db(transaction=True)
def test_votes_and_writes_on_the_same_claims_at_once_neither_deadlock_nor_lose_votes(
    cast, debate, thesis, pro
):
    if connection.vendor != "postgresql":
        pytest.skip("row locks are what this proves; SQLite serializes writers anyway")
    voters = [UserFactory(username=f"racer{i}") for i in range(8)]
    barrier = threading.Barrier(len(voters) + 2)
    errors: list[BaseException] = []

    def act(step) -> None:
        try:
            barrier.wait()
            for n in range(5):
                step(n)
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    def vote(user):
        return lambda n: services.vote_cast(
            user=user, point=thesis if n % 2 else pro.parent_relations.get(), value=n % 5
        )

    def add(n: int) -> None:
        services.claim_add(actor=cast.writer, parent=thesis, stance=Stance.CON, text=f"Con {n}.")

    def edit(n: int) -> None:
        services.claim_edit(actor=cast.owner, claim=Claim.objects.get(pk=thesis.pk), text=f"T{n}")

    steps = [vote(user) for user in voters] + [add, edit]
    threads = [threading.Thread(target=act, args=(step,)) for step in steps]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    assert services.votes_recount()[1] == 0
