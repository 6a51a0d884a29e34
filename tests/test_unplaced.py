"""The claims with no place in the tree (no thesis, no standing original relation), stored
and kept by the writes (structure/places.py, `store_unplaced`), so that the read of the
claims a reader may not see (`unpublished_under`) costs what it finds rather than a scan of
every claim of the debate (issue 35, 35u)."""

from __future__ import annotations

import contextlib
import random

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from arguments import caches, services
from arguments.models import Claim, Debate, Relation, Stance, UnplacedClaim
from arguments.services.guards import bump_version
from arguments.structure import loader, places
from tests.conftest import build_debate


def _no_place(debate: Debate) -> set[int]:
    """The claims with no place, from the rows (what the stored ones are a copy of)."""
    standing = Relation.objects.filter(is_link=False, is_hidden=False).values("child_id")
    return set(
        Claim.objects.filter(debate=debate, is_thesis=False)
        .exclude(pk__in=standing)
        .values_list("pk", flat=True)
    )


def _under(debate: Debate) -> set[int]:
    caches.forget_all()  # a worker that holds nothing
    found = places.unpublished_under(Debate.objects.get(pk=debate.pk))
    assert found is not None
    return set(found)


def test_a_claim_left_without_a_place_by_a_delete_is_found(cast, debate, thesis, pro):
    """A claim deleted outside the services (a shell: the admin deletes none) takes its
    children's relations with it; no write names them, and yet they are found."""
    child = services.claim_add(actor=cast.writer, parent=pro, stance=Stance.CON, text="Below.")
    grandchild = services.claim_add(
        actor=cast.writer, parent=child, stance=Stance.PRO, text="Further below."
    )
    assert _under(debate) == set()  # stored, and stamped current
    assert Debate.objects.get(pk=debate.pk).unplaced_version is not None
    Claim.objects.filter(pk=pro.pk).delete()
    assert _no_place(debate) == {child.pk}
    assert _under(debate) == {child.pk, grandchild.pk}
    assert set(UnplacedClaim.objects.values_list("claim_id", flat=True)) == {child.pk}


def test_a_relation_deleted_alone_leaves_its_child_found(cast, debate, thesis, pro):
    assert _under(debate) == set()
    Relation.objects.get(child=pro, is_link=False).delete()
    assert _under(debate) == {pro.pk}


def test_deleting_a_debate_moves_no_version_of_it_per_claim(cast, debate, thesis, pro):
    build_debate(30, owner=cast.owner, slug="other")
    with CaptureQueriesContext(connection) as queries:
        Debate.objects.filter(slug="other").delete()
    assert not [q for q in queries if q["sql"].startswith("UPDATE") and "rebuilt_in" in q["sql"]]


def test_a_bulk_delete_moves_its_debate_once(cast):
    other = build_debate(30, owner=cast.owner, slug="bulk")
    before = Debate.objects.get(pk=other.pk).structure_version
    with CaptureQueriesContext(connection) as queries:
        Relation.objects.filter(debate=other).delete()
    moves = [q for q in queries if q["sql"].startswith("UPDATE") and "rebuilt_in" in q["sql"]]
    assert len(moves) == 1
    after = Debate.objects.get(pk=other.pk)
    assert after.structure_version == after.rebuilt_in == before + 1


def test_stored_claims_with_no_place_equal_the_rows_after_seeded_random_writes(
    cast, debate, thesis, pro
):
    """Whatever the services do (claims added, moved, hidden, links made and unlinked), the
    stored claims with no place caught up from the claims each write changed are the rows'."""
    rng = random.Random(35)
    claims = [thesis, pro]
    for step in range(40):
        debate.refresh_from_db()
        if step % 5 == 0:
            places.store_unplaced(debate)  # caught up now and then, as readers come
        kind = rng.choice(["add", "add", "move", "hide", "link", "unlink"])
        parent = rng.choice(claims)
        if kind == "add":
            text = f"Claim {step}."
            claims.append(
                services.claim_add(actor=cast.owner, parent=parent, stance=Stance.PRO, text=text)
            )
        elif kind == "move" and len(claims) > 2:
            moved = rng.choice(claims[1:])
            with contextlib.suppress(ValidationError):  # a move into its own branch
                services.claim_move(actor=cast.owner, claim=moved, parent=parent, stance=Stance.CON)
        elif kind == "hide" and len(claims) > 2:
            relation = Relation.objects.filter(child=rng.choice(claims[1:]), is_link=False).first()
            if relation is not None:
                # A relation hidden by a write that names its ends, or by one that cannot
                # say what it changed (a merge's).
                Relation.objects.filter(pk=relation.pk).update(is_hidden=True)
                named = [relation.parent_id, relation.child_id] if step % 2 else None
                bump_version(debate, named)
        elif kind == "link" and len(claims) > 2:
            with contextlib.suppress(ValidationError):  # refused: itself, a cycle, twice
                services.claim_link(
                    actor=cast.owner, claim=rng.choice(claims[1:]), parent=parent, stance="con"
                )
        elif kind == "unlink":
            link = Relation.objects.filter(debate=debate, is_link=True, is_hidden=False).first()
            if link is not None:
                services.claim_unlink(actor=cast.owner, relation=link)
    debate.refresh_from_db()
    assert places.store_unplaced(debate)
    stored = set(UnplacedClaim.objects.filter(debate=debate).values_list("claim_id", flat=True))
    assert stored == _no_place(debate)
    assert _no_place(debate) <= _under(debate)


def _the_read(debate: Debate) -> str:
    """The statement `unpublished_under` walks the claims with, read cold."""
    caches.forget_all()
    with CaptureQueriesContext(connection) as queries:
        places.unpublished_under(Debate.objects.get(pk=debate.pk))
    (read,) = [q["sql"] for q in queries if "WITH RECURSIVE under" in q["sql"]]
    return read


def _plan_of_the_read(debate: Debate) -> list[str]:
    read = _the_read(debate)
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {read}")
        return [row[-1] for row in cursor.fetchall()]


# Partial indexes of the claims, each holding few rows of a debate: read whole, they cost
# what they hold.
_FEW = ("claim_merged", "claim_theses")


def _reads_every_claim(plan: list[str]) -> bool:
    """Whether a step of the plan reads the debate's claims whole: a scan, or a range of an
    index by the debate alone that is not one of the few."""
    return any(
        step == "SCAN c"
        or step.startswith("SCAN c ")
        or (
            step.startswith("SEARCH c ")
            and step.endswith("(debate_id=?)")
            and not any(f" {name} " in step for name in _FEW)
        )
        for step in plan
    )


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's plan")
def test_the_read_scans_no_claim_of_the_debate(cast, monkeypatch):
    """The claims under unpublished ones start from indexed rows (the unpublished, the
    merged, the stored claims with no place): SQLite's plan reads claims by those indexes
    and by primary key, never the range of every claim of the debate; the scan for claims
    with no relation, which a reader makes only while another process stores them, does."""
    debate = build_debate(200, owner=cast.owner, slug="planned")
    assert _under(debate) == set()
    plan = _plan_of_the_read(debate)
    assert not _reads_every_claim(plan), plan
    assert any(step.startswith("SEARCH c ") for step in plan), plan
    Debate.objects.filter(pk=debate.pk).update(unplaced_version=None)
    monkeypatch.setattr(places, "store_unplaced", lambda debate: False)
    assert _reads_every_claim(_plan_of_the_read(debate))


def test_the_stored_claims_are_caught_up_from_the_claims_changed_only(cast, debate, pro):
    """After a write, the catch-up looks at the claims it changed, not every claim."""
    big = build_debate(300, owner=cast.owner, slug="caught")
    assert places.store_unplaced(big)
    leaf = Claim.objects.filter(debate=big).order_by("-pk").first()
    services.claim_add(actor=cast.owner, parent=leaf, stance=Stance.PRO, text="One more.")
    big.refresh_from_db()
    with CaptureQueriesContext(connection) as queries:
        assert places.store_unplaced(big)
    inserts = [q["sql"] for q in queries if "INSERT INTO" in q["sql"]]
    assert inserts and all(" IN (" in sql for sql in inserts), inserts
    assert len(queries) <= 8, "\n".join(q["sql"] for q in queries)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's plan")
def test_postgresql_walks_the_claims_under_by_index(cast):
    """PostgreSQL cannot estimate a recursive query: left free, it scanned and hashed every
    relation at each level and every claim of the debate for a few claims found (100 ms at
    20,000 claims). Each level reads the children of the claims found by the relations'
    parent index, and each row carries its claim: no scan, no hash of the debate's rows."""
    debate = build_debate(2000, owner=cast.owner, slug="planned-pg")
    hidden = Claim.objects.filter(debate=debate, is_thesis=False).order_by("pk")[:3]
    Claim.objects.filter(pk__in=[c.pk for c in hidden]).update(status=Claim.Status.HIDDEN)
    bump_version(debate)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {Claim._meta.db_table}, {Relation._meta.db_table}")
    found = _under(debate)
    assert {c.pk for c in hidden} <= found and len(found) > len(hidden)
    read = _the_read(debate)
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {read}")
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Hash Join" not in plan, plan
    for table in (Claim._meta.db_table, Relation._meta.db_table):
        assert f"Seq Scan on {table}" not in plan, plan


@pytest.mark.django_db(transaction=True)
def test_the_panels_after_a_write_store_the_claims_with_no_place_before_their_snapshot(
    client, cast
):
    """The cruxes and gaps panels read in a snapshot, read-only on PostgreSQL: the claims
    with no place left behind by a write are stored before it (a cold worker's first panel
    after a claim write answered 500 on PostgreSQL), and the read inside writes nothing."""
    debate = build_debate(60, owner=cast.owner, slug="panels-after-a-write")
    thesis = debate.claims.get(is_thesis=True)
    panels = [
        reverse("arguments:debate_cruxes", args=[debate.slug]),
        reverse("arguments:debate_gaps", args=[debate.slug]),
    ]
    for url in panels:
        assert client.get(url, headers={"HX-Request": "true"}).status_code == 200
    for url in panels:
        services.claim_add(actor=cast.owner, parent=thesis, stance=Stance.PRO, text=url)
        # What the writer's own request leaves: its process caught up and stored the
        # strengths (the slices read), not the claims with no place (one version behind).
        assert loader.store_strengths(Debate.objects.get(pk=debate.pk))
        Debate.objects.filter(pk=debate.pk).update(unplaced_version=F("unplaced_version") - 1)
        assert not places.unplaced_current(Debate.objects.get(pk=debate.pk))
        caches.forget_all()  # a worker that holds nothing
        assert client.get(url, headers={"HX-Request": "true"}).status_code == 200
        assert places.unplaced_current(Debate.objects.get(pk=debate.pk))
