"""Files with the shapes real exports have (long claims, broken addresses, rephrases with a
mutual attack, several theses, deep links) import with nothing lost and round-trip exactly."""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from pathlib import Path

import pytest
from django.db.models.functions import Length

from arguments import formats, services
from arguments.formats.document import DebateDocument, FormatError
from arguments.models import CLAIM_MAX_LENGTH, Claim, Debate, Relation, Source
from arguments.reading.export import document_from_debate
from tests.factories import UserFactory
from tests.test_formats_argdown import argdown_reads, their_relations

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent / "fixtures" / "formats"


def read(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def shape(document: DebateDocument) -> dict[str, object]:
    """What a round trip must keep, by text (ids differ between files and formats)."""
    text = {claim.id: claim.text for claim in document.claims}
    parent = {r.child: r.parent for r in document.relations if not r.is_link}

    def depth(claim_id: str) -> int:
        return 0 if claim_id not in parent else 1 + depth(parent[claim_id])

    urls = {source.id: source.url for source in document.sources}
    return {
        "claims": Counter(text.values()),
        "theses": sorted(claim.text for claim in document.theses),
        "relations": Counter(
            (text[r.parent], text[r.child], str(r.stance), r.is_link) for r in document.relations
        ),
        "depths": sorted((depth(claim.id), claim.text) for claim in document.claims),
        # The address as written (a fragment, a trailing `?`, an unreadable one kept as text).
        "citations": Counter(
            (text[c.claim], c.address or urls[c.source or ""], c.quote) for c in document.citations
        ),
    }


def _message(problem: str) -> str:
    """A warning without its place and ids (they differ between a file and our export)."""
    return re.sub(r"'?\d+'?", "#", problem.split(": ", 1)[1]).split(":")[0]


def round_trip(document: DebateDocument, format_name: str) -> tuple[DebateDocument, str]:
    """Import, export in the same format, read the export back: the stored and the re-read."""
    owner = UserFactory()
    stored = document_from_debate(services.debate_import(owner=owner, document=document))
    exported = formats.render(stored, format_name)
    return formats.load(exported, format_name), exported


def test_long_claims_broken_addresses_and_links_are_kept_or_reported_in_kialo():
    document = formats.load(read("kialo_long_sources.txt"), "kialo")
    assert document.problems == [
        "line 18: source [2] has no readable web address; its citations keep its text",
        "line 12: links to 1.9.9., which is not in the file; link left out",
    ]
    counts = document.counts()
    assert (counts["claims"], counts["long_claims"], counts["warnings"]) == (8, 2, 2)
    assert sorted(len(c.text) for c in document.claims if len(c.text) > CLAIM_MAX_LENGTH) == [
        530,
        583,
    ]
    # The sources' identity keys; each citation keeps the address as written.
    assert [s.url for s in document.sources] == [
        "https://example.org/market-survey-2024",
        "https://example.org/fish-hall/annual-report",
    ]
    assert sorted(c.address for c in document.citations) == [
        "http://The",
        "https://example.org/fish-hall/annual-report#deliveries",
        "https://example.org/market-survey-2024",
    ]
    assert [c.source for c in document.citations if c.address == "http://The"] == [None]
    debate = services.debate_import(owner=UserFactory(), document=document)
    long = debate.claims.annotate(length=Length("text")).filter(length__gt=CLAIM_MAX_LENGTH)
    assert sorted(long.values_list("length", flat=True)) == [530, 583]
    assert not Source.objects.filter(url__icontains="the").exclude(url__contains="example").exists()


@pytest.mark.parametrize(
    ("name", "format_name"),
    [
        ("kialo_long_sources.txt", "kialo"),
        ("kialo_multi_deep.txt", "kialo"),
        ("kialo_multi_thesis.txt", "kialo"),
        ("argdown_long.argdown", "argdown"),
        ("aif_rephrase_mutual.json", "aif"),
        ("aif_classic.json", "aif"),
    ],
)
def test_import_then_export_in_the_same_format_keeps_everything(name, format_name):
    original = formats.load(read(name), format_name)
    again, _ = round_trip(formats.load(read(name), format_name), format_name)
    assert shape(again) == shape(original)
    # Our own export reads back without a warning, but for an unreadable address, which is
    # kept (as the citation's text) and so is reported again.
    # Our own export reads back with no new warning: only those about what the file itself
    # held and the import kept (an unreadable address, a rephrase kept as two claims).
    assert {_message(p) for p in again.problems} <= {_message(p) for p in original.problems}


def test_a_deep_link_across_theses_keeps_its_target_and_depth():
    document = formats.load(read("kialo_multi_deep.txt"), "kialo")
    text = {claim.id: claim.text for claim in document.claims}
    links = {
        (text[r.parent], text[r.child], str(r.stance)) for r in document.relations if r.is_link
    }
    assert (
        "Buy more e-books and audio books.",
        "The football league moves to Sundays in the spring.",
        "con",
    ) in links
    depths = shape(document)["depths"]
    assert (5, "The football league moves to Sundays in the spring.") in depths
    assert len(document.theses) == 3


def test_asked_to_a_rephrase_is_merged_only_where_no_support_or_conflict_is_lost():
    document = formats.load(read("aif_rephrase_mutual.json"), "aif", merge_rephrases=True)
    assert document.problems == [
        "nodes[20]: a node of type 'XX' is ignored",
        "edges[23]: an edge to a missing node is left out",
        "nodes[5]: the rephrase joining '5' and '1' keeps them two claims: merging them "
        "would lose 1 support or conflict edge",
        "nodes[18]: the rephrase joining '17' and '2' keeps them two claims: merging them "
        "would lose 2 support or conflict edges",
    ]
    claims = {claim.id: claim for claim in document.claims}
    # 7 rephrases 2 and 17 rephrases 1 with no edge lost: merged, their wording kept.
    assert set(claims) == {"1", "2", "5", "9", "11", "13", "15"}
    assert "Also put as: Cycle lanes should come first." in claims["2"].elaboration
    assert "Rephrases: The city should build the tram line first." in claims["5"].elaboration
    edges = {(r.parent, r.child, str(r.stance)) for r in document.relations}
    assert edges == {
        # The mutual attack, both ways: one original, one link.
        ("1", "2", "con"),
        ("2", "1", "con"),
        # Every support: 9 backs the claim and its rephrase, which stay two claims.
        ("1", "9", "pro"),
        ("5", "9", "pro"),
        ("2", "11", "pro"),
        ("5", "13", "pro"),
        ("2", "15", "pro"),
    }
    assert sorted(r.is_link for r in document.relations if {r.parent, r.child} == {"1", "2"}) == [
        False,
        True,
    ]


def test_the_aif_export_writes_every_support_and_conflict_back():
    document = formats.load(read("aif_rephrase_mutual.json"), "aif", merge_rephrases=True)
    _, exported = round_trip(document, "aif")
    data = json.loads(exported)
    kinds = Counter(node["type"] for node in data["nodes"])
    # Every I-node of the file is written back: merged rephrases as their own I-nodes again,
    # joined by MA nodes.
    assert (kinds["I"], kinds["RA"], kinds["CA"], kinds["MA"]) == (9, 5, 2, 4)
    into: dict[str, list[str]] = defaultdict(list)
    for edge in data["edges"]:
        into[edge["toID"]].append(edge["fromID"])
    text = {node["nodeID"]: node["text"] for node in data["nodes"]}
    conflicts = {
        (text[into[node["nodeID"]][0]], text[target])
        for node in data["nodes"]
        if node["type"] == "CA"
        for target, sources in into.items()
        if node["nodeID"] in sources
    }
    assert conflicts == {
        (
            "The city should build the tram line first.",
            "The city should build the cycle lanes first.",
        ),
        (
            "The city should build the cycle lanes first.",
            "The city should build the tram line first.",
        ),
    }


def test_a_long_argdown_statement_and_a_mutual_attack_survive_argdowns_own_parser(tmp_path):
    original = formats.load(read("argdown_long.argdown"), "argdown")
    assert original.counts()["long_claims"] == 1
    _, exported = round_trip(original, "argdown")
    path = tmp_path / "export.argdown"
    path.write_text(exported, encoding="utf-8")
    theirs = argdown_reads(path)
    texts = sorted(" ".join(s["text"].split()) for s in theirs["statements"])
    assert texts == sorted(claim.text for claim in original.claims)
    ours = {(r.parent, r.child, str(r.stance)) for r in original.relations}
    name = {claim.id: claim.text for claim in original.claims}
    assert their_relations(theirs) == {(name[p], name[c], s) for p, c, s in ours}


def test_a_malformed_file_is_still_refused_whole_with_its_line():
    broken = read("kialo_long_sources.txt").replace("1.2.1. Pro:", "1.2.1. Maybe:")
    before = (Debate.objects.count(), Claim.objects.count(), Relation.objects.count())
    with pytest.raises(FormatError, match=r"^line 10: 1\.2\.1\. needs a 'Pro:' or 'Con:' label"):
        services.debate_import(owner=UserFactory(), document=formats.parse(broken, "kialo"))
    assert (Debate.objects.count(), Claim.objects.count(), Relation.objects.count()) == before


@pytest.mark.parametrize(
    ("name", "format_name", "losses"),
    [
        ("kialo_fidelity.txt", "kialo", {}),
        ("kialo_older.txt", "kialo", {"older_generation": 1}),
        (
            "argdown_map.argdown",
            "argdown",
            {"headings": 1, "backwards": 1, "comments": 5, "data": 1},
        ),
        ("argdown_reconstruction.argdown", "argdown", {"headings": 1, "texts": 1}),
        ("aif_classic.json", "aif", {"node_details": 14, "edge_ids": 10}),
        ("aif_ova3.json", "aif", {"ova": 1, "edge_ids": 6}),
        ("debate_backup.json", "json", {}),
    ],
)
def test_what_a_round_trip_would_not_give_back_is_counted_before_the_import(
    name, format_name, losses
):
    document = formats.load(read(name), format_name)
    assert document.losses == losses
    counts = document.counts()
    assert {key[5:]: n for key, n in counts.items() if key.startswith("lost_")} == losses


@pytest.mark.parametrize(
    ("name", "format_name"),
    [
        ("kialo_fidelity.txt", "kialo"),
        ("argdown_reconstruction.argdown", "argdown"),
        ("aif_linked_undercut.json", "aif"),
    ],
)
def test_the_backup_keeps_what_other_formats_brought(name, format_name):
    """Kinds, titles, tags, relation kinds, premise groups, addresses as written, marker
    places, a question, a dialogue layer: our JSON carries them all, byte for byte again."""
    owner = UserFactory()
    first = services.debate_import(owner=owner, document=formats.load(read(name), format_name))
    backup = formats.render(document_from_debate(first), "json")
    second = services.debate_import(owner=owner, document=formats.load(backup, "json"))
    again = formats.render(document_from_debate(second), "json")
    data = json.loads(again)
    assert json.loads(backup)["claims"] == data["claims"]
    assert {k: v for k, v in json.loads(backup).items() if k != "debate"} == {
        k: v for k, v in data.items() if k != "debate"
    }
    assert json.loads(backup)["debate"]["interchange"] == data["debate"]["interchange"]
    # The format itself reads the same from either copy.
    assert formats.render(document_from_debate(second), format_name) == formats.render(
        document_from_debate(first), format_name
    )
