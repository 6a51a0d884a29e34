"""The import_debate and export_debate commands."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from arguments.models import Claim, Debate, Relation
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent / "fixtures" / "formats"


class Terminal(io.StringIO):
    """Output that says it is a terminal, as a user's shell would."""

    def isatty(self) -> bool:
        return True


def run(*args: str, **options: object) -> tuple[str, str]:
    out, err = options.pop("stdout", io.StringIO()), options.pop("stderr", io.StringIO())
    call_command(*args, stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def admin():
    return UserFactory(username="admin", is_staff=True, is_superuser=True)


def test_import_prints_a_summary_and_the_new_slug_last(admin):
    out, _ = run("import_debate", str(FIXTURES / "kialo_older.txt"), "--format", "kialo")
    lines = out.splitlines()
    debate = Debate.objects.get()
    assert lines[-1] == debate.slug
    assert lines[-2].startswith("imported Kialo as 'Should frontier AI model weights")
    assert "10 claims" in lines[-2] and "3 links" in lines[-2]
    assert debate.owner == admin, "the first superuser owns it by default"


@pytest.mark.parametrize(
    ("name", "label"),
    [
        ("kialo_current.txt", "Kialo"),
        ("argdown_map.argdown", "Argdown"),
        ("aif_classic.json", "AIF"),
        ("aif_ova3.json", "AIF"),
        ("debate_backup.json", "JSON"),
    ],
)
def test_the_format_is_detected_when_left_out(admin, name, label):
    out, _ = run("import_debate", str(FIXTURES / name))
    assert f"imported {label} as" in out


def test_an_owner_and_a_title_can_be_given(admin):
    UserFactory(username="olivia")
    path = str(FIXTURES / "argdown_map.argdown")
    out, _ = run("import_debate", path, "--owner", "olivia", "--title", "A new question?")
    debate = Debate.objects.get(slug=out.splitlines()[-1])
    assert debate.owner.username == "olivia" and debate.title == "A new question?"
    assert set(debate.claims.values_list("author__username", flat=True)) == {"olivia"}


def test_a_staff_restore_may_keep_the_authors(admin):
    UserFactory(username="ben")
    path = str(FIXTURES / "debate_backup.json")
    out, _ = run("import_debate", path, "--keep-authors")
    debate = Debate.objects.get(slug=out.splitlines()[-1])
    assert set(debate.claims.values_list("author__username", flat=True)) == {"admin", "ben"}
    UserFactory(username="plain")
    with pytest.raises(CommandError, match="Only staff"):
        run("import_debate", path, "--keep-authors", "--owner", "plain")


def test_problems_the_file_had_are_listed_as_warnings_and_counted(admin):
    out, err = run("import_debate", str(FIXTURES / "aif_classic.json"))
    assert "warning: edges[10]: an edge to a missing node is left out" in err
    assert "1 warnings" in out.splitlines()[-2]


def test_long_claims_and_a_broken_address_are_counted_and_the_slug_stays_last(admin):
    out, err = run("import_debate", str(FIXTURES / "kialo_long_sources.txt"))
    assert err.splitlines() == [
        "warning: line 18: source [2] has no readable web address; its citations keep its text",
        "warning: line 12: links to 1.9.9., which is not in the file; link left out",
    ]
    summary, slug = out.splitlines()[-2:]
    assert "8 claims" in summary and "2 long claims" in summary and "2 warnings" in summary
    assert slug == Debate.objects.get().slug


def test_a_large_import_draws_a_progress_bar_on_a_terminal(admin, tmp_path):
    lines = ["Discussion Title: Many reasons", "", "1. A thesis."]
    lines += [f"1.{i}. Pro: Reason number {i}." for i in range(1, 1500)]
    path = tmp_path / "many.txt"
    path.write_text("\n".join(lines), encoding="utf-8")
    out, err = run("import_debate", str(path), stderr=Terminal())
    assert "importing: 100%" in err and "2999/2999" in err
    assert out.splitlines()[-1] == Debate.objects.get().slug


def test_a_small_import_or_one_off_a_terminal_draws_no_bar(admin, tmp_path):
    _, err = run("import_debate", str(FIXTURES / "kialo_older.txt"), stderr=Terminal())
    assert "rows" not in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["/no/such/file.txt"], "/no/such/file.txt: No such file or directory"),
        ([str(FIXTURES / "kialo_older.txt"), "--owner", "nobody"], "no user named 'nobody'"),
        (
            [str(FIXTURES / "argdown_stray_inference.argdown")],
            "(Argdown): line 3: an inference line needs the premises",
        ),
    ],
)
def test_import_errors_are_clear_and_write_nothing(admin, args, message):
    with pytest.raises(CommandError) as raised:
        run("import_debate", *args)
    assert message in str(raised.value)
    assert (Debate.objects.count(), Claim.objects.count(), Relation.objects.count()) == (0, 0, 0)


def test_a_file_of_unknown_format_asks_for_format(admin, tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("Just some notes.\n", encoding="utf-8")
    with pytest.raises(CommandError, match="cannot tell the format; pass --format"):
        run("import_debate", str(path))


def test_a_file_that_is_not_utf8_is_refused(admin, tmp_path):
    path = tmp_path / "latin1.txt"
    path.write_bytes("Discussion Title: Café".encode("latin-1"))
    with pytest.raises(CommandError, match="not UTF-8 text"):
        run("import_debate", str(path))


def test_without_owner_or_superuser_the_import_stops(db):
    with pytest.raises(CommandError, match="no superuser exists: pass --owner"):
        run("import_debate", str(FIXTURES / "kialo_older.txt"))


def test_export_writes_to_stdout(debate, pro):
    out, _ = run("export_debate", debate.slug, "--format", "kialo")
    assert out.startswith("Discussion Name:\nShould model weights be released openly?\n")
    assert pro.text in out


def test_an_exported_file_imports_back_as_the_same_debate(cast, debate, pro, con, tmp_path):
    path = tmp_path / "backup.json"
    out, _ = run("export_debate", debate.slug, "--format", "json", "-o", str(path))
    assert out == f"wrote 3 claims to {path}\n"
    out, _ = run("import_debate", str(path), "--owner", "olivia")
    copy = Debate.objects.get(slug=out.splitlines()[-1])
    exported_again, _ = run("export_debate", copy.slug, "--format", "json")
    original, _ = run("export_debate", debate.slug, "--format", "json")
    # Same debate, except its slug and that the importer is every claim's author.
    original = original.replace(debate.slug, "SLUG").replace('"wren"', '"olivia"')
    assert exported_again.replace(copy.slug, "SLUG") == original


def test_json_export_holds_hidden_claims_unless_public(cast, debate, pro, con):
    from arguments import services

    services.claim_hide(actor=cast.moderator, claim=con)
    everything, _ = run("export_debate", debate.slug, "--format", "json")
    public, _ = run("export_debate", debate.slug, "--format", "json", "--public")
    assert con.text in everything and con.text not in public


def test_exporting_an_unknown_debate_fails_clearly(db):
    with pytest.raises(CommandError, match="no debate with the slug 'nope'"):
        run("export_debate", "nope", "--format", "json")
