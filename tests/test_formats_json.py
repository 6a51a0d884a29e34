"""Our own JSON: the backup format. Export then import gives the same debate, byte for byte."""

from __future__ import annotations

import gc
import json
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied

from arguments import formats, services
from arguments.formats import json_text, native_json
from arguments.formats.document import FormatError, collector_paused
from arguments.models import Annotation, Citation, Claim, Debate, Relation, Source, Vote
from arguments.reading.export import document_from_debate
from tests.factories import SourceFactory, UserFactory

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent / "fixtures" / "formats"
BACKUP = (FIXTURES / "debate_backup.json").read_text(encoding="utf-8")
MODELS = (Debate, Claim, Relation, Source, Citation, Annotation, Vote)


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def export(debate: Debate) -> str:
    return formats.render(document_from_debate(debate), "json")


@pytest.fixture
def olivia():
    return UserFactory(username="olivia", is_staff=True)


@pytest.fixture
def ben():
    return UserFactory(username="ben")


def test_json_to_the_app_and_back_is_identical(olivia, ben):
    document = native_json.parse(BACKUP)
    debate = services.debate_import(owner=olivia, document=document, keep_authors=True)
    assert debate.slug == "restored-open-weights-debate"
    assert export(debate) == BACKUP


def test_a_restored_backup_keeps_statuses_merges_links_and_selectors(olivia, ben):
    debate = services.debate_import(
        owner=olivia, document=native_json.parse(BACKUP), keep_authors=True
    )
    merged = debate.claims.get(text__startswith="Open weights spread access to strong")
    assert merged.status == Claim.Status.HIDDEN
    assert merged.merged_into.text == "Open weights spread access to capable models."
    assert debate.relations.filter(is_link=True, is_hidden=True).count() == 1
    assert debate.claims.get(status=Claim.Status.PENDING).author == ben
    note = Annotation.objects.get(exact="capable models")
    assert (note.start, note.end, note.prefix) == (30, 44, "access to ")
    assert note.replies.get().author == olivia
    assert debate.visibility == Debate.Visibility.UNLISTED and debate.requires_approval


def test_every_imported_row_starts_its_history_as_created_by_the_importer(olivia, ben):
    debate = services.debate_import(owner=olivia, document=native_json.parse(BACKUP))
    for model in (Claim, Relation, Citation, Source, Annotation):
        records = model.history.all()
        assert records.count() == model.objects.count(), model.__name__
        assert {(r.history_type, r.history_user_id) for r in records} == {("+", olivia.pk)}
    first = debate.claims.order_by("pk").first()
    assert first.history.get().created_at == first.created_at  # the restored date
    merged = Claim.objects.get(merged_into__isnull=False)
    assert merged.history.get().merged_into_id == merged.merged_into_id


def test_votes_arrive_as_tallies_and_no_vote_rows_are_made_up(olivia, ben):
    debate = services.debate_import(owner=olivia, document=native_json.parse(BACKUP))
    thesis = debate.claims.get(text="Developers should release model weights openly.")
    assert thesis.histogram == [0, 1, 2, 3, 4]
    point = debate.relations.get(is_link=False, child__text__endswith="capable models.")
    assert point.histogram == [0, 0, 1, 2, 5]
    assert Vote.objects.count() == 0


def test_without_keep_authors_the_importer_authors_everything(olivia, ben):
    debate = services.debate_import(owner=olivia, document=native_json.parse(BACKUP))
    assert set(debate.claims.values_list("author__username", flat=True)) == {"olivia"}
    notes = Annotation.objects.filter(claim__debate=debate)
    assert set(notes.values_list("author__username", flat=True)) == {"olivia"}


def test_only_staff_may_keep_the_authors_and_unknown_names_never_become_users(ben):
    with pytest.raises(PermissionDenied):
        services.debate_import(owner=ben, document=native_json.parse(BACKUP), keep_authors=True)
    staff = UserFactory(username="root", is_staff=True)
    users_before = type(staff).objects.count()
    debate = services.debate_import(
        owner=staff, document=native_json.parse(BACKUP), keep_authors=True
    )
    # "olivia" is no user here: her claims fall to the importer; "ben" exists and is credited.
    assert set(debate.claims.values_list("author__username", flat=True)) == {"root", "ben"}
    assert type(staff).objects.count() == users_before


def test_a_taken_slug_gives_the_import_a_fresh_one(olivia, ben):
    first = services.debate_import(owner=olivia, document=native_json.parse(BACKUP))
    second = services.debate_import(owner=olivia, document=native_json.parse(BACKUP))
    assert first.slug == "restored-open-weights-debate"
    assert second.slug != first.slug and second.slug.startswith("should-model-weights")


def test_a_debate_built_by_the_services_survives_export_and_import(cast, debate, pro, con):
    services.source_cite(actor=cast.writer, claim=pro, url="https://example.org/r", title="R")
    services.claim_link(actor=cast.editor, claim=con, parent=pro, stance="con")
    services.vote_cast(user=cast.viewer, point=pro.parent_relations.get(), value=3)
    services.annotation_add(actor=cast.viewer, claim=con, body="Really?", exact="recalled")
    original = json.loads(export(debate))
    copy = services.debate_import(
        owner=cast.staff, document=native_json.parse(export(debate)), keep_authors=True
    )
    restored = json.loads(export(copy))
    # The importer owns the copy, which has a slug of its own; all else is the same.
    for key, value in {"slug": copy.slug, "owner": "staffer"}.items():
        assert restored["debate"].pop(key) == value
        original["debate"].pop(key)
    assert restored == original


def test_existing_sources_are_reused_by_normalized_url_and_left_unchanged(olivia):
    known = SourceFactory(url="https://example.org/reports/access", title="The known title")
    text = BACKUP.replace("https://example.org/reports/", "HTTPS://EXAMPLE.ORG/reports/")
    debate = services.debate_import(owner=olivia, document=native_json.parse(text))
    cited = Citation.objects.filter(claim__debate=debate, source=known)
    assert cited.count() == 1
    known.refresh_from_db()
    assert known.title == "The known title"
    assert Source.objects.count() == 2


def test_the_json_export_of_a_large_debate_costs_a_fixed_number_of_queries(
    django_assert_num_queries,
):
    from tests.conftest import build_debate

    small, large = build_debate(10), build_debate(2000)
    with django_assert_num_queries(5):
        document_from_debate(small)
    with django_assert_num_queries(5):
        document_from_debate(large)


@pytest.mark.parametrize(
    ("change", "where"),
    [
        (lambda d: d.update(format="other"), "format"),
        (lambda d: d.update(version=2), "version"),
        (lambda d: d["claims"][1].update(text=7), "claims[1].text"),
        (lambda d: d["claims"][1].update(text="x" * 5001), "claims[1]"),
        (lambda d: d["claims"][2].update(votes=[1, 2]), "claims[2].votes"),
        (lambda d: d["relations"][0].update(position=True), "relations[0].position"),
        (lambda d: d["relations"][0].update(position=-1), "relations[0].position"),
        # The dangling relation goes (a warning); its child is then left without a place.
        (lambda d: d["relations"][1].update(parent="c99"), "claims[2]"),
        (lambda d: d["relations"][2].update(parent="c4"), "relations[2]"),
        (lambda d: d["relations"][5].update(is_link=False), "relations[5]"),
        (lambda d: d["relations"][0].update(parent="c3", child="c2"), "relations[6]"),
        (lambda d: d["sources"][0].update(published="last May"), "sources[0].published"),
        (lambda d: d["annotations"][0].update(start=50, end=40), "annotations[0]"),
        (lambda d: d["debate"].update(visibility="secret"), "debate.visibility"),
    ],
)
def test_a_malformed_backup_names_the_json_path_and_writes_nothing(olivia, change, where):
    data = json.loads(BACKUP)
    change(data)
    before = counts()
    with pytest.raises(FormatError) as raised:
        services.debate_import(owner=olivia, document=native_json.parse(json.dumps(data)))
    assert str(raised.value).startswith(where)
    assert counts() == before


def test_bad_parts_of_a_backup_are_left_out_with_warnings_and_the_claims_kept(olivia):
    data = json.loads(BACKUP)
    data["sources"][0].update(url="http://The")
    data["citations"][1].update(source="s9")
    data["annotations"][1].update(parent="a9")
    data["relations"].append({"parent": "c1", "child": "c77", "stance": "pro", "is_link": True})
    document = native_json.parse(json.dumps(data))
    debate = services.debate_import(owner=olivia, document=document)
    assert document.problems == [
        "relations[7]: relates an unknown claim 'c77'; relation left out",
        "sources[0]: 'http://The' is not a readable http(s) address; its citations keep it as "
        "their text, with no source to open",
        "citations[1]: unknown source 's9'; citation left out",
        "annotations[1]: replies to an unknown note 'a9'; kept as a note",
    ]
    assert debate.claims.count() == len(data["claims"])
    assert not Source.objects.filter(url__startswith="http://the").exists()


def test_a_nul_character_is_refused_before_the_database_sees_it(olivia):
    text = BACKUP.replace("Check the date.", "Check\\u0000 the date.")
    with pytest.raises(FormatError, match=r"^annotations\[2\]\.body: holds a NUL character"):
        native_json.parse(text)


def test_a_file_read_record_by_record_gives_the_same_document():
    """A `\\u0000` escape anywhere (here where no check looks) sends every list of the file
    through the record-at-a-time reader instead of the column-at-a-time one: both read
    the same document."""
    data = json.loads(BACKUP)
    data["claims"][2].update(tags=["energy", "policy"], kind="statement", title="Costs")
    data["debate"]["interchange"] = {"note": "\x00"}
    slow_text = json.dumps(data)
    assert "\\u0000" in slow_text
    data["debate"]["interchange"] = {"note": ""}
    fast, slow = native_json.parse(json.dumps(data)), native_json.parse(slow_text)
    for part in ("claims", "relations", "sources", "citations", "annotations"):
        assert getattr(fast, part) == getattr(slow, part), part
        assert getattr(fast, part), part  # the fixture has some of each
    assert [claim.path for claim in fast.claims][:2] == ["claims[0]", "claims[1]"]


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (lambda d: d["claims"][1].update(tags=None), "claims[1].tags: expected a list"),
        (lambda d: d["claims"][1].update(tags=["a", 2]), "claims[1].tags: expected a list of"),
        (lambda d: d["claims"][3].update(votes=[0, 0, 0, 0, True]), "claims[3].votes: expected"),
        (lambda d: d["claims"][3].update(created_at="soon"), "claims[3].created_at: expected"),
        (lambda d: d["claims"][3].pop("id"), "claims[3].id: is missing"),
        (lambda d: d["relations"][2].update(group=2**31), "relations[2].group: expected"),
        (lambda d: d["citations"][0].update(is_hidden=0), "citations[0].is_hidden: expected"),
        (lambda d: d["claims"].append("c9"), "claims[7]: expected an object"),
    ],
)
def test_a_value_the_columns_refuse_is_told_with_its_path(change, problem):
    """Where a column fails its check, the records are read one by one and the problem
    found is told as before, the first in the file."""
    data = json.loads(BACKUP)
    change(data)
    with pytest.raises(FormatError) as raised:
        native_json.parse(json.dumps(data))
    assert str(raised.value).startswith(problem)


def test_a_time_in_another_zone_or_none_is_stored_as_the_same_moment_in_utc(olivia, ben):
    data = json.loads(BACKUP)
    data["claims"][1].update(created_at="2025-03-01T11:05:30.250000+02:00")
    data["claims"][2].update(created_at="2025-03-01T09:07:00")  # no zone: UTC
    debate = services.debate_import(
        owner=olivia, document=native_json.parse(json.dumps(data)), keep_authors=True
    )
    assert export(debate) == BACKUP


def test_the_collector_is_paused_within_and_resumed_after_even_on_an_error():
    assert gc.isenabled()
    with pytest.raises(FormatError), collector_paused():
        assert not gc.isenabled()
        with collector_paused():  # within a pause: the outer one resumes
            assert not gc.isenabled()
        assert not gc.isenabled()
        native_json.parse("{}")
    assert gc.isenabled()


def test_a_cycle_among_originals_is_refused(olivia):
    data = json.loads(BACKUP)
    data["relations"][0].update(parent="c4")  # c2 under c4, which stands under c3 ... under c1
    data["relations"][1].update(parent="c5")  # c3 under c5, under c2, under c4, under c3
    with pytest.raises(FormatError, match="cycle"):
        services.debate_import(owner=olivia, document=native_json.parse(json.dumps(data)))


def test_broken_json_names_the_line(olivia):
    with pytest.raises(FormatError) as raised:
        native_json.parse('{\n  "format": "debate-map",\n  "version": 1,\n  oops\n}')
    assert str(raised.value).startswith("line 4: not valid JSON")


def test_the_format_is_detected_from_the_content():
    assert formats.detect(BACKUP, "backup.txt") == "json"
    assert formats.detect('{"format": "debate-map", ', "x.json") == "json"


def test_columns_of_nulls_and_of_texts_among_nulls_are_written_as_json_dumps_writes_them():
    """Records' columns are encoded at once (formats/json_text.py): one that is null in every
    record (`merged_into` in most backups), and texts among nulls, with a quote and a non-ASCII
    letter among them."""
    records = [
        {"id": f"c{n}", "merged_into": None, "parent": None if n % 3 else f'c"{n}é'}
        for n in range(7)
    ]
    value = {"claims": records, "empty": [{"a": None}]}
    assert json_text.dumps_indented(value) == json.dumps(value, ensure_ascii=False, indent=2)
