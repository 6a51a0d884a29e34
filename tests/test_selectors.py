"""Reading a debate costs a fixed number of queries, whatever its size."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext

from arguments.models import Debate
from arguments.structure.loader import debate_structure, forget_structures
from tests.conftest import build_debate

pytestmark = pytest.mark.django_db


def queries_to_load(debate) -> int:
    forget_structures()
    with CaptureQueriesContext(connection) as captured:
        debate_structure(debate)
    return len(captured)


def test_the_structure_costs_the_same_queries_for_10_and_2000_claims():
    small, large = build_debate(10, slug="small"), build_debate(2000, slug="large")
    # The versions read in the load's snapshot (issue 38) and its four reads. The first load
    # also stores the strengths (the stamp, then every strength in one executemany:
    # arguments/structure/stored_strengths.py) and a visitor's branch sizes (the same two:
    # arguments/structure/stored_sizes.py); later loads find them stored.
    assert queries_to_load(small) == queries_to_load(large) == 9
    small.refresh_from_db()
    large.refresh_from_db()
    assert queries_to_load(small) == queries_to_load(large) == 5, (
        "Loading a debate's structure must not grow with its size; if you add a query, "
        "explain why here."
    )


def test_the_structure_is_cached_until_the_debate_changes(django_assert_num_queries):
    debate = build_debate(50)
    structure = debate_structure(debate)
    with django_assert_num_queries(0):
        assert debate_structure(debate) is not None
    # A write that did not say what it changed.
    Debate.objects.filter(pk=debate.pk).update(
        structure_version=F("structure_version") + 1, rebuilt_in=F("structure_version") + 1
    )
    debate.refresh_from_db()
    # The versions and four reads in one snapshot, and the stored strengths' stamp moved to
    # the version loaded (no strength differs from the stored ones, so none is written); the
    # branch sizes' stamp and rows stored again for the new structure version.
    with django_assert_num_queries(8):
        fresh = debate_structure(debate)
    assert fresh.nodes.keys() == structure.nodes.keys()


def test_the_structure_builds_the_tree_and_paths():
    debate = build_debate(30)
    structure = debate_structure(debate)
    thesis = structure.theses[0]
    deepest = max(structure.nodes, key=lambda c: len(structure.path_to(c)))
    path = structure.path_to(deepest)
    assert path[0].id == thesis and path[-1].id == deepest
    assert set(structure.walk(thesis)) == set(structure.nodes)
