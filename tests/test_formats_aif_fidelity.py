"""AIF round trips with its structure: a linked argument stays one premise group (one RA
node), an undercut stays a conflict aimed at the inference, the dialogue layer and the
I-nodes' ids are written back (issue 30)."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from pathlib import Path

import pytest

from arguments import formats, services
from arguments.models import Relation
from arguments.reading.export import document_from_debate
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent / "fixtures" / "formats"
LINKED = (FIXTURES / "aif_linked_undercut.json").read_text(encoding="utf-8")


def structure(data: dict) -> dict[str, object]:
    """An independent reading of an AIF file, by text: each scheme node with its premises and
    what it points at (an I-node's text, or the scheme it aims at, by its premises), and the
    dialogue layer."""
    nodes = {str(n["nodeID"]): n for n in data["nodes"]}
    into: dict[str, list[str]] = defaultdict(list)
    out: dict[str, list[str]] = defaultdict(list)
    for edge in data["edges"]:
        into[str(edge["toID"])].append(str(edge["fromID"]))
        out[str(edge["fromID"])].append(str(edge["toID"]))

    def premises(node_id: str) -> tuple[str, ...]:
        return tuple(sorted(nodes[p]["text"] for p in into[node_id] if nodes[p]["type"] == "I"))

    def target(node_id: str) -> object:
        node = nodes[node_id]
        return node["text"] if node["type"] == "I" else (node["type"], premises(node_id))

    schemes = Counter(
        (nodes[n]["type"], premises(n), target(t))
        for n in nodes
        if nodes[n]["type"] in ("RA", "CA")
        for t in out[n]
    )
    dialogue = Counter(
        (n["type"], n["text"]) for n in data["nodes"] if n["type"] in ("L", "YA", "TA")
    )
    return {
        "texts": sorted(n["text"] for n in data["nodes"] if n["type"] == "I"),
        "schemes": schemes,
        "dialogue": dialogue,
        "locutions": data.get("locutions", []),
        "participants": data.get("participants", []),
    }


def test_a_linked_argument_is_one_premise_group_and_an_undercut_aims_at_the_inference():
    debate = services.debate_import(owner=UserFactory(), document=formats.load(LINKED, "aif"))
    relations = {r.child.text: r for r in Relation.objects.filter(debate=debate)}
    walkers = relations["Most Sunday visitors arrive on foot."]
    slowed = relations["Cars on the harbour road slow walkers down."]
    assert walkers.premise_group is not None and walkers.premise_group == slowed.premise_group
    assert walkers.parent_id == slowed.parent_id
    stalls = relations["Walkers would be slowed by stalls anyway."]
    assert (stalls.stance, stalls.kind) == ("con", Relation.Kind.UNDERCUT)
    deliveries = relations["The fish hall needs the road for deliveries."]
    assert (deliveries.kind, deliveries.premise_group) == (Relation.Kind.PLAIN, None)
    # Two unconnected parts: two theses, the file's layout, with nothing invented.
    assert debate.claims.filter(is_thesis=True).count() == 2


def test_the_export_writes_back_the_same_structure_dialogue_and_ids():
    debate = services.debate_import(owner=UserFactory(), document=formats.load(LINKED, "aif"))
    exported = json.loads(formats.render(document_from_debate(debate), "aif"))
    original = json.loads(LINKED)
    assert structure(exported) == structure(original)
    assert {n["nodeID"]: n["text"] for n in exported["nodes"] if n["type"] == "I"} == {
        n["nodeID"]: n["text"] for n in original["nodes"] if n["type"] == "I"
    }
    # The dialogue layer's edges still join the same nodes.
    dialogue_edges = {
        (e["fromID"], e["toID"])
        for e in original["edges"]
        if {e["fromID"], e["toID"]} & {"200", "201", "202", "203", "204"}
    }
    assert dialogue_edges <= {(e["fromID"], e["toID"]) for e in exported["edges"]}


def test_a_second_round_trip_changes_nothing():
    once = formats.render(
        document_from_debate(
            services.debate_import(owner=UserFactory(), document=formats.load(LINKED, "aif"))
        ),
        "aif",
    )
    twice = formats.render(
        document_from_debate(
            services.debate_import(owner=UserFactory(), document=formats.load(once, "aif"))
        ),
        "aif",
    )
    assert structure(json.loads(twice)) == structure(json.loads(once))
    assert formats.load(once, "aif").problems == []


def test_the_tree_says_which_premises_support_only_together(client):
    owner = UserFactory()
    debate = services.debate_import(owner=owner, document=formats.load(LINKED, "aif"))
    client.force_login(owner)
    page = client.get(debate.get_absolute_url()).content.decode()
    quoted = 'together with “<span dir="auto">{}</span>”'
    assert quoted.format("Cars on the harbour road slow walkers down.") in page
    assert quoted.format("Most Sunday visitors arrive on foot.") in page
    # A premise that stands alone says nothing of the kind.
    assert page.count("together with") == 2


def test_a_fragmented_nodeset_asks_a_clear_question_not_its_first_nodes():
    document = formats.load(LINKED, "aif")
    assert document.title == "An AIF nodeset of 2 unconnected arguments"
    chosen = services.debate_import(owner=UserFactory(), document=document, title="Harbour")
    assert chosen.title == "Harbour"
