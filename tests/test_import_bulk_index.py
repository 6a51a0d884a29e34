"""An import indexes its claims' text in one statement with a larger buffer, and writes with a
larger page cache, on SQLite (issue 35, 35j2): the rows and the index it leaves are exactly
those the insert trigger left, claim by claim; the index's settings, its triggers and the
connection's cache are as before afterwards, and as before after a failed import."""

from __future__ import annotations

from contextlib import nullcontext
from pathlib import Path

import pytest
from django.db import connection

from arguments import formats, services
from arguments.explore import search
from arguments.formats import native_json
from arguments.formats.document import FormatError
from arguments.models import Annotation, Citation, Claim, Debate, Relation
from arguments.reading.export import document_from_debate
from arguments.services import interchange
from arguments.services.guards import history_of
from tests.conftest import build_debate
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
sqlite_only = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="PostgreSQL's index is a generated column"
)

BACKUP = (Path(__file__).parent / "fixtures" / "formats" / "debate_backup.json").read_text(
    encoding="utf-8"
)
# Rows compared column by column, in their order, without what differs by nature between two
# imports (their own keys, the debate's key, the time of the import).
UNCOMPARED = {"id", "debate_id", "created_at", "updated_at"}


def _positions(rows) -> dict[int, int]:
    return {pk: n for n, pk in enumerate(rows.order_by("id").values_list("id", flat=True))}


def _rows(model, debate) -> list[tuple]:
    """The debate's rows of `model`, their keys to other rows of the debate as positions."""
    claims = _positions(Claim.objects.filter(debate=debate))
    notes = _positions(Annotation.objects.filter(claim__debate=debate))
    positions = {"claim_id": claims, "parent_id": claims, "child_id": claims}
    positions["merged_into_id"] = claims
    if model is Annotation:
        positions["parent_id"] = notes
    names = [f.attname for f in model._meta.concrete_fields if f.attname not in UNCOMPARED]
    scope = {"debate": debate} if model in (Claim, Relation) else {"claim__debate": debate}
    rows = model.objects.filter(**scope).order_by("id").values_list(*names)
    return [
        tuple(positions[name].get(value, value) if name in positions else value
              for name, value in zip(names, row, strict=True))
        for row in rows
    ]  # fmt: skip


def _history(model, debate) -> list[tuple]:
    history = history_of(model).model
    scope = {"debate_id": debate.pk} if model in (Claim, Relation) else {}
    if model is Citation:
        scope = {"claim_id__in": Claim.objects.filter(debate=debate).values("id")}
    return list(
        history.objects.filter(**scope).order_by("history_id").values_list("history_type", "text")
        if model is Claim
        else history.objects.filter(**scope).order_by("history_id").values_list("history_type")
    )


def _indexed_terms(debate) -> list[tuple]:
    """What the claims' index holds for the debate: every trigram, where, in which claim (by
    its position in the debate), read from the index itself (fts5vocab), not from the claims."""
    table = search.CLAIM_INDEX
    claims = _positions(Claim.objects.filter(debate=debate))
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE VIRTUAL TABLE IF NOT EXISTS temp.claim_terms "
            f"USING fts5vocab(main, '{table}', 'instance')"
        )
        cursor.execute("SELECT term, doc, col, offset FROM temp.claim_terms")
        found = [
            (term, claims[doc], col, offset)
            for term, doc, col, offset in cursor.fetchall()
            if doc in claims
        ]
        cursor.execute(f"INSERT INTO {table}({table}, rank) VALUES ('integrity-check', 1)")
    return sorted(found)


def _index_settings() -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT k, v FROM {search.CLAIM_INDEX}_config ORDER BY k")
        return cursor.fetchall()


def _triggers() -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name")
        return cursor.fetchall()


def _page_cache() -> int:
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        return cursor.fetchone()[0]


def _documents(owner):
    """A backup with merges, links, citations and notes, and a bulk-written debate's."""
    yield native_json.parse(BACKUP)
    built = build_debate(300, owner=owner)
    yield native_json.parse(formats.render(document_from_debate(built), "json"))


@sqlite_only
def test_an_import_leaves_the_rows_and_the_index_an_unbuffered_import_left(monkeypatch):
    owner = UserFactory(is_staff=True)
    settings, cache, triggers = _index_settings(), _page_cache(), _triggers()
    for document in _documents(owner):
        buffered = services.debate_import(owner=owner, document=document, keep_authors=True)
        assert (_index_settings(), _page_cache(), _triggers()) == (settings, cache, triggers)
        with monkeypatch.context() as patched:  # the import as it was before 35j2
            patched.setattr(interchange, "claims_indexed_together", lambda _pk: nullcontext())
            plain = services.debate_import(owner=owner, document=document, keep_authors=True)
        for model in (Claim, Relation, Citation, Annotation):
            assert _rows(model, buffered) == _rows(model, plain), model
        for model in (Claim, Relation, Citation):
            assert _history(model, buffered) == _history(model, plain), model
        assert _indexed_terms(buffered) == _indexed_terms(plain)
        assert _indexed_terms(buffered)  # the comparison compared something


@sqlite_only
def test_a_failed_import_leaves_the_index_its_trigger_and_the_cache_as_they_were(monkeypatch):
    owner = UserFactory(is_staff=True)
    settings, cache, triggers = _index_settings(), _page_cache(), _triggers()
    insert_rows = interchange._insert_rows

    def fails_after_the_claims(model, *args, **kwargs):
        pks = insert_rows(model, *args, **kwargs)
        if model is Claim:  # inside the block that indexes them at its end
            raise FormatError("a claim the check let through")
        return pks

    monkeypatch.setattr(interchange, "_insert_rows", fails_after_the_claims)
    claims = Claim.objects.count()
    with pytest.raises(FormatError):
        services.debate_import(owner=owner, document=native_json.parse(BACKUP))
    assert Claim.objects.count() == claims
    assert (_index_settings(), _page_cache(), _triggers()) == (settings, cache, triggers)
    monkeypatch.undo()
    # The index still takes the next import whole, and a claim added one at a time.
    debate = services.debate_import(owner=owner, document=native_json.parse(BACKUP))
    texts = Claim.objects.filter(debate=debate).values_list("text", flat=True)
    assert len(_indexed_terms(debate)) == sum(len(text) - 2 for text in texts)
    build_debate(2, owner=owner, slug="after")  # the trigger's own inserts
    assert len(_indexed_terms(Debate.objects.get(slug="after"))) == 2 * len("Claim 0") - 4


@sqlite_only
def test_a_buffered_import_index_settings_already_set_are_kept():
    owner = UserFactory(is_staff=True)
    table = search.CLAIM_INDEX
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table}({table}, rank) VALUES ('hashsize', 2097152)")
    services.debate_import(owner=owner, document=native_json.parse(BACKUP))
    assert ("hashsize", 2097152) in _index_settings()
