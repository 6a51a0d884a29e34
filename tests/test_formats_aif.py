"""AIF JSON (AIFdb, OVA): classic and OVA3-wrapped files in, the classic form out."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from arguments import services
from arguments.formats import aif, detect
from arguments.formats.document import FormatError
from arguments.models import Claim, Debate, Relation
from arguments.reading.export import document_from_debate
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent / "fixtures" / "formats"
CLASSIC = (FIXTURES / "aif_classic.json").read_text(encoding="utf-8")
OVA3 = (FIXTURES / "aif_ova3.json").read_text(encoding="utf-8")


def relations(document) -> set[tuple[str, str, str, bool]]:
    return {(r.parent, r.child, r.stance, r.is_link) for r in document.relations}


def test_i_nodes_become_claims_and_ra_ca_nodes_pros_and_cons():
    document = aif.parse(CLASSIC, merge_rephrases=True)
    assert [c.id for c in document.claims] == ["1", "2", "4", "6", "13"]
    assert [c.id for c in document.theses] == ["1"]
    assert relations(document) == {
        ("1", "2", "pro", False),  # RA 3, with node 1's id given as a number
        ("2", "4", "con", False),  # CA 5
        ("2", "6", "con", False),  # CA 7 attacks RA 3: an undercut of 2's support for 1
        ("4", "13", "pro", False),  # RA 14
    }


def test_asked_to_a_rephrase_makes_one_claim_keeping_the_other_wording():
    claim = next(c for c in aif.parse(CLASSIC, merge_rephrases=True).claims if c.id == "2")
    assert claim.text == "Open weights let independent researchers audit models."
    assert claim.elaboration == (
        "Also put as: Open models can be inspected by independent researchers."
    )


def test_dialogue_nodes_and_dangling_references_are_tolerated():
    document = aif.parse(CLASSIC)
    assert not any("Asserting" in c.text or "Ada :" in c.text for c in document.claims)
    assert document.problems == ["edges[10]: an edge to a missing node is left out"]


def test_the_ova3_wrapper_is_read_and_a_mutual_conflict_closes_with_a_link():
    document = aif.parse(OVA3)
    assert [c.id for c in document.claims] == ["a1", "a2", "a5"]
    assert [c.id for c in document.theses] == ["a1"]
    assert relations(document) == {
        ("a1", "a2", "con", False),
        ("a2", "a1", "con", True),
        ("a1", "a5", "pro", False),
    }
    assert document.problems == ["AIF.edges[8]: an edge to a missing node is left out"]


@pytest.mark.parametrize("text", [CLASSIC, OVA3])
def test_aif_to_the_app_and_back_keeps_claims_relations_and_theses(text):
    original = aif.parse(text)
    debate = services.debate_import(owner=UserFactory(), document=original)
    exported = json.loads(aif.render(document_from_debate(debate)))
    assert set(exported) == {"nodes", "edges", "locutions", "participants"}
    again = aif.parse(json.dumps(exported))
    texts = {c.id: c.text for c in original.claims}
    again_texts = {c.id: c.text for c in again.claims}
    assert sorted(again_texts.values()) == sorted(texts.values())

    def by_text(document, names):
        return {(names[p], names[c], s, link) for p, c, s, link in relations(document)}

    assert by_text(again, again_texts) == by_text(original, texts)
    assert [c.text for c in again.theses] == [c.text for c in original.theses]


def test_the_export_is_classic_aif_with_one_scheme_node_a_relation():
    debate = services.debate_import(
        owner=UserFactory(), document=aif.parse(CLASSIC, merge_rephrases=True)
    )
    exported = json.loads(aif.render(document_from_debate(debate)))
    kinds = [node["type"] for node in exported["nodes"]]
    # The claims, a scheme node a relation (the undercut a CA aimed at the RA it questions),
    # the merged rephrase written back as its own I-node and MA node, then the dialogue layer
    # (L, YA, TA) the import kept.
    assert kinds == ["I"] * 5 + ["RA", "CA", "RA", "CA", "I", "MA", "L", "YA", "TA"]
    nodes = {node["nodeID"]: node for node in exported["nodes"]}
    conflicts = {n["nodeID"] for n in exported["nodes"] if n["type"] == "CA"}
    aimed = [nodes[e["toID"]]["type"] for e in exported["edges"] if e["fromID"] in conflicts]
    assert sorted(aimed) == ["I", "RA"]
    # Imported propositions keep their ids, so the dialogue layer still points at them.
    assert nodes["1"]["text"] == "Frontier model weights should be released openly."
    assert {"fromID": "11", "toID": "1"}.items() <= next(
        e for e in exported["edges"] if e["fromID"] == "11"
    ).items()
    assert exported["locutions"][0]["nodeID"] == "10"
    assert all(isinstance(edge["fromID"], str) for edge in exported["edges"])


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"nodes": [', "line 1: not valid JSON"),
        ("[1, 2]", "$: expected an object"),
        ('{"nodes": {}, "edges": []}', "nodes: expected a list"),
        ('{"AIF": {"nodes": [], "edges": 3}}', "AIF.edges: expected a list"),
        ('{"nodes": [{"text": "x", "type": "I"}], "edges": []}', "nodes[0]: a node needs"),
        ('{"nodes": [{"nodeID": 1, "type": "L"}], "edges": []}', "nodes: the file has no I-nodes"),
        (
            '{"nodes": [{"nodeID": 1, "type": "I", "text": "a"}, {"nodeID": "1", "type": "I"}],'
            ' "edges": []}',
            "nodes[1].nodeID: the nodeID '1' is used twice",
        ),
        (
            json.dumps(
                {"AIF": {"nodes": [{"nodeID": 1, "type": "I", "text": "x" * 5001}], "edges": []}}
            ),
            "AIF.nodes[0].text: claim is 5001 characters long",
        ),
        ('{"nodes": [{"nodeID": 1, "type": "I", "text": " "}], "edges": []}', "nodes[0].text"),
    ],
)
def test_malformed_files_name_the_path_and_write_nothing(text, message):
    before = (Debate.objects.count(), Claim.objects.count(), Relation.objects.count())
    with pytest.raises(FormatError) as raised:
        services.debate_import(owner=UserFactory(), document=aif.parse(text))
    assert str(raised.value).startswith(message)
    assert (Debate.objects.count(), Claim.objects.count(), Relation.objects.count()) == before


def test_the_format_is_detected_in_both_shapes():
    assert detect(CLASSIC, "map.json") == detect(OVA3, "") == "aif"
    assert detect("{broken", "map.aif.json") == "aif"
