"""An export reads only what its format writes (`formats.WRITES`): the file must be exactly the
one made from the whole document, for every format, whole or as a visitor sees it, named or
pseudonymous. A format that writes a part `WRITES` leaves out fails here."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from arguments import formats, services
from arguments.formats import native_json
from arguments.models import Debate
from arguments.reading.export import document_from_debate
from arguments.reading.lens import Lens
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

BACKUP = (Path(__file__).parent / "fixtures" / "formats" / "debate_backup.json").read_text(
    encoding="utf-8"
)


@pytest.fixture
def restored() -> Debate:
    """A backup with authors, votes, dates, notes, hidden and pending claims, a merge, links."""
    UserFactory(username="ben")
    olivia = UserFactory(username="olivia", is_staff=True)
    return services.debate_import(
        owner=olivia, document=native_json.parse(BACKUP), keep_authors=True
    )


@pytest.mark.parametrize("pseudonymous", [False, True])
@pytest.mark.parametrize("format_name", sorted(formats.FORMATS))
def test_a_file_read_with_only_its_formats_parts_is_the_whole_documents_file(
    restored, format_name, pseudonymous
):
    Debate.objects.filter(pk=restored.pk).update(pseudonymous=pseudonymous)
    restored.refresh_from_db()
    parts = formats.WRITES[format_name]
    for seen_by in (None, Lens.visitor(restored)):
        whole = formats.render(document_from_debate(restored, seen_by=seen_by), format_name)
        slim = document_from_debate(restored, seen_by=seen_by, parts=parts)
        assert formats.render(slim, format_name) == whole


def test_a_kialo_export_reads_no_names_dates_votes_or_notes(restored):
    with CaptureQueriesContext(connection) as whole:
        document_from_debate(restored)
    with CaptureQueriesContext(connection) as slim:
        document = document_from_debate(restored, parts=formats.WRITES["kialo"])
    assert len(slim) == len(whole) - 2  # neither the owner's name nor the annotations
    claims = next(q["sql"] for q in slim.captured_queries if '"arguments_claim"' in q["sql"])
    assert "username" not in claims and "created_at" not in claims and "votes_" not in claims
    assert {claim.author for claim in document.claims} == {""}
    assert document.annotations == []
