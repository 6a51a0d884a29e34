"""AIF rephrases kept as rephrase relations (merged only when the importer asks), and a
fragmented nodeset imported as one debate or as a debate a part, chosen in the preview
(issue 30)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from arguments import formats, services
from arguments.formats.parts import parts_of, split
from arguments.models import Debate, ImportJob, Relation
from arguments.reading.export import document_from_debate
from arguments.services import import_jobs
from arguments.views.interchange import PENDING_KEY
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent / "fixtures" / "formats"
FRAGMENTED = (FIXTURES / "aif_fragmented.json").read_text(encoding="utf-8")
MUTUAL = (FIXTURES / "aif_rephrase_mutual.json").read_text(encoding="utf-8")
IMPORT = reverse("arguments:import")
CONFIRM = reverse("arguments:import_confirm")
SCHOOL = "The school day should start at half past nine."
CANTEEN = "The canteen should serve only vegetarian food on Mondays."
LIBRARY = "The library should lend laptops overnight."
LATER = "Lessons should begin later in the morning."


def rephrases_in_aif(text: str) -> set[tuple[str, str]]:
    """(said again, said) texts of every MA node, read straight from the AIF."""
    data = json.loads(text)
    nodes = {node["nodeID"]: node for node in data["nodes"]}
    into: dict[str, list[str]] = {}
    out_of: dict[str, list[str]] = {}
    for edge in data["edges"]:
        into.setdefault(edge["toID"], []).append(edge["fromID"])
        out_of.setdefault(edge["fromID"], []).append(edge["toID"])
    return {
        (nodes[start]["text"], nodes[end]["text"])
        for node_id, node in nodes.items()
        if node["type"] == "MA"
        for start in into.get(node_id, [])
        for end in out_of.get(node_id, [])
    }


def test_each_rephrase_is_a_relation_of_its_own_and_every_wording_a_claim():
    document = formats.load(MUTUAL, "aif")
    texts = {claim.id: claim.text for claim in document.claims}
    assert sorted(texts.values()) == sorted(
        node["text"] for node in json.loads(MUTUAL)["nodes"] if node["type"] == "I"
    )
    assert not any(claim.elaboration for claim in document.claims), "nothing merged"
    rephrased = {
        (texts[r.child], texts[r.parent])
        for r in document.relations
        if r.kind == Relation.Kind.REPHRASE
    }
    assert rephrased == rephrases_in_aif(MUTUAL)
    assert not any("rephrase" in problem for problem in document.problems)


def test_rephrases_come_back_as_ma_nodes_through_the_database_and_the_backup():
    owner = UserFactory()
    debate = services.debate_import(owner=owner, document=formats.load(MUTUAL, "aif"))
    stored = set(
        debate.relations.filter(kind=Relation.Kind.REPHRASE).values_list(
            "child__text", "parent__text"
        )
    )
    assert stored == rephrases_in_aif(MUTUAL)
    exported = formats.render(document_from_debate(debate), "aif")
    assert rephrases_in_aif(exported) == rephrases_in_aif(MUTUAL)
    backup = formats.render(document_from_debate(debate), "json")
    again = services.debate_import(owner=owner, document=formats.load(backup, "json"))
    assert rephrases_in_aif(formats.render(document_from_debate(again), "aif")) == (
        rephrases_in_aif(MUTUAL)
    )


def test_a_fragmented_nodeset_splits_into_its_parts_with_nothing_left_out():
    document = formats.load(FRAGMENTED, "aif")
    assert len(parts_of(document)) == 3
    pieces = split(document)
    assert [[claim.text for claim in piece.theses] for piece in pieces] == [
        [SCHOOL],
        [CANTEEN],
        [LIBRARY],
    ]
    assert sorted(claim.text for piece in pieces for claim in piece.claims) == sorted(
        claim.text for claim in document.claims
    )
    assert sum(len(piece.relations) for piece in pieces) == len(document.relations)
    # The dialogue layer stays with the part it anchors, written once.
    assert "nodes" in pieces[0].interchange["aif"]
    assert all("nodes" not in piece.interchange["aif"] for piece in pieces[1:])


def test_the_preview_offers_one_debate_or_a_debate_a_part(client):
    client.force_login(UserFactory())
    upload = SimpleUploadedFile("talks.json", FRAGMENTED.encode())
    page = client.post(IMPORT, {"file": upload}).content.decode()
    assert "The file holds 3 unconnected parts" in page
    assert 'name="parts" value="one" checked' in page and 'value="several"' in page
    assert "1 rephrase (AIF&#x27;s MA nodes)" in page or "1 rephrase (AIF's MA nodes)" in page
    assert Debate.objects.count() == 0, "a preview writes nothing"


def test_several_debates_when_the_importer_chooses_them(client):
    owner = UserFactory()
    client.force_login(owner)
    client.post(IMPORT, {"file": SimpleUploadedFile("talks.json", FRAGMENTED.encode())})
    token = client.session[PENDING_KEY]["token"]
    response = client.post(CONFIRM, {"token": token, "parts": "several"})
    assert response.status_code == 302 and response["Location"] == reverse("arguments:profile")
    debates = Debate.objects.filter(owner=owner).order_by("pk")
    assert [debate.title for debate in debates] == [SCHOOL, CANTEEN, LIBRARY]
    school = debates[0]
    assert set(school.claims.values_list("text", flat=True)) >= {SCHOOL, LATER}
    assert set(school.relations.values_list("kind", flat=True)) == {"", "rephrase"}
    assert ImportJob.objects.get(owner=owner).debate == school
    # The first part's export still carries the file's dialogue layer.
    exported = json.loads(formats.render(document_from_debate(school), "aif"))
    assert {node["type"] for node in exported["nodes"]} >= {"L", "YA"}


def test_one_debate_with_a_thesis_a_part_by_default(client):
    owner = UserFactory()
    client.force_login(owner)
    client.post(
        IMPORT,
        {"file": SimpleUploadedFile("talks.json", FRAGMENTED.encode()), "rephrases": "merge"},
    )
    client.post(CONFIRM, {"token": client.session[PENDING_KEY]["token"]})
    debate = Debate.objects.get(owner=owner)
    assert debate.title == "An AIF nodeset of 3 unconnected arguments"
    assert set(debate.claims.filter(is_thesis=True).values_list("text", flat=True)) == {
        SCHOOL,
        CANTEEN,
        LIBRARY,
    }
    # Merged as asked: the other wording lives in the elaboration, no rephrase relation.
    assert debate.claims.get(text=SCHOOL).elaboration == f"Also put as: {LATER}"
    assert not debate.relations.filter(kind=Relation.Kind.REPHRASE).exists()


def test_a_file_in_one_piece_is_one_debate_whatever_the_form_says(client):
    owner = UserFactory()
    client.force_login(owner)
    client.post(IMPORT, {"file": SimpleUploadedFile("mutual.json", MUTUAL.encode())})
    assert client.session[PENDING_KEY]["parts"] == 1
    client.post(CONFIRM, {"token": client.session[PENDING_KEY]["token"], "parts": "several"})
    assert Debate.objects.filter(owner=owner).count() == 1


def test_a_background_import_merges_rephrases_when_asked():
    owner = UserFactory()
    job = import_jobs.import_job_start(
        owner=owner,
        text=MUTUAL,
        format_name="aif",
        title="",
        filename="mutual.json",
        merge_rephrases=True,
    )
    job = import_jobs.import_job_run(job.pk)
    assert job.status == ImportJob.Status.DONE
    assert job.debate is not None
    assert "Also put as: Cycle lanes should come first." in "".join(
        job.debate.claims.values_list("elaboration", flat=True)
    )


def test_the_import_command_merges_rephrases_only_when_asked():
    owner = UserFactory(username="importer")
    path = str(FIXTURES / "aif_fragmented.json")
    call_command("import_debate", path, "--owner", "importer", stdout=io.StringIO())
    call_command(
        "import_debate", path, "--owner", "importer", "--merge-rephrases", stdout=io.StringIO()
    )
    kept, merged = Debate.objects.filter(owner=owner).order_by("pk")
    assert kept.claims.filter(text=LATER).exists()
    assert kept.relations.filter(kind=Relation.Kind.REPHRASE, child__text=LATER).exists()
    assert not merged.claims.filter(text=LATER).exists()
    assert merged.claims.get(text=SCHOOL).elaboration == f"Also put as: {LATER}"
