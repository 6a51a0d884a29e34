"""An import writes its claims' text index with a larger buffer and a larger page cache on
SQLite (issue 35, 35j2): the rows and the index it leaves are exactly those of an import
without them, the index's own settings and the connection's cache are as before afterwards,
and a failed import leaves both as they were."""

from __future__ import annotations

from contextlib import nullcontext
from pathlib import Path

import pytest
from django.db import connection

from arguments import formats, services
from arguments.explore import search
from arguments.formats import native_json
from arguments.formats.document import FormatError
from arguments.models import Annotation, Citation, Claim, Relation
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


def _rows(model, debate) -> list[tuple]:
    """The debate's rows of `model`, their keys to other rows of the debate as positions."""
    claims = {pk: n for n, pk in enumerate(Claim.objects.filter(debate=debate).order_by("id")
                                           .values_list("id", flat=True))}  # fmt: skip
    notes = {pk: n for n, pk in enumerate(Annotation.objects.filter(claim__debate=debate)
                                          .order_by("id").values_list("id", flat=True))}  # fmt: skip
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
    claims = {pk: n for n, pk in enumerate(Claim.objects.filter(debate=debate).order_by("id")
                                           .values_list("id", flat=True))}  # fmt: skip
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
    settings, cache = _index_settings(), _page_cache()
    for document in _documents(owner):
        buffered = services.debate_import(owner=owner, document=document, keep_authors=True)
        assert _index_settings() == settings
        assert _page_cache() == cache
        with monkeypatch.context() as patched:  # the import as it was before 35j2
            patched.setattr(interchange, "claim_index_buffered", nullcontext)
            plain = services.debate_import(owner=owner, document=document, keep_authors=True)
        for model in (Claim, Relation, Citation, Annotation):
            assert _rows(model, buffered) == _rows(model, plain), model
        for model in (Claim, Relation, Citation):
            assert _history(model, buffered) == _history(model, plain), model
        assert _indexed_terms(buffered) == _indexed_terms(plain)
        assert _indexed_terms(buffered)  # the comparison compared something


@sqlite_only
def test_a_failed_import_leaves_the_index_settings_and_the_cache_as_they_were(monkeypatch):
    owner = UserFactory(is_staff=True)
    settings, cache = _index_settings(), _page_cache()

    def fails(*_args, **_kwargs):
        raise FormatError("a source the check let through")

    monkeypatch.setattr(interchange, "_sources", fails)  # after the claims are written
    claims = Claim.objects.count()
    with pytest.raises(FormatError):
        services.debate_import(owner=owner, document=native_json.parse(BACKUP))
    assert Claim.objects.count() == claims
    assert _index_settings() == settings
    assert _page_cache() == cache
    monkeypatch.undo()
    # The index still takes the next import whole.
    debate = services.debate_import(owner=owner, document=native_json.parse(BACKUP))
    texts = Claim.objects.filter(debate=debate).values_list("text", flat=True)
    assert len(_indexed_terms(debate)) == sum(len(text) - 2 for text in texts)


@sqlite_only
def test_a_buffered_import_index_settings_already_set_are_kept():
    owner = UserFactory(is_staff=True)
    table = search.CLAIM_INDEX
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table}({table}, rank) VALUES ('hashsize', 2097152)")
    services.debate_import(owner=owner, document=native_json.parse(BACKUP))
    assert ("hashsize", 2097152) in _index_settings()
