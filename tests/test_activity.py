"""Each participant's activity (issue 20): the figures, the CSV, who may see them."""

from __future__ import annotations

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from arguments import caches, services
from arguments.models import Annotation, Debate, Flag
from arguments.reading.activity import activity_of
from arguments.services.snapshots import debate_freeze
from arguments.structure import loader
from tests.conftest import build_debate
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def busy(cast, debate, thesis, pro, con):
    """wren wrote pro and con (fixtures), cites one, votes twice, notes once; a flag on con."""
    services.source_cite(actor=cast.writer, claim=pro, url="https://example.org/a", title="A")
    services.vote_cast(user=cast.writer, point=pro.parent_relations.get(), value=3)
    services.vote_cast(user=cast.writer, point=thesis, value=4)
    services.annotation_add(actor=cast.writer, claim=con, body="Why?")
    services.annotation_add(
        actor=cast.writer, claim=con, body="Hidden from the count.",
        visibility=Annotation.Visibility.PRIVATE,
    )  # fmt: skip
    services.flag_raise(actor=cast.viewer, claim=con, reason=Flag.Reason.UNCLEAR)
    services.vote_cast(user=cast.viewer, point=thesis, value=1)
    return debate


def test_the_figures_count_what_each_participant_did(cast, busy):
    rows = {row.username: row for row in activity_of(busy)}
    wren = rows["wren"]
    assert (wren.claims, wren.sources, wren.votes, wren.notes, wren.flags_received) == (
        2, 1, 2, 2, 1,
    )  # fmt: skip
    assert wren.role == "writer" and wren.last_active is not None
    assert (rows["vic"].votes, rows["vic"].claims) == (1, 0)
    assert list(rows) == sorted(rows, key=str.casefold)  # by name, as a class list reads


def test_moderators_see_the_table_and_the_csv(client, cast, busy):
    client.force_login(cast.moderator)
    page = client.get(reverse("arguments:debate_activity", args=[busy.slug]))
    assert page.status_code == 200 and "wren" in page.content.decode()
    response = client.get(reverse("arguments:debate_activity_csv", args=[busy.slug]))
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    wren = next(r for r in rows if r["username"] == "wren")
    assert (wren["claims"], wren["votes"], wren["flags_received"]) == ("2", "2", "1")
    drill = client.get(reverse("arguments:participant_activity", args=[busy.slug, cast.writer.pk]))
    assert "Released weights cannot be recalled." in drill.content.decode()
    nobody = reverse("arguments:participant_activity", args=[busy.slug, cast.stranger.pk])
    assert client.get(nobody).status_code == 404


def test_a_username_cannot_become_a_spreadsheet_formula(client, cast, debate, thesis):
    sly = UserFactory(username="=HYPERLINK")
    services.vote_cast(user=sly, point=thesis, value=2)
    client.force_login(cast.owner)
    body = client.get(reverse("arguments:debate_activity_csv", args=[debate.slug])).content
    assert b"'=HYPERLINK" in body and b"\n=HYPERLINK" not in body


@pytest.mark.parametrize("persona", ["editor", "writer", "suggester", "viewer", "stranger"])
def test_only_moderators_see_activity(client, cast, busy, persona):
    client.force_login(cast[persona])
    for name in ("debate_activity", "debate_activity_csv"):
        assert client.get(reverse(f"arguments:{name}", args=[busy.slug])).status_code == 403


def test_a_private_debates_activity_is_a_404_to_outsiders(client, cast, busy):
    Debate.objects.filter(pk=busy.pk).update(visibility=Debate.Visibility.PRIVATE)
    client.force_login(cast.stranger)
    assert client.get(reverse("arguments:debate_activity", args=[busy.slug])).status_code == 404


@pytest.mark.parametrize("size", [10, 2000])
def test_the_activity_page_costs_the_same_queries_at_any_size(
    client, django_assert_max_num_queries, size
):
    debate = build_debate(size)
    for i in range(5):
        voter = UserFactory()
        services.vote_cast(user=voter, point=debate.claims.get(is_thesis=True), value=i % 5)
    client.force_login(debate.owner)
    # The first read after the votes' debate was built counts the rows (grouped) and stores
    # the counts (issue 35; a page after a vote reads them: tests/test_activity_counts.py);
    # and, to keep the page, the debate's versions with the site's write counts before and
    # the counts after (views/kept_reads.py: 2).
    with django_assert_max_num_queries(28):
        response = client.get(reverse("arguments:debate_activity", args=[debate.slug]))
    assert response.status_code == 200


def test_the_activity_pages_never_load_the_debate(client, monkeypatch):
    """The table, its CSV, one participant's page and the table as of a snapshot read grouped
    counts and the rows they list, never the debate's structure (issue 35): the same queries
    at 10 and 2,000 claims, on a worker that holds nothing."""
    counts = [_activity_queries(client, monkeypatch, size) for size in (10, 2000)]
    assert counts[0] == counts[1]


def _activity_queries(client, monkeypatch, size: int) -> list[int]:
    debate = build_debate(size, slug=f"counted-{size}")
    thesis = debate.claims.get(is_thesis=True)
    services.vote_cast(user=debate.owner, point=thesis, value=3)
    debate_freeze(actor=debate.owner, debate=debate)
    client.force_login(debate.owner)
    urls = [
        reverse("arguments:debate_activity", args=[debate.slug]),
        reverse("arguments:debate_activity", args=[debate.slug]) + "?as_of=1",
        reverse("arguments:debate_activity_csv", args=[debate.slug]),
        reverse("arguments:participant_activity", args=[debate.slug, debate.owner.pk]),
    ]
    counts = []
    with monkeypatch.context() as patched:
        patched.setattr(loader, "_load_structure", lambda d: pytest.fail("loaded whole"))
        for url in urls:
            caches.forget_all()
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
            counts.append(len(queries))
    return counts
