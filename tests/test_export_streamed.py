"""A JSON export read a column at a time and written as it is made (issue 35, 35e): the same
document and the same text, byte for byte, as reading each row through Django and writing
the file whole; the command's file is that text; an export imported and exported again is
the same text."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from arguments import formats, services
from arguments.formats import native_json
from arguments.models import Claim, Relation
from arguments.reading import export
from arguments.reading.export import document_from_debate
from tests.conftest import build_debate
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

BACKUP = (Path(__file__).parent / "fixtures" / "formats" / "debate_backup.json").read_text(
    encoding="utf-8"
)
TALLY = re.compile(r"\[\s+(\d+),\s+(\d+),\s+(\d+),\s+(\d+),\s+(\d+)\s+\]")


def _debates():
    """The backup fixture restored (merges, links, citations, notes, times with and without
    microseconds), and a bulk-written debate with some claims and relations carrying what only
    some have (a kind, a title, tags, a premise group), among many that have none."""
    owner = UserFactory(username="olivia", is_staff=True)
    UserFactory(username="ben")
    yield services.debate_import(owner=owner, document=native_json.parse(BACKUP), keep_authors=True)
    built = build_debate(2 * native_json._BATCH + 7, owner=owner)
    claims = list(Claim.objects.filter(debate=built).order_by("id"))
    claims[3].kind, claims[3].title = Claim.Kind.ARGUMENT, "The third"
    claims[native_json._BATCH + 1].tags = ["ethics", 'é"quoted"']
    claims[-1].created_at = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)  # no microseconds
    Claim.objects.bulk_update(
        [claims[3], claims[native_json._BATCH + 1], claims[-1]],
        ["kind", "title", "tags", "created_at"],
    )
    relation = Relation.objects.filter(debate=built).order_by("id")[5]
    relation.kind, relation.premise_group = Relation.Kind.UNDERCUT, 2
    relation.save(update_fields=["kind", "premise_group"])
    yield built


def _as_before(monkeypatch, debate):
    """The document and text as the export made them before: each row through Django's own
    converters, the text made whole."""
    with monkeypatch.context() as patched:
        patched.setattr(export, "_rows", list)
        document = document_from_debate(debate)
    return document, formats.render(document, "json")


def test_the_export_reads_the_same_document_and_writes_the_same_text(monkeypatch, tmp_path):
    for debate in _debates():
        document_before, text_before = _as_before(monkeypatch, debate)
        document = document_from_debate(debate)
        assert document == document_before
        # Equal times may differ in their zone object; the text shows the one they have.
        assert [claim.created_at.tzinfo for claim in document.claims] == [
            claim.created_at.tzinfo for claim in document_before.claims
        ]
        assert "".join(formats.render_parts(document, "json")) == text_before
        output = tmp_path / f"{debate.slug}.json"
        call_command("export_debate", debate.slug, "--format", "json", "-o", str(output))
        assert output.read_text(encoding="utf-8") == text_before
        # What the file says it is: json.dumps' indented text, each tally on one line.
        dumped = json.dumps(json.loads(text_before), ensure_ascii=False, indent=2) + "\n"
        assert TALLY.sub(r"[\1, \2, \3, \4, \5]", dumped) == text_before


def test_an_export_imported_and_exported_again_is_the_same_text(tmp_path):
    for debate in _debates():
        first = tmp_path / "first.json"
        call_command("export_debate", debate.slug, "--format", "json", "-o", str(first))
        document = native_json.parse(first.read_text(encoding="utf-8"))
        copy = services.debate_import(owner=debate.owner, document=document, keep_authors=True)
        second = tmp_path / "second.json"
        call_command("export_debate", copy.slug, "--format", "json", "-o", str(second))
        slug = re.compile(r'^    "slug": ".*",$', re.M)  # the copy's own (the original's taken)
        assert slug.sub("", second.read_text(encoding="utf-8")) == slug.sub(
            "", first.read_text(encoding="utf-8")
        )


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's converters")
def test_an_export_converts_no_time_and_no_boolean_a_row(monkeypatch):
    """Django's SQLite converters, a Python call a value, were 1.7 s of a 200,000-claim
    export's reading: the columns are converted at once."""
    debate = next(_debates())
    calls = []
    operations = type(connection.ops)
    for name in ("convert_datetimefield_value", "convert_booleanfield_value"):
        original = getattr(operations, name)

        def counted(self, value, expression, conn, original=original, name=name):
            calls.append(name)
            return original(self, value, expression, conn)

        monkeypatch.setattr(operations, name, counted)
    document = document_from_debate(debate)
    assert document.claims and document.annotations and document.relations
    assert calls == []
