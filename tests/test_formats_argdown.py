"""Argdown in and out, checked against the Argdown project's own parser where node is here."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from arguments import services
from arguments.formats import argdown, detect, load
from arguments.formats.document import DebateDocument, FormatError
from arguments.models import Claim, Debate, Relation
from arguments.reading.export import document_from_debate
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent / "fixtures" / "formats"
MAP = (FIXTURES / "argdown_map.argdown").read_text(encoding="utf-8")
CHECKER = Path(__file__).parent / "argdown"
# Argdown's relation types, in our two stances (undercut and contradiction read as attacks).
TAG = re.compile(r"#\([^)]*\)|#[^\s#()\[\]{}<>]+")
STANCE = {"support": "pro", "attack": "con", "undercut": "con", "contradictory": "con"}


def argdown_reads(path: Path) -> dict:
    """What the Argdown project's parser (@argdown/core, run by node) makes of a file.

    Skips when node or the package is missing, except in CI, where the check is required.
    """
    node = shutil.which("node")
    installed = (CHECKER / "node_modules" / "@argdown" / "core").is_dir()
    if node is None or not installed:
        reason = "node is not installed" if node is None else "run: npm ci --prefix tests/argdown"
        if os.environ.get("CI") == "true":
            pytest.fail(f"the Argdown round-trip check is required in CI: {reason}")
        pytest.skip(f"Argdown's own parser is unavailable ({reason})")
    result = subprocess.run(
        [node, str(CHECKER / "parse.mjs"), str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    read = json.loads(result.stdout)
    assert read["errors"] == []
    return read


def their_text(element: dict) -> str:
    """An element's text as Argdown reads it, without its tags (which we keep apart)."""
    return " ".join(TAG.sub("", element["text"] or "").split())


def their_relations(read: dict, *, by_title: bool = False) -> set[tuple[str, str, str]]:
    """(parent, child, stance) as Argdown's parser sees them, by text or by title."""
    elements = read["statements"] + read["arguments"]
    name = {e["title"]: e["title"] if by_title else their_text(e) for e in elements}
    return {(name[r["to"]], name[r["from"]], STANCE[r["type"]]) for r in read["relations"]}


def our_relations(document: DebateDocument, *, by_title: bool = False) -> set[tuple[str, str, str]]:
    # Our ids for a parsed file are "statement:<title>" or "argument:<title>".
    name = {c.id: c.id.partition(":")[2] if by_title else c.text for c in document.claims}
    return {(name[r.parent], name[r.child], r.stance) for r in document.relations}


def test_statements_arguments_and_front_matter_are_read():
    document = argdown.parse(MAP)
    assert document.title == "Open weights and safety"
    assert document.description == "A small map; the long one is at https://example.org/map."
    texts = {claim.id: claim.text for claim in document.claims}
    assert texts["statement:Openness"] == "Frontier model weights should be released openly."
    assert texts["argument:Recall"] == "Released weights can never be recalled."
    # Wrapped text joins, comments and data go, escapes are undone, Markdown stays as written.
    assert (
        texts["statement:Audit"] == "Open weights let anyone audit a model, not only its developer."
    )
    assert texts["statement:Closed"].endswith("as the 2024 [draft] rules said.")
    assert texts["statement:Sovereignty"] == "Open models keep *smaller* nations in the race."
    assert len(document.claims) == 8


def test_top_level_statements_are_theses_and_references_become_links():
    document = argdown.parse(MAP)
    assert [c.id for c in document.theses] == ["statement:Openness", "statement:Closed"]
    originals = {(r.parent, r.child) for r in document.relations if not r.is_link}
    assert originals == {
        ("statement:Openness", "statement:Audit"),
        ("statement:Audit", "statement:Compute"),
        ("statement:Openness", "argument:Recall"),
        ("argument:Recall", "statement:Staged"),
        ("statement:Openness", "statement:Misuse"),
        ("statement:Openness", "statement:Sovereignty"),
    }
    links = {(r.parent, r.child, r.stance) for r in document.relations if r.is_link}
    assert links == {
        ("statement:Compute", "statement:Openness", "con"),
        ("statement:Openness", "statement:Closed", "con"),  # -> : Closed attacks Openness
        ("statement:Closed", "statement:Openness", "con"),  # and back: a mutual attack
        ("statement:Closed", "argument:Recall", "pro"),
        ("statement:Closed", "statement:Compute", "con"),
        ("statement:Staged", "argument:Recall", "con"),  # closes Recall <-> Staged
    }


def test_an_undercut_and_a_support_written_backwards_are_read():
    stances = {r.child: r.stance for r in argdown.parse(MAP).relations if not r.is_link}
    assert stances["statement:Misuse"] == "con"
    assert stances["statement:Sovereignty"] == "pro"


def test_our_reading_of_the_fixture_matches_argdowns_own():
    read = argdown_reads(FIXTURES / "argdown_map.argdown")
    # By title: Argdown's texts keep tags and drop Markdown emphasis, ours the other way round.
    assert their_relations(read, by_title=True) == our_relations(argdown.parse(MAP), by_title=True)
    assert read["frontMatter"]["title"] == "Open weights and safety"


def test_the_export_reads_back_in_argdowns_parser_with_the_same_nodes_and_relations(tmp_path):
    debate = services.debate_import(owner=UserFactory(), document=argdown.parse(MAP))
    document = document_from_debate(debate)
    path = tmp_path / "export.argdown"
    path.write_text(argdown.render(document), encoding="utf-8")
    read = argdown_reads(path)
    # Arguments stay arguments, statements statements, with the authors' titles.
    assert [a["title"] for a in read["arguments"]] == ["Recall"]
    assert sorted(s["title"] for s in read["statements"]) == sorted(
        c.title for c in document.claims if c.kind == "statement"
    )
    elements = read["statements"] + read["arguments"]
    assert sorted(their_text(e) for e in elements) == sorted(c.text for c in document.claims)
    assert {e["title"]: e["tags"] for e in elements if e["tags"]} == {
        "Openness": ["policy", "main thesis"]
    }
    assert their_relations(read) == our_relations(document)
    their_types = {(r["to"], r["from"], r["type"]) for r in read["relations"]}
    assert ("Openness", "Misuse", "undercut") in their_types
    ids = {s["data"]["id"] for s in elements}
    assert ids == {claim.id for claim in document.claims}
    # Front matter kept, the keys we have no place for too.
    assert read["frontMatter"] == {
        "title": "Open weights and safety",
        "description": "A small map; the long one is at https://example.org/map.",
        "author": "Ada",
    }


def test_awkward_texts_survive_argdowns_parser(tmp_path):
    texts = [
        "A thesis with // slashes, /* stars */, <!-- html --> and http://example.org",
        "Brackets [like these] and <angles>, braces {x: 1} and #hashtags",
        "Markdown *stars*, _underscores_, `ticks` and a back\\slash",
        "Ünïcödé — «quotes» and emoji 🌍",
    ]
    document = DebateDocument(title="Awkward")
    document.claims = [
        argdown.DocClaim(id=f"c{i}", text=text, is_thesis=i == 0) for i, text in enumerate(texts)
    ]
    document.relations = [
        argdown.DocRelation(parent="c0", child=f"c{i}", stance="pro", position=i)
        for i in range(1, len(texts))
    ]
    path = tmp_path / "awkward.argdown"
    path.write_text(argdown.render(document), encoding="utf-8")
    assert sorted(claim.text for claim in argdown.parse(path.read_text()).claims) == sorted(texts)
    read = argdown_reads(path)
    assert sorted(" ".join(s["text"].split()) for s in read["statements"]) == sorted(texts)


def test_argdown_to_the_app_and_back_keeps_relations_and_theses():
    debate = services.debate_import(owner=UserFactory(), document=argdown.parse(MAP))
    again = argdown.parse(argdown.render(document_from_debate(debate)))
    assert our_relations(again) == our_relations(argdown.parse(MAP))
    assert sorted(c.text for c in again.theses) == sorted(c.text for c in argdown.parse(MAP).theses)
    theses = {claim.id for claim in again.theses}
    assert all(r.is_link for r in again.relations if r.child in theses)


def test_votes_ids_and_authors_are_written_as_data():
    debate = services.debate_import(owner=UserFactory(username="ada"), document=argdown.parse(MAP))
    exported = argdown.render(document_from_debate(debate))
    assert '{id: "c1", votes: [0, 0, 0, 0, 0], author: "ada"}' in exported


def test_a_premise_conclusion_structure_is_read_as_a_premise_group():
    document = load((FIXTURES / "argdown_premise_conclusion.argdown").read_text(), "argdown")
    premises = [r for r in document.relations if r.parent == "argument:Open audit"]
    assert [r.group for r in premises] == [1, 1]
    assert {r.child for r in document.relations if r.parent == "untitled 3"} == {
        "argument:Open audit"
    }


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("  + [A]: a relation with nothing above", "line 1: the relation '+' has no statement"),
        ("===\ntitle: never closed\n[A]: a", "line 1: the front matter opened here is never"),
        (f"[A]: {'long ' * 1001}", "line 1: [A] is 5004 characters long"),
        ("[A]: a\n  + [B]: b\n----\n", "line 3: an inference line needs"),
        ("// only a comment\n", "the file has no statements"),
    ],
)
def test_malformed_files_name_the_line_and_write_nothing(text, message):
    before = (Debate.objects.count(), Claim.objects.count(), Relation.objects.count())
    with pytest.raises(FormatError) as raised:
        services.debate_import(owner=UserFactory(), document=argdown.parse(text))
    assert str(raised.value).startswith(message)
    assert (Debate.objects.count(), Claim.objects.count(), Relation.objects.count()) == before


def test_a_statement_given_two_texts_keeps_the_last_as_argdown_does_and_says_so():
    document = argdown.parse("[A]: first\n\n[A]: second\n")
    assert document.claims[0].text == "second"
    assert document.problems == [
        "line 1: [A] has 2 different texts; the last is kept, as in Argdown"
    ]


def test_the_format_is_detected():
    assert detect(MAP, "") == "argdown"
    assert detect("[A]: a\n", "") == "argdown"
    assert detect("anything", "map.argdown") == "argdown"
