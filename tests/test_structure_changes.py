"""After a write, a process holding the debate reads only what changed, and what it then
holds is exactly what loading the whole debate again would give."""

from __future__ import annotations

import random
import threading
from collections.abc import Callable

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from arguments import services
from arguments.models import Claim, Debate, Membership, Role, Stance, StoredBranchSize
from arguments.services.guards import bump_version
from arguments.structure import changes, loader, stored_sizes
from arguments.structure.graph import DebateStructure
from arguments.structure.loader import debate_structure, forget_structures
from tests.conftest import build_debate

pytestmark = pytest.mark.django_db


def fresh(debate: Debate) -> Debate:
    return Debate.objects.get(pk=debate.pk)


def snapshot(structure: DebateStructure) -> dict[str, object]:
    """Everything a reader's tree is built from, as plain values."""

    def edges(index: dict) -> dict:
        return {
            key: [(e.id, e.parent, e.child, e.stance, e.is_link, e.position, e.tally) for e in v]
            for key, v in index.items()
            if v
        }

    return {
        "nodes": {i: (n.text, n.status, n.is_thesis, n.tally) for i, n in structure.nodes.items()},
        "children": edges(structure.children),
        "parents": {k: sorted(v) for k, v in edges(structure.parents).items()},
        "original": {k: e.id for k, e in structure.original.items()},
        "theses": structure.theses,
        "citations": {
            k: [(c.source_id, c.quote) for c in v] for k, v in structure.citations.items()
        },
        "notes": {
            k: [(n.id, n.body, [r.id for r in n.replies]) for n in v]
            for k, v in structure.notes.items()
        },
        "base": structure.base,
    }


def assert_same_as_a_reload(held: DebateStructure, debate: Debate) -> None:
    forget_structures()
    reloaded = debate_structure(fresh(debate))
    assert snapshot(held) == snapshot(reloaded)
    assert held.strength.keys() == reloaded.strength.keys()
    assert held.strength == pytest.approx(reloaded.strength, abs=1e-9)


def claim(debate: Debate, n: int) -> Claim:
    return debate.claims.filter(is_thesis=False).order_by("id")[n]


WRITES: dict[str, Callable[..., object]] = {
    "add a pro": lambda cast, d: services.claim_add(
        actor=cast.writer, parent=claim(d, 3), stance=Stance.PRO, text="A new pro."
    ),
    "suggest a con": lambda cast, d: services.claim_add(
        actor=cast.suggester, parent=claim(d, 3), stance=Stance.CON, text="A suggestion."
    ),
    "edit": lambda cast, d: services.claim_edit(actor=cast.editor, claim=claim(d, 5), text="New."),
    "hide": lambda cast, d: services.claim_hide(actor=cast.moderator, claim=claim(d, 1)),
    "link": lambda cast, d: services.claim_link(
        actor=cast.writer, claim=claim(d, 30), parent=claim(d, 2), stance=Stance.CON
    ),
    "unlink": lambda cast, d: services.claim_unlink(
        actor=cast.moderator,
        relation=d.relations.filter(is_link=True, is_hidden=False).order_by("id").first(),
    ),
    "move": lambda cast, d: services.claim_move(
        actor=cast.moderator, claim=claim(d, 6), parent=claim(d, 0), stance=Stance.CON
    ),
    "cite": lambda cast, d: services.source_cite(
        actor=cast.writer, claim=claim(d, 4), url="https://example.org/a", quote="Q."
    ),
    "annotate": lambda cast, d: services.annotation_add(
        actor=cast.writer, claim=claim(d, 4), body="A note."
    ),
    "add a thesis": lambda cast, d: services.thesis_add(
        actor=cast.owner, debate=d, text="Another thesis."
    ),
}


@pytest.fixture
def big(cast) -> Debate:
    debate = build_debate(200, owner=cast.owner, slug="changes")
    for name, role in (
        ("moderator", Role.MODERATOR),
        ("editor", Role.EDITOR),
        ("writer", Role.WRITER),
        ("suggester", Role.SUGGESTER),
    ):
        Membership.objects.create(debate=debate, user=getattr(cast, name), role=role)
    Membership.objects.create(debate=debate, user=cast.owner, role=Role.OWNER)
    return debate


@pytest.mark.parametrize("in_place", [True, False], ids=["in place", "copied"])
@pytest.mark.parametrize("write", list(WRITES))
def test_after_a_write_the_held_structure_catches_up_without_reloading(
    cast, big, write, in_place, monkeypatch
):
    """Both ways: changed in place (no other thread was given the structure) and copied (one
    was: the held structure is left whole for it)."""
    held = debate_structure(fresh(big))
    assert held.newest_claim  # known before the write: carried over, not found again
    before = snapshot(held)
    WRITES[write](cast, fresh(big))
    loads: list[int] = []
    monkeypatch.setattr(
        loader, "_load_structure", lambda d: loads.append(d.pk) or pytest.fail("reloaded")
    )
    monkeypatch.setattr(loader, "_read_by_this_thread_alone", lambda: in_place)
    caught_up = debate_structure(fresh(big))
    assert caught_up is not held and not loads
    assert (caught_up.nodes is held.nodes) is in_place
    if not in_place:
        assert snapshot(held) == before
    assert caught_up.__dict__["newest_claim"] == max(caught_up.nodes)
    monkeypatch.undo()
    assert_same_as_a_reload(caught_up, big)


def test_a_catch_up_in_place_answers_for_the_structure_as_it_was(cast, big):
    """What compares a write's before and after (the stored sizes) looks up the claims it
    changed as they were: a new claim absent, its parent with its children of before."""
    held = debate_structure(fresh(big))
    parent = claim(big, 3)
    children_before = list(held.children.get(parent.pk, ()))
    parent_before = held.nodes[parent.pk]
    new = WRITES["add a pro"](cast, fresh(big))
    caught_up = changes.catch_up(held, fresh(big), in_place=True)
    assert caught_up is not None and caught_up.in_place
    before, after = caught_up.before, caught_up.structure
    assert new.pk in after.nodes and new.pk not in before.nodes
    assert before.nodes.get(new.pk) is None and before.original.get(new.pk) is None
    with pytest.raises(KeyError):
        before.parents[new.pk]
    assert before.children[parent.pk] == children_before
    assert [e.child for e in after.children[parent.pk]] == [
        *(e.child for e in children_before),
        new.pk,
    ]
    # The parent was changed too (a relation came under it): read again, held as it was.
    assert before.nodes[parent.pk] is parent_before is not after.nodes[parent.pk]
    assert new.pk not in set(before.walk(parent.pk)) and new.pk in set(after.walk(parent.pk))
    with pytest.raises(TypeError):
        list(before.nodes)  # lookups only: a walk of it would cost the copy it saves


def test_a_catch_up_copies_while_another_thread_runs(cast, big):
    """A thread that might read the held structure keeps it whole (copied); alone, in place."""
    held = debate_structure(fresh(big))
    WRITES["add a pro"](cast, fresh(big))
    started, done = threading.Event(), threading.Event()
    thread = threading.Thread(target=lambda: started.set() or done.wait(5))
    thread.start()
    try:
        started.wait(5)
        caught_up = debate_structure(fresh(big))
    finally:
        done.set()
        thread.join()
    assert caught_up.nodes is not held.nodes
    WRITES["edit"](cast, fresh(big))
    if threading.active_count() == 1:  # no thread of the test runner's own
        assert debate_structure(fresh(big)).nodes is caught_up.nodes


@pytest.mark.parametrize("seed", [1, 2])
@pytest.mark.parametrize("in_place", [True, False], ids=["in place", "copied"])
def test_seeded_random_writes_caught_up_one_by_one_equal_a_fresh_load(
    cast, big, seed, in_place, monkeypatch
):
    """Every kind of write in a seeded order, each caught up as the writer's own request
    does: the claims, relations, strengths and the sizes stored equal a fresh load's."""
    monkeypatch.setattr(loader, "_read_by_this_thread_alone", lambda: in_place)
    rng = random.Random(seed)
    debate_structure(fresh(big))
    for n in range(12):
        write = rng.choice(list(WRITES))
        try:
            WRITES[write](cast, fresh(big))
        except (ValidationError, PermissionDenied, AttributeError):
            continue  # not allowed here (a claim already hidden, no link left)
        if n % 3 == 0:
            point = claim(big, rng.randrange(40)).parent_relations.filter(is_link=False).first()
            if point is not None:
                services.vote_cast(user=cast.writer, point=point, value=rng.randrange(5))
        held = debate_structure(fresh(big))
    kept = held.__dict__.get(stored_sizes.KEPT)
    assert stored_sizes.current(fresh(big))
    stored = dict(StoredBranchSize.objects.filter(claim__debate=big).values_list("claim", "size"))
    monkeypatch.undo()
    forget_structures()
    reloaded = debate_structure(fresh(big))
    assert stored == stored_sizes.stored_sizes(reloaded)
    if kept is not None:
        assert kept == stored
    assert_same_as_a_reload(held, big)


def test_several_writes_and_votes_in_a_row_catch_up_in_one_go(cast, big):
    debate_structure(fresh(big))
    for write in ("add a pro", "hide", "link", "move", "annotate"):
        WRITES[write](cast, fresh(big))
    point = claim(big, 8).parent_relations.get(is_link=False)
    services.vote_cast(user=cast.writer, point=point, value=0)
    services.claim_restore(actor=cast.moderator, claim=claim(big, 1))
    assert_same_as_a_reload(debate_structure(fresh(big)), big)


def test_a_write_that_cannot_say_what_it_changed_reloads_the_debate(cast, big, monkeypatch):
    held = debate_structure(fresh(big))
    bump_version(big)
    loads: list[int] = []
    original = loader._load_structure
    monkeypatch.setattr(loader, "_load_structure", lambda d: loads.append(d.pk) or original(d))
    assert debate_structure(fresh(big)) is not held and loads == [big.pk]


@pytest.mark.parametrize("size", [10, 2000])
def test_after_a_new_claim_a_visitor_page_costs_the_same_few_queries(
    client, cast, django_assert_max_num_queries, size, monkeypatch
):
    debate = build_debate(size, owner=cast.owner, slug=f"after-write-{size}")
    assert client.get(debate.get_absolute_url()).status_code == 200
    parent = debate.claims.filter(is_thesis=False).order_by("id").last()
    services.claim_add(actor=cast.owner, parent=parent, stance=Stance.PRO, text="Elsewhere.")
    monkeypatch.setattr(loader, "_load_structure", lambda d: pytest.fail("reloaded"))
    # The kept visitor page's state (a miss: the debate moved), the debate row, then in one
    # snapshot the debate's versions, the claims changed since, their relations, citations
    # and notes, and, as the first process to catch up, the stored strengths' stamp and the
    # rescored claims' strengths (structure/stored_strengths.py), then the branch sizes the
    # write changed (+2: their stamp, their rows; structure/stored_sizes.py). If this grows,
    # say why here.
    with django_assert_max_num_queries(11):
        assert client.get(debate.get_absolute_url()).status_code == 200
