"""A JSON import checked and written a column at a time (issue 35, 35e): the claims checked a
field at a time over all of them, times prepared a column at a time, rows given as columns;
the first problem in the file still the one told, and the rows what a row at a time wrote."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.db import connection

from arguments import services
from arguments.formats import document as document_module
from arguments.formats import native_json
from arguments.formats.document import FormatError, check_document
from arguments.models import Claim
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

BACKUP = (Path(__file__).parent / "fixtures" / "formats" / "debate_backup.json").read_text(
    encoding="utf-8"
)


def _counted(monkeypatch, owner, name: str) -> list[object]:
    calls: list[object] = []
    original = getattr(owner, name)

    def counted(*args, **kwargs):
        calls.append(args)
        return original(*args, **kwargs)

    monkeypatch.setattr(owner, name, counted)
    return calls


def test_a_well_formed_file_is_checked_without_a_call_a_claim(monkeypatch):
    """`check_claim_text` a claim, in Python, was a second of a 200,000-claim check."""
    calls = _counted(monkeypatch, document_module, "check_claim_text")
    document = native_json.parse(BACKUP)
    document.claims[0].text = "  Spaced\r\nacross lines  "
    check_document(document)
    assert calls == []
    assert document.claims[0].text == "Spaced\nacross lines"  # trimmed as it always was


@pytest.mark.parametrize(
    ("change", "told"),
    [
        # The second claim's problem comes first in the file: it is the one told.
        (lambda claims: (setattr(claims[1], "text", " "), setattr(claims[3], "id", "c1")), "[1]"),
        (
            lambda claims: (setattr(claims[2], "status", "x"), setattr(claims[4], "text", "")),
            "[2].status",
        ),
        (lambda claims: setattr(claims[5], "title", "t" * 201), "[5].title"),
        (lambda claims: setattr(claims[4], "text", "a\x00b"), "[4]"),
    ],
)
def test_the_first_problem_in_the_file_is_the_one_told(change, told):
    document = native_json.parse(BACKUP)
    change(document.claims)
    with pytest.raises(FormatError) as raised:
        check_document(document)
    assert str(raised.value).startswith(f"claims{told}:")


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's adapter")
def test_a_backups_times_are_written_without_a_call_a_time(monkeypatch):
    """Django's adapter, a time at a time, was 1.5 s of a 200,000-claim import."""
    owner = UserFactory(username="olivia", is_staff=True)
    times = {claim.created_at for claim in native_json.parse(BACKUP).claims}
    calls = _counted(monkeypatch, type(connection.ops), "adapt_datetimefield_value")
    debate = services.debate_import(owner=owner, document=native_json.parse(BACKUP))
    assert [args for args in calls if args[1] in times] == []  # the notes' own, a few, are
    first = Claim.objects.filter(debate=debate).order_by("id").first()
    assert first is not None
    assert first.created_at == datetime(2025, 3, 1, 9, 0, tzinfo=UTC)


def test_claims_without_a_time_or_tags_take_the_time_of_the_import_and_no_tags():
    owner = UserFactory(username="olivia", is_staff=True)
    document = native_json.parse(BACKUP)
    document.claims[0].created_at = None
    document.claims[1].tags = ["ethics"]
    before = datetime.now(UTC)
    debate = services.debate_import(owner=owner, document=document)
    claims = list(Claim.objects.filter(debate=debate).order_by("id"))
    assert claims[0].created_at >= before
    assert claims[1].created_at == datetime(2025, 3, 1, 9, 5, 30, 250000, tzinfo=UTC)
    assert [claim.tags for claim in claims[:3]] == [[], ["ethics"], []]
