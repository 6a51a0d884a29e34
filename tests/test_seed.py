"""The demo debates: loaded once however often the command runs, and rich enough."""

from __future__ import annotations

from collections import Counter

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection, transaction

from arguments.demo.debates import DEBATES
from arguments.models import Citation, Claim, Debate, Relation, SiteWrites, Source
from arguments.structure.loader import debate_structure
from tests.conftest import seed_demo

pytestmark = pytest.mark.django_db


def counts() -> tuple[int, ...]:
    return tuple(model.objects.count() for model in (Debate, Claim, Relation, Source, Citation))


@pytest.fixture
def seeded():
    seed_demo()  # the command once per test process (tests/conftest.py)


def depth_of(structure, claim_id: int) -> int:
    return len(structure.path_to(claim_id)) - 1


def test_seeding_twice_gives_the_same_counts(seeded):
    first = counts()
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert counts() == first


def test_the_main_debate_is_deep_broad_and_sourced(seeded):
    debate = Debate.objects.get(slug="open-weight-ai")
    structure = debate_structure(debate)
    assert len(structure.nodes) >= 40
    assert max(depth_of(structure, c) for c in structure.nodes) >= 4
    cited = Citation.objects.filter(claim__debate=debate)
    assert cited.values("source").distinct().count() >= 8
    assert all(c.quote or c.locator for c in cited)
    assert Relation.objects.filter(debate=debate, is_link=True).count() >= 3
    stances = Counter(e.stance for e in structure.children[structure.theses[0]])
    assert stances["pro"] >= 5 and stances["con"] >= 4


# Each argument of the seed's two cases, by words its depth-1 claim must use (ours, not the
# seed's: the content is written in our own words).
SEED_CASES = {
    "democratization": ("pro", "without asking permission"),
    "innovation speed": ("pro", "innovate faster"),
    "transparency": ("pro", "inspect, audit"),
    "sovereignty": ("pro", "own infrastructure"),
    "resilience": ("pro", "harder to shut down"),
    "misuse": ("con", "cannot be withdrawn"),
    "safety research lag": ("con", "safety research"),
    "competitive dynamics": ("con", "strategic gain"),
    "proliferation": ("con", "more capable"),
}


def test_the_main_debate_covers_both_cases_of_the_seed(seeded):
    debate = Debate.objects.get(slug="open-weight-ai")
    structure = debate_structure(debate)
    first_level = [
        (edge.stance, structure.nodes[edge.child].text)
        for edge in structure.children[structure.theses[0]]
    ]
    for case, (stance, words) in SEED_CASES.items():
        assert any(s == stance and words in text.lower() for s, text in first_level), case
    rebuttals = " ".join(
        f"{structure.nodes[c].text} {structure.nodes[c].elaboration}".lower()
        for c in structure.nodes
        if depth_of(structure, c) >= 2
    )
    for topic in ["ai act", "deepseek", "open-source", "chinese", "geopolitic", "months"]:
        assert topic in rebuttals, topic


def test_the_smaller_debates_are_there(seeded):
    for slug in ("where-the-line-falls", "open-source-label"):
        debate = Debate.objects.get(slug=slug)
        structure = debate_structure(debate)
        assert len(structure.nodes) >= 10
        assert max(depth_of(structure, c) for c in structure.nodes) >= 3


# The French debate: written for French readers (not a translation of the English one), as
# deep and as sourced as the main debate, with European references.
FRENCH = "ia-poids-ouverts"


def test_the_french_debate_is_seeded_beside_the_english_ones(seeded):
    assert (
        Debate.objects.filter(
            slug__in=["open-weight-ai", "where-the-line-falls", "open-source-label", FRENCH]
        ).count()
        == 4
    )
    debate = Debate.objects.get(slug=FRENCH)
    assert debate.title.startswith("Faut-il publier")
    structure = debate_structure(debate)
    assert len(structure.nodes) >= 40
    assert max(depth_of(structure, c) for c in structure.nodes) >= 4
    cited = Citation.objects.filter(claim__debate=debate)
    assert cited.values("source").distinct().count() >= 8
    assert all(c.quote or c.locator for c in cited)
    assert Relation.objects.filter(debate=debate, is_link=True).count() >= 3
    stances = Counter(e.stance for e in structure.children[structure.theses[0]])
    assert stances["pro"] >= 5 and stances["con"] >= 5


def test_the_french_debate_is_written_in_french_with_european_references(seeded):
    debate = Debate.objects.get(slug=FRENCH)
    structure = debate_structure(debate)
    words = " ".join(f"{node.text} {node.elaboration}".lower() for node in structure.nodes.values())
    for french in [" les ", " des ", " pour ", " une ", " à ", "é"]:
        assert french in words, french
    for reference in ["mistral", "bloom", "jean zay", "anssi", "ai act", "souverain", "deepseek"]:
        assert reference in words, reference
    english = [n.text for n in structure.nodes.values() if " the " in f" {n.text.lower()} "]
    assert not english  # no English claim slipped in (quotes of English documents may)
    titles = set(
        Source.objects.filter(citations__claim__debate=debate).values_list("title", flat=True)
    )
    assert "IA : notre ambition pour la France" in titles
    assert "Recommandations de sécurité pour un système d'IA générative" in titles


def test_the_french_debate_says_its_language():
    french = next(spec for spec in DEBATES if spec["slug"] == FRENCH)
    assert french["language"] == "fr"
    assert all(spec.get("language", "en") == "en" for spec in DEBATES if spec is not french)


def test_the_seeded_french_debate_is_stored_as_french(seeded):
    assert Debate.objects.get(slug=FRENCH).language == "fr"
    assert set(Debate.objects.exclude(slug=FRENCH).values_list("language", flat=True)) == {"en"}


FTS_SHADOWS = ("_data", "_idx", "_docsize", "_config", "_content")


def _every_table() -> dict[str, list[str]]:
    """Each table's rows (those of tables without a model too: the search index), sorted."""
    with connection.cursor() as cursor:
        names = connection.introspection.table_names(cursor)
        fts = [n for n in names if f"{n}_data" in names and f"{n}_idx" in names]
        links = {
            field.remote_field.through._meta.db_table: [
                f.column for f in field.remote_field.through._meta.concrete_fields
                if not f.primary_key
            ]
            for model in apps.get_models()
            for field in model._meta.local_many_to_many
            if field.remote_field.through._meta.auto_created
        }  # fmt: skip
        tables = {}
        for name in names:
            # SQLite's next keys, and the count of write statements each process made (a
            # member's kept page is keyed by its moving, not by its value; loading writes too).
            if name in ("sqlite_sequence", SiteWrites._meta.db_table):
                continue
            # SQLite's text index: its pages depend on the order rows came in; what it
            # indexes is compared below instead.
            if any(name == f"{index}{shadow}" for index in fts for shadow in FTS_SHADOWS):
                continue
            # A many-to-many link table made by Django: the link, not its row's own key
            # (loading adds the links anew; PostgreSQL's sequence then gives other keys).
            columns = ", ".join(f'"{c}"' for c in links.get(name, ["*"])).replace('"*"', "*")
            cursor.execute(f'SELECT {columns} FROM "{name}"')
            tables[name] = sorted(map(repr, cursor.fetchall()))
        for index in fts:  # the index holds the rows' texts and nothing else
            cursor.execute(f"INSERT INTO {index}({index}) VALUES ('integrity-check')")
            cursor.execute(f"SELECT rowid, * FROM {index}")
            tables[index] = sorted(map(repr, cursor.fetchall()))
    return tables


def test_the_demo_a_test_loads_is_the_demo_the_command_seeds():
    """tests/conftest.py's `seed_demo` runs the command once per test process and loads
    the rows it wrote after that: every table must then hold what the command leaves."""
    with transaction.atomic():
        seed_demo(fresh=True)
        seeded = _every_table()
        transaction.set_rollback(True)
    assert not Debate.objects.exists()
    with transaction.atomic():
        seed_demo()
        loaded = _every_table()
        transaction.set_rollback(True)
    assert sum(map(len, seeded.values())) > 500
    assert loaded.keys() == seeded.keys()
    for name, rows in seeded.items():
        assert loaded[name] == rows, name
