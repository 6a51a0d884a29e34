"""After a write, a process holding the debate reads only what changed, and what it then
holds is exactly what loading the whole debate again would give."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from arguments import services
from arguments.models import Claim, Debate, Membership, Role, Stance
from arguments.services.guards import bump_version
from arguments.structure import loader
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


@pytest.mark.parametrize("write", list(WRITES))
def test_after_a_write_the_held_structure_catches_up_without_reloading(
    cast, big, write, monkeypatch
):
    held = debate_structure(fresh(big))
    WRITES[write](cast, fresh(big))
    loads: list[int] = []
    monkeypatch.setattr(
        loader, "_load_structure", lambda d: loads.append(d.pk) or pytest.fail("reloaded")
    )
    caught_up = debate_structure(fresh(big))
    assert caught_up is not held and not loads
    monkeypatch.undo()
    assert_same_as_a_reload(caught_up, big)


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
