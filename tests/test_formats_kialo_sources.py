"""A Kialo `Sources:` section comes back as written: numbers out of the order first cited,
words before an address, excerpts laid out as the file had them (issue 30)."""

from __future__ import annotations

from pathlib import Path

import pytest

from arguments import formats, services
from arguments.models import Citation, Source
from arguments.reading.export import document_from_debate
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

FIXTURE = Path(__file__).parent / "fixtures" / "formats" / "kialo_sources_as_written.txt"
AS_WRITTEN = FIXTURE.read_text(encoding="utf-8")


def imported(text: str, owner=None):
    owner = owner or UserFactory()
    return services.debate_import(owner=owner, document=formats.load(text, "kialo"))


def sources_section(text: str) -> str:
    return text.split("\nSources:\n", 1)[1]


def test_numbers_and_words_before_addresses_come_back_byte_for_byte():
    document = formats.load(AS_WRITTEN, "kialo")
    assert document.losses == {}, "nothing to count: the section is written back as it was"
    exported = formats.render(document_from_debate(imported(AS_WRITTEN)), "kialo")
    assert exported == AS_WRITTEN


def test_each_marker_still_cites_the_entry_it_named():
    debate = imported(AS_WRITTEN)
    cited = {
        (text, address)
        for text, address in Citation.objects.filter(claim__debate=debate).values_list(
            "claim__text", "address"
        )
    }
    assert cited == {
        (
            "Sunday is the only free day for most shift workers in town.",
            "www.example.org/shift-survey",
        ),
        (
            "The staff rota has no one left for a seventh day , and the budget is fixed.",
            "https://example.org/council/budget-2024.pdf#page=12",
        ),
        (
            "The staff rota has no one left for a seventh day , and the budget is fixed.",
            "https://example.org/council/budget-2024.pdf#page=30",
        ),
        (
            "Volunteers cannot lend out books under the council's rules.",
            "https://example.org/rules?section=4",
        ),
        (
            "A neighbouring town runs its Sunday hours with a half rota  and says so.",
            "www.example.org/shift-survey",
        ),
        (
            "A neighbouring town runs its Sunday hours with a half rota  and says so.",
            "A letter to the editor, in print only",
        ),
    }
    # The words before an address still name a new source (shown on the site).
    assert Source.objects.get(url="https://example.org/rules?section=4").title == (
        "The council's lending rules (section 4)"
    )


def test_a_source_cited_on_the_site_since_takes_the_next_free_number():
    owner = UserFactory()
    debate = imported(AS_WRITTEN, owner)
    claim = debate.claims.get(text__startswith="Volunteers")
    services.source_cite(actor=owner, claim=claim, url="https://example.org/volunteers")
    exported = formats.render(document_from_debate(debate), "kialo")
    assert "Volunteers cannot lend out books under the council's rules. [2] [6]\n" in exported
    assert sources_section(exported) == (
        sources_section(AS_WRITTEN) + "[6] https://example.org/volunteers\n"
    )


def test_a_repeated_entry_is_counted_and_written_back_once():
    repeated = AS_WRITTEN.replace(
        "[5] A letter to the editor, in print only",
        "[5] https://example.org/council/budget-2024.pdf#page=30",
    )
    document = formats.load(repeated, "kialo")
    assert document.losses == {"repeated_sources": 1}
    exported = formats.render(document, "kialo")
    assert "a half rota [3] and says so. [4]\n" in exported
    assert "[5]" not in exported


def test_several_theses_without_a_question_are_counted_before_the_import():
    two = "Discussion Name:\nFerries\n\n1. Thesis:\nA fare.\n\n2. Thesis:\nA levy.\n"
    document = formats.load(two, "kialo")
    assert document.losses == {"question_added": 1}
    assert "1. Question:\nFerries\n\n  1.1. Thesis:\n  A fare.\n" in formats.render(
        document, "kialo"
    )
