"""Argdown round trips with the model Argdown's own parser reads: statements and arguments
with their authors' titles and tags, premise-conclusion reconstructions (premise groups,
inference rules, intermediate conclusions), undercuts, contradictions and contraries, the
front matter (issue 30)."""

from __future__ import annotations

from pathlib import Path

import pytest

from arguments import formats, services
from arguments.formats.document import DebateDocument
from arguments.models import Claim, Relation
from arguments.reading.export import document_from_debate
from tests.factories import UserFactory
from tests.test_formats_argdown import argdown_reads, their_text

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent / "fixtures" / "formats"
RECONSTRUCTION = FIXTURES / "argdown_reconstruction.argdown"
# Argdown's relation types as the two stances and the kinds we keep apart.
TYPES = {
    "support": "pro",
    "entails": "pro",
    "attack": "con",
    "contrary": "con",
    "undercut": "undercut",
    "contradictory": "contradictory",
}


def symmetric(parent: str, child: str, kind: str) -> tuple[str, str, str]:
    """A contradiction has no direction (Argdown writes it from the element above)."""
    if kind == "contradictory":
        parent, child = sorted((parent, child))
    return parent, child, kind


def their_model(read: dict) -> dict[str, object]:
    """What Argdown's parser reads, in terms both sides share: premises of a reconstruction
    as ("premise") relations to their argument, its main conclusion as a support."""
    relations = {symmetric(r["to"], r["from"], TYPES[r["type"]]) for r in read["relations"]}
    for argument in read["arguments"]:
        for statement in argument["pcs"]:
            if statement["role"] == "main-conclusion":
                relations.add((statement["title"], argument["title"], "pro"))
            else:
                relations.add((argument["title"], statement["title"], "premise"))
    elements = read["statements"] + read["arguments"]
    return {
        "statements": sorted(s["title"] for s in read["statements"]),
        "arguments": sorted(a["title"] for a in read["arguments"]),
        "texts": {e["title"]: their_text(e) for e in elements if e["text"]},
        "tags": {e["title"]: sorted(e["tags"]) for e in elements if e["tags"]},
        "relations": relations,
        "reconstructions": {
            a["title"]: [(s["title"], s["role"], s["rules"]) for s in a["pcs"]]
            for a in read["arguments"]
            if a["pcs"]
        },
        "front matter": read["frontMatter"],
    }


def our_model(document: DebateDocument) -> dict[str, object]:
    title = {claim.id: claim.title for claim in document.claims}

    def kind(relation) -> str:
        if relation.group is not None:
            return "premise"
        return relation.kind or str(relation.stance)

    arguments = [c for c in document.claims if c.kind == Claim.Kind.ARGUMENT]
    return {
        "statements": sorted(c.title for c in document.claims if c.kind == "statement"),
        "arguments": sorted(c.title for c in arguments),
        "texts": {c.title: c.text for c in document.claims if c.text != c.title},
        "tags": {c.title: sorted(c.tags) for c in document.claims if c.tags},
        "relations": {
            symmetric(title[r.parent], title[r.child], kind(r)) for r in document.relations
        },
    }


def test_argdown_reads_our_export_as_it_reads_the_original(tmp_path):
    original = their_model(argdown_reads(RECONSTRUCTION))
    debate = services.debate_import(
        owner=UserFactory(), document=formats.load(RECONSTRUCTION.read_text(), "argdown")
    )
    stored = document_from_debate(debate)
    exported = tmp_path / "export.argdown"
    exported.write_text(formats.render(stored, "argdown"), encoding="utf-8")
    again = their_model(argdown_reads(exported))
    assert again == original
    # And our own model of the debate is the same model.
    ours = our_model(stored)
    assert ours == {key: original[key] for key in ours}


def test_the_domain_holds_arguments_premise_groups_and_relation_kinds():
    debate = services.debate_import(
        owner=UserFactory(), document=formats.load(RECONSTRUCTION.read_text(), "argdown")
    )
    assert debate.title == "Should the harbour road close to cars on Sundays?"
    claims = {claim.title: claim for claim in debate.claims.all()}
    assert claims["Foot traffic"].kind == Claim.Kind.ARGUMENT
    assert claims["Closure"].tags == ["transport", "weekend rules"]
    # The last text given, as in Argdown's model.
    assert claims["Closure"].text.endswith("from ten to six.")
    premises = Relation.objects.filter(parent=claims["Foot traffic"], premise_group__isnull=False)
    assert sorted(premises.values_list("child__title", flat=True)) == [
        "Counts",
        "Crowded",
        "Crowding",
        "Rule",
    ]
    assert len(set(premises.values_list("premise_group", flat=True))) == 1
    kinds = dict(Relation.objects.filter(debate=debate).values_list("child__title", "kind"))
    assert kinds["Stalls"] == Relation.Kind.UNDERCUT
    assert kinds["Open road"] == Relation.Kind.CONTRADICTORY
    # A wrapped heading is a heading, not claims.
    assert not debate.claims.filter(text__contains="residents' meeting").exists()


def test_an_inference_line_without_premises_is_refused_naming_its_line():
    with pytest.raises(formats.FormatError, match=r"^line 3: an inference line needs"):
        formats.load("[A]: a\n  + [B]: b\n----\n", "argdown")
