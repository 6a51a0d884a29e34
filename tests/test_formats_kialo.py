"""Kialo's .txt exports, older and current generation, in and out of the app."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.db import connection

from arguments import services
from arguments.formats import detect, kialo, load
from arguments.formats.document import DebateDocument, FormatError
from arguments.models import Citation, Claim, Debate, Relation, Source
from arguments.reading.export import document_from_debate
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent / "fixtures" / "formats"
OLDER = (FIXTURES / "kialo_older.txt").read_text(encoding="utf-8")
CURRENT = (FIXTURES / "kialo_current.txt").read_text(encoding="utf-8")
MULTI = (FIXTURES / "kialo_multi_thesis.txt").read_text(encoding="utf-8")


def counts() -> tuple[int, ...]:
    return tuple(m.objects.count() for m in (Debate, Claim, Relation, Source, Citation))


def shape(document: DebateDocument) -> dict[str, object]:
    """What a round trip must keep, by text rather than by id: each claim's depth, every
    relation with its stance and kind, every citation with its URL and quote."""
    text = {claim.id: claim.text for claim in document.claims}
    parent = {r.child: r.parent for r in document.relations if not r.is_link}

    def depth(claim_id: str) -> int:
        return 1 + depth(parent[claim_id]) if claim_id in parent else 1

    urls = {source.id: source.url for source in document.sources}
    return {
        "title": document.title,
        "claims": sorted((depth(c.id), c.text, c.is_thesis) for c in document.claims),
        "relations": sorted(
            (text[r.parent], text[r.child], r.stance, r.is_link) for r in document.relations
        ),
        "citations": sorted((text[c.claim], urls[c.source], c.quote) for c in document.citations),
    }


def by_text(document: DebateDocument, start: str) -> str:
    return next(claim.id for claim in document.claims if claim.text.startswith(start))


def test_the_older_generation_reads_claims_stances_and_depth():
    document = kialo.parse(OLDER)
    assert document.title == "Should frontier AI model weights be released openly?"
    assert [c.id for c in document.theses] == ["1."]
    assert len(document.claims) == 10
    deepest = shape(document)["claims"][-1]
    assert deepest == (
        6,
        "Quantization changes the very behaviour that safety audits study.",
        False,
    )
    stances = {(r.parent, r.child): r.stance for r in document.relations if not r.is_link}
    assert stances[("1.", "1.1.")] == "pro" and stances[("1.", "1.2.")] == "con"


def test_links_point_at_claims_before_and_after_them():
    links = {(r.parent, r.child, r.stance) for r in kialo.parse(OLDER).relations if r.is_link}
    assert links == {
        ("1.1.1.1.1.1.", "1.2.1.", "pro"),  # the target comes later in the file
        ("1.1.", "1.3.", "pro"),  # later too
        ("1.2.", "1.1.", "con"),  # earlier
    }


def test_texts_are_kept_as_written_escapes_and_utf8_included():
    # Kialo's text is Markdown: its escapes are part of what the author wrote, kept so that
    # the export gives the same bytes back.
    texts = {claim.text for claim in kialo.parse(OLDER).claims}
    assert r"Running a 400B\-parameter model needs hardware few universities own." in texts
    assert r"Quantized versions run on a single workstation \(with some loss\)." in texts
    assert any(text.startswith("Développeurs européens") and "🌍" in text for text in texts)


def test_sources_become_citations_with_multi_line_quotes():
    document = kialo.parse(OLDER)
    assert [s.url for s in document.sources] == [
        "https://example.org/reports/open-weights-audit",
        "https://example.org/hardware/requirements",
        "https://example.org/news/mirrors",
    ]
    quotes = {(c.claim, c.source): c.quote for c in document.citations}
    assert quotes[("1.1.", "s1")] == (
        '"Independent audits found eleven issues that the developer had missed.\n\n'
        'Several of them were only visible with full access to the weights."'
    )
    assert (
        quotes[("1.2.1.", "s3")] == "Within six hours the weights were on more than forty mirrors."
    )
    assert ("1.2.1.", "s1") in quotes and quotes[("1.1.1.1.", "s2")] == ""
    assert all("[" not in claim.text for claim in document.claims), "markers are taken out"


def test_the_current_generation_reads_blocks_several_theses_and_wrapped_text():
    document = kialo.parse(CURRENT)
    assert document.title == "Should open-weight models need a licence?"
    assert [c.id for c in document.theses] == ["1.", "2."]
    # A text written over two lines keeps its line break.
    assert (
        document.claims[3].text
        == "Licensing favours large firms\nthat can afford compliance teams."
    )
    links = {(r.parent, r.child) for r in document.relations if r.is_link}
    assert links == {("1.1.1.", "2.1."), ("1.2.", "1.1.1."), ("2.", "1.1.")}
    quote = next(c.quote for c in document.citations if c.claim == "1.1.")
    assert quote == '"A licence is a promise checked before the fact,\n\nnot a fine after it."'


def test_a_multi_thesis_discussion_keeps_its_question_and_its_theses():
    document = kialo.parse(MULTI)
    assert document.interchange == {
        "kialo": {"question": "Which release policy suits frontier models?"}
    }
    assert [c.text for c in document.theses] == [
        "Release the weights openly.",
        "Keep the weights closed and offer an API.",
        "Release the weights after a staged delay.",
    ]
    assert all(not c.text.startswith("Which") for c in document.claims)
    assert {(r.parent, r.child, r.is_link) for r in document.relations} == {
        ("1.1.", "1.1.1.", False),
        ("1.2.", "1.1.1.", True),
        ("1.3.", "1.3.1.", False),
    }


@pytest.mark.parametrize("text", [OLDER, CURRENT, MULTI])
def test_kialo_to_the_app_and_back_keeps_claims_relations_links_depth_and_sources(text):
    owner = UserFactory()
    debate = services.debate_import(owner=owner, document=kialo.parse(text))
    exported = kialo.render(document_from_debate(debate))
    assert exported.startswith("Discussion Name:\n")
    assert shape(kialo.parse(exported)) == shape(kialo.parse(text))


def test_the_export_writes_the_current_generation_with_links_and_sources():
    debate = services.debate_import(owner=UserFactory(), document=kialo.parse(OLDER))
    exported = kialo.render(document_from_debate(debate))
    lines = exported.splitlines()
    assert lines[:5] == [
        "Discussion Name:",
        "Should frontier AI model weights be released openly?",
        "",
        "1. Thesis:",
        "Frontier AI developers should release their model weights openly.",
    ]
    assert "            1.1.1.1.1.1.1. Pro:" in lines
    assert "    1.1.2. Pro:" in lines and "    -> See 1.3." in lines
    # Written back as Kialo wrote it: no escape added, none taken away.
    assert r"        Quantized versions run on a single workstation \(with some loss\)." in lines
    assert r"\\(" not in exported
    assert "Sources:" in lines and "[1] https://example.org/reports/open-weights-audit" in lines


def test_texts_that_look_like_markup_survive_the_round_trip():
    document = DebateDocument(title="Tricky texts")
    document.claims = [
        kialo.DocClaim(id="t", text="-> See 1.1. is what a link says", is_thesis=True),
        kialo.DocClaim(id="a", text="Cite [1] like this, with a \\ backslash"),
        kialo.DocClaim(id="b", text="1. Thesis: a text that starts like a header"),
    ]
    document.relations = [
        kialo.DocRelation(parent="t", child="a", stance="pro"),
        kialo.DocRelation(parent="t", child="b", stance="con", position=1),
    ]
    again = kialo.parse(kialo.render(document))
    assert [c.text for c in again.claims] == [c.text for c in document.claims]
    assert not any(r.is_link for r in again.relations)


def test_a_large_file_imports_in_a_bounded_number_of_queries(django_assert_max_num_queries):
    lines = ["Discussion Title: A generated debate", "", "1. The thesis."]
    for i in range(1, 51):
        lines.append(f"1.{i}. Pro: Reason {i}.")
        for j in range(1, 60):
            stance = "Pro" if j % 2 else "Con"
            lines.append(f"1.{i}.{j}. {stance}: Reason {i}.{j}.")
        lines.append(f"1.{i}.60. Con: -> See 1.{i % 50 + 1}.")
    document = kialo.parse("\n".join(lines))
    assert len(document.claims) == 1 + 50 * 60
    owner = UserFactory()
    # About a dozen queries make the debate (slug, checks, savepoints, history, membership,
    # the two tasks it queues for the worker), then every batch of 1,000 rows costs two (the
    # rows, their history): 3,051 claims and 3,050 relations make 8 batches. SQLite indexes
    # the claims' text at once, whatever their number: its insert trigger and the index's
    # buffer set aside and back (7), the fill (1).
    index = 8 if connection.vendor == "sqlite" else 0
    with django_assert_max_num_queries(13 + index + 2 * 8):
        debate = services.debate_import(owner=owner, document=document)
    assert debate.relations.filter(is_link=True).count() == 50


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "line 1: the file is empty"),
        ("Title: nope\n1. A thesis.", "line 1: a Kialo export starts with"),
        ("Discussion Title: T\n\nJust words", "line 3: expected a numbered claim"),
        ("Discussion Title: T\n1. A.\n1.1. B.", "line 3: 1.1. needs a 'Pro:' or 'Con:' label"),
        ("Discussion Title: T\n1. Pro: A.", "line 2: 1. stands at the root"),
        ("Discussion Title: T\n1. A.\n1.2.1. Pro: B.", "line 3: 1.2.1. answers 1.2., which is"),
        ("Discussion Title: T\n1. A.\n1.1. Pro: B.\n1.1. Con: C.", "line 4: claim 1.1. appears"),
        ("Discussion Title: T\n1. -> See 1.", "line 2: the thesis 1. cannot be a link"),
        ("Discussion Title: T\n1. A.\n1.1. Pro:", "line 3: claim 1.1. has no text"),
        (
            f"Discussion Title: T\n1. A.\n\n1.1. Con: {'long ' * 1001}",
            "line 4: claim 1.1. is 5004 characters long; an imported claim may have at most 5000",
        ),
        ("Discussion Title: T\n1. A. [1]\nSources:\nnot a source", "line 4: expected a source"),
        ("Discussion Title: T\n1. A.\nSources:\n[1] https://a.org\n[1] https://b.org", "line 5"),
    ],
)
def test_malformed_files_name_the_line_and_write_nothing(text, message):
    before = counts()
    with pytest.raises(FormatError) as raised:
        services.debate_import(owner=UserFactory(), document=kialo.parse(text))
    assert str(raised.value).startswith(message)
    assert counts() == before


def test_a_file_with_a_nul_character_is_no_text_file():
    with pytest.raises(FormatError, match=r"^line 4: a NUL character"):
        load(OLDER.replace("1.1. Pro: Open", "1.1. Pro: \x00Open"), "kialo")


def test_tolerated_oddities_are_reported_as_problems():
    text = (
        "Discussion Title: T\n1. A. [4]\n1.1. Pro: B.\n1.2. Pro: -> See 1.1.\n"
        "Sources:\n[1] a book without a web address"
    )
    document = kialo.parse(text)
    assert document.problems == [
        "line 6: source [1] has no web address; its citations keep its text",
        "line 2: [4] cites no source listed under 'Sources:'",
        "line 4: 1.2. repeats a relation that is already there; kept once",
    ]
    assert document.claims[0].text == "A. [4]"


def test_broken_links_are_left_out_with_a_warning_and_every_claim_kept():
    text = (
        "Discussion Title: T\n1. A.\n1.1. Pro: B.\n1.2. Pro: -> See 1.7.\n"
        "1.3. Con: -> See 1.4.\n1.4. Con: -> See 1.3.\n"
    )
    document = load(text, "kialo")
    assert [claim.text for claim in document.claims] == ["A.", "B."]
    assert document.problems == [
        "line 4: links to 1.7., which is not in the file; link left out",
        "line 5: the links through 1.3. go round in a circle; link left out",
        "line 6: the links through 1.4. go round in a circle; link left out",
    ]
    assert document.counts()["warnings"] == 3


def test_the_format_is_detected_from_either_header():
    assert detect(OLDER, "x.txt") == detect(CURRENT, "") == "kialo"
