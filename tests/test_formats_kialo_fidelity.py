"""Kialo files come back byte for byte: texts as written (markers in place, no escape added,
Markdown links, paragraphs), source addresses as written, the question of a multi-thesis
discussion, links to other discussions (issue 30)."""

from __future__ import annotations

from pathlib import Path

import pytest

from arguments import formats, services
from arguments.models import Citation, Claim, Source
from arguments.reading.export import document_from_debate
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent / "fixtures" / "formats"
FIDELITY = (FIXTURES / "kialo_fidelity.txt").read_text(encoding="utf-8")


def imported(text: str):
    return services.debate_import(owner=UserFactory(), document=formats.load(text, "kialo"))


def test_a_kialo_file_comes_back_byte_for_byte_through_the_database():
    debate = imported(FIDELITY)
    assert formats.render(document_from_debate(debate), "kialo") == FIDELITY


def test_texts_are_stored_as_written_with_the_markers_places_kept():
    debate = imported(FIDELITY)
    texts = dict(debate.claims.values_list("text", "kind"))
    assert texts["A fare for every crossing, as on the Ryde boats (UBI aside)."] == "statement"
    # The marker leaves the text and its place goes to the citation: nothing moves.
    mandates = "The county mandates , in order to keep the pier open, a charge per crossing."
    assert mandates in texts
    assert Citation.objects.get(claim__text=mandates).offset == len("The county mandates ")
    assert "A late fare carries a penalty that the harbour board keeps." in texts
    assert "Fares above £2 > what most commuters pay for the bus" in texts
    assert (
        "The first paragraph says what the survey found.\n\nThe second paragraph says what "
        "[the UK](https://example.org/uk-ferries) did instead."
    ) in texts
    link = "-> See discussion #4821: Should the harbour board be elected?"
    assert texts[link] == Claim.Kind.LINK
    assert not any("\\" in text for text in texts), "no escape was added"


def test_addresses_are_kept_as_written_and_sources_shared_by_their_key():
    debate = imported(FIDELITY)
    cited = Citation.objects.filter(claim__debate=debate)
    assert sorted(cited.values_list("address", flat=True)) == [
        "http://The ferry survey of 2019, in the library",
        "https://Example.org/County/Charges#:~:text=per%20crossing",
        "https://example.org/fares/bus#late",
        "https://example.org/fares/bus?",
        "https://example.org/report",
        "https://example.org/report/",
        "www.example.org/commuters",
    ]
    # Two sections of one page are two citations of one source.
    bus = cited.filter(address__startswith="https://example.org/fares/bus")
    assert bus.count() == 2 and len({c.source_id for c in bus}) == 1
    assert sorted(Source.objects.values_list("url", flat=True)) == [
        "http://www.example.org/commuters",
        "https://example.org/County/Charges",
        "https://example.org/fares/bus",
        "https://example.org/report",
        "https://example.org/report/",
    ]
    prose = cited.get(address__startswith="http://The")
    assert prose.source is None


def test_the_question_of_a_multi_thesis_discussion_is_kept_and_written_back():
    debate = imported(FIDELITY)
    assert debate.interchange == {
        "kialo": {"question": "Which way should the town pay for its ferry?"}
    }
    assert debate.claims.filter(is_thesis=True).count() == 2
    exported = formats.render(document_from_debate(debate), "kialo")
    assert (
        "1. Question:\nWhich way should the town pay for its ferry?\n\n  1.1. Thesis:" in exported
    )


def test_every_address_that_cannot_be_opened_is_reported_and_kept():
    document = formats.load(FIDELITY, "kialo")
    assert document.problems == [
        "line 41: source [5] has no readable web address; its citations keep its text"
    ]


def test_the_older_generation_keeps_the_same_texts_and_places():
    older = (
        "Discussion Title: Ferries\n\n"
        "1. Which way should the town pay for its ferry?\n"
        "1.1. Thesis: A fare for every crossing (UBI aside).\n"
        "1.1.1. Pro: The county mandates [1], in order to keep the pier open.\n"
        "1.1.2. Con: -> See discussion #4821: Should the harbour board be elected?\n"
        "1.2. Thesis: A flat levy on every household.\n"
        "1.2.1. Con: -> See 1.1.1.\n\n"
        "Sources:\n[1] https://Example.org/County/Charges#:~:text=per%20crossing\n"
    )
    exported = formats.render(document_from_debate(imported(older)), "kialo")
    assert "    The county mandates [1], in order to keep the pier open.\n" in exported
    assert "    -> See discussion #4821: Should the harbour board be elected?\n" in exported
    assert "  1.1. Thesis:\n  A fare for every crossing (UBI aside).\n" in exported
    assert "[1] https://Example.org/County/Charges#:~:text=per%20crossing\n" in exported
    again = formats.load(exported, "kialo")
    assert again.interchange["kialo"]["question"] == "Which way should the town pay for its ferry?"


def test_a_text_written_on_the_site_round_trips_through_our_escapes():
    debate = imported("Discussion Title: T\n1. Cite [1] as a [1](link) and \\[2\\] too.\n")
    exported = formats.render(document_from_debate(debate), "kialo")
    assert "Cite \\[1] as a [1](link) and \\[2\\] too." in exported
    again = formats.load(exported, "kialo")
    assert again.claims[0].text == "Cite [1] as a [1](link) and \\[2\\] too."
