"""SQLite's full-text index of the claims' text (migration 0034: FTS5 with the trigram
tokenizer, kept by triggers; arguments/explore/search.py): a search proposes exactly the
candidates `icontains` over every claim proposed, in the same order, after any writes (the
services, a raw bulk insert, an edit, a merge); part of a word still finds a claim; and what
the index finds passes the reader's lens like any other candidate (issue 35)."""

from __future__ import annotations

import random

import pytest
from django.db import connection
from django.db.models import Case, Q, Value, When
from django.urls import reverse

from arguments import caches, services
from arguments.explore import search
from arguments.models import Claim, Debate, Stance
from arguments.reading.lens import Lens
from tests.conftest import build_debate
from tests.factories import UserFactory
from tests.test_focus_slice import _random_write
from tests.test_permission_matrix import build_scene

pytestmark = pytest.mark.django_db
sqlite_only = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="PostgreSQL searches its stored tsvector (GIN)"
)

WORDS = ["Claim", "laim 0.", "0.1", "audit", "audits", "ZEBRA", "é", "a claim", "waiting", '"cl']


def _scanned(debates, query: str) -> list[tuple[int, int]]:
    """The candidates by text as SQLite proposed them before the index: every word
    `icontains`, the exact phrase first, then by id, at most `CANDIDATES * 4`."""
    matching = Q()
    for word in search.words_of(query):
        matching &= Q(text__icontains=word)
    phrase = Case(When(text__icontains=query, then=Value(1)), default=Value(0))
    rows = (
        Claim.objects.filter(debate__in=debates.values("id"), merged_into__isnull=True)
        .exclude(status=Claim.Status.DELETED)
        .filter(matching)
        .annotate(phrase=phrase)
        .order_by("-phrase", "id")
        .values_list("id", "debate_id")[: search.CANDIDATES * 4]
    )
    return list(rows)


def _indexed(debates, query: str) -> list[tuple[int, int]]:
    words = search.words_of(query)
    return [(pk, debate) for pk, debate, _text in search._sqlite_indexed(debates, query, words)]


def _index_agrees(debates) -> None:
    for query in WORDS:
        if all(len(word) < search.TRIGRAM for word in search.words_of(query)):
            continue  # no trigram to look up: the scan itself, as before
        assert _indexed(debates, query) == _scanned(debates, query), query
    with connection.cursor() as cursor:  # the index against the claims' rows: raises if not
        table = search.CLAIM_INDEX
        cursor.execute(f"INSERT INTO {table}({table}, rank) VALUES ('integrity-check', 1)")


@sqlite_only
@pytest.mark.parametrize("seed", [1, 2])
def test_the_index_proposes_what_a_scan_of_every_text_proposed_after_random_writes(
    cast, debate, thesis, seed
):
    rng = random.Random(seed)
    build_debate(300)  # another debate, bulk-inserted: its claims are indexed, never found here
    services.claim_add(
        actor=cast.writer, parent=thesis, stance=Stance.PRO, text="Zebra audits: é and É."
    )
    one = Debate.objects.filter(pk=debate.pk)
    for step in range(30):
        _random_write(rng, cast, debate)
        if step % 5 == 0:  # an edit: the old words leave the index, the new ones come in
            published = Claim.objects.filter(
                debate=debate, is_thesis=False, status=Claim.Status.PUBLISHED
            )
            claim = rng.choice(list(published))
            services.claim_edit(
                actor=cast.owner, claim=claim, text=f"Audits of a claim {rng.random():.4f}"
            )
        if step % 10 == 9:
            _index_agrees(one)
            _index_agrees(Debate.objects.all())


@sqlite_only
def test_part_of_a_word_finds_a_claim_and_an_edit_moves_it(client, debate, thesis, cast):
    claim = services.claim_add(
        actor=cast.writer, parent=thesis, stance=Stance.PRO, text="Interpretability matters."
    )
    url = reverse("arguments:debate_search", args=[debate.slug])
    assert claim.pk in [hit.claim_id for hit in _hits(cast.viewer, debate, "pretab")]
    services.claim_edit(actor=cast.writer, claim=claim, text="Transparency matters.")
    assert _hits(cast.viewer, debate, "pretab") == []
    assert [hit.claim_id for hit in _hits(cast.viewer, debate, "sparen")] == [claim.pk]
    body = client.get(url, {"q": "sparen"}).content.decode()
    assert "Tran<mark>sparen</mark>cy matters." in body


@sqlite_only
def test_the_triggers_that_keep_the_index_exist():
    """A migration that makes SQLite remake the claims' table drops its triggers with it."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s",
            [Claim._meta.db_table],
        )
        names = {name for (name,) in cursor.fetchall()}
    assert {f"{search.CLAIM_INDEX}_{event}" for event in ("insert", "delete", "update")} <= names


def _hits(user, debate: Debate | None, q: str) -> list[search.Hit]:
    if debate is None:
        return search.search_claims(user, q)
    fresh = Debate.objects.get(pk=debate.pk)
    return search.search_debate(Lens.of(fresh, user), q)


@pytest.mark.parametrize("persona", ["viewer", "stranger", "anonymous", "writer"])
def test_what_the_index_finds_never_reaches_a_reader_who_may_not_see_it(cast, persona):
    """Part of a word of a hidden claim, a claim beneath it, a pending suggestion and a
    private debate's claim: found by the index, dropped by the lens."""
    scene = build_scene(cast)
    branch = services.claim_add(
        actor=cast.writer, parent=scene.thesis, stance=Stance.PRO, text="Quokkas branch here."
    )
    services.claim_add(actor=cast.writer, parent=branch, stance=Stance.CON, text="Quokkas below.")
    services.claim_hide(actor=cast.moderator, claim=branch)
    services.claim_add(
        actor=cast.suggester, parent=scene.thesis, stance=Stance.CON, text="Quokkas suggested."
    )
    services.debate_create(  # nobody of the cast is a member
        owner=UserFactory(),
        title="A private debate?",
        thesis="Quokkas rule in private.",
        visibility=Debate.Visibility.PRIVATE,
    )
    caches.forget_all()
    user = cast[persona]
    # SQLite finds part of a word; PostgreSQL's full-text search whole (stemmed) words.
    query = "uokka" if connection.vendor == "sqlite" else "quokkas"
    for debate in (scene.debate, None):
        assert _hits(user, debate, query) == [], (persona, debate)
    # The moderator sees the hidden branch and the suggestion: the index did find them.
    assert len(_hits(cast.moderator, scene.debate, query)) == 3
