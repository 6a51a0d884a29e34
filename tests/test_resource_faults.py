"""A full disk, a read-only database, a lock held too long (issue 31, item 3): the import and
export commands end with one line naming the cause and a non-zero exit, no traceback, and
the import's transaction is rolled back; a write on the site answers a 503 that says it."""

from __future__ import annotations

import errno
import io
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from unittest import mock

import pytest
from django.core.management import CommandError, call_command
from django.db import OperationalError, connection
from django.test import Client
from django.urls import reverse

from arguments.models import Claim, Debate
from arguments.rules.faults import fault_message, fault_of
from tests.factories import UserFactory

ROOT = Path(__file__).resolve().parent.parent


def kialo_file(path: Path, claims: int) -> Path:
    """A Kialo export of `claims` claims, four children each."""
    lines = ["Discussion Title: A large debate", "", "1. The thesis of a large debate."]
    numbers = ["1"]
    for i in range(1, claims):
        parent = numbers[(i - 1) // 4]
        number = f"{parent}.{(i - 1) % 4 + 1}"
        numbers.append(number)
        stance = "Pro" if i % 2 else "Con"
        lines.append(f"{number}. {stance}: Claim number {i}, with a few words to take room.")
    path.write_text("\n".join(lines) + "\n")
    return path


class TestNamingTheCause:
    def test_sqlite_and_postgresql_and_the_operating_system_say_it_their_way(self):
        assert fault_of(OperationalError("database or disk is full")) == "disk full"
        assert fault_of(OperationalError("attempt to write a readonly database")) == "read-only"
        assert fault_of(OperationalError("database is locked")) == "lock timeout"
        assert fault_of(OSError(errno.ENOSPC, "No space left on device")) == "disk full"
        pg = OperationalError("could not extend file")
        pg.__cause__ = type("DiskFull", (Exception,), {"sqlstate": "53100"})()
        assert fault_of(pg) == "disk full"
        assert fault_of(OperationalError("syntax error")) is None
        assert fault_of(ValueError("database or disk is full")) is None

    def test_the_message_is_one_line(self):
        message = fault_message(OperationalError("database is locked"), what="nothing was saved")
        assert message == "The database was busy for too long (a lock timeout): nothing was saved."


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's page limit")
def test_a_full_database_file_stops_the_import_with_one_line_and_writes_nothing(tmp_path):
    """SQLite's own "database or disk is full", raised by a page limit just above the
    database's size: the same error a full disk gives, in the middle of the import."""
    UserFactory(username="admin", is_superuser=True)
    source = kialo_file(tmp_path / "large.txt", 6000)
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA page_count")
        pages = cursor.fetchone()[0]
        cursor.execute(f"PRAGMA max_page_count = {pages + 40}")
    try:
        with pytest.raises(CommandError) as raised:
            call_command("import_debate", str(source), "--format", "kialo", stdout=io.StringIO())
    finally:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA max_page_count = 1073741823")
    assert str(raised.value) == (
        "The server's disk is full: the import was not saved (nothing was written)."
    )
    assert not Debate.objects.exists() and not Claim.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_read_only_database_stops_the_import_with_one_line(tmp_path):
    UserFactory(username="admin", is_superuser=True)
    source = kialo_file(tmp_path / "small.txt", 20)
    with connection.cursor() as cursor:
        cursor.execute(
            "PRAGMA query_only = ON"
            if connection.vendor == "sqlite"
            else "SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY"
        )
    try:
        with pytest.raises(CommandError) as raised:
            call_command("import_debate", str(source), stdout=io.StringIO())
    finally:
        with connection.cursor() as cursor:
            cursor.execute(
                "PRAGMA query_only = OFF"
                if connection.vendor == "sqlite"
                else "SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE"
            )
    assert str(raised.value).startswith("The database is read-only at the moment: ")
    assert not Debate.objects.exists()


@pytest.mark.django_db
def test_a_lock_timeout_stops_the_import_with_one_line(tmp_path):
    UserFactory(username="admin", is_superuser=True)
    source = kialo_file(tmp_path / "small.txt", 20)
    with (
        mock.patch(
            "arguments.services.interchange._record_history",
            side_effect=OperationalError("database is locked"),
        ),
        pytest.raises(CommandError) as raised,
    ):
        call_command("import_debate", str(source), stdout=io.StringIO())
    assert str(raised.value).startswith("The database was busy for too long (a lock timeout)")
    assert not Debate.objects.exists()


@pytest.mark.django_db
def test_other_database_errors_are_not_disguised(tmp_path):
    UserFactory(username="admin", is_superuser=True)
    source = kialo_file(tmp_path / "small.txt", 5)
    with (
        mock.patch(
            "arguments.services.interchange._record_history",
            side_effect=OperationalError("no such column: x"),
        ),
        pytest.raises(OperationalError),
    ):
        call_command("import_debate", str(source), stdout=io.StringIO())


@pytest.mark.django_db
def test_an_export_that_fails_half_written_leaves_the_earlier_file_and_no_part(
    debate, thesis, tmp_path
):
    """The JSON backup is written as it is rendered: a disk that fills after its first part
    must not leave half a backup where the last whole one was."""
    output = tmp_path / "backup.json"
    output.write_text("the last whole backup", encoding="utf-8")

    def half_then_full(document, format_name):
        yield "{\n"
        raise OSError(errno.ENOSPC, "No space left on device")

    with (
        mock.patch("arguments.formats.render_parts", half_then_full),
        pytest.raises(CommandError, match="disk is full"),
    ):
        call_command(
            "export_debate",
            debate.slug,
            "--format",
            "json",
            "-o",
            str(output),
            stdout=io.StringIO(),
        )
    assert output.read_text(encoding="utf-8") == "the last whole backup"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["backup.json"]
    # And a whole one replaces it.
    call_command(
        "export_debate", debate.slug, "--format", "json", "-o", str(output), stdout=io.StringIO()
    )
    assert thesis.text in output.read_text(encoding="utf-8")
    assert sorted(path.name for path in tmp_path.iterdir()) == ["backup.json"]


@pytest.fixture
def tiny_disk(tmp_path: Path) -> Iterator[Path]:
    """An 8 MB filesystem of the test's own (needs root to mount; skipped otherwise)."""
    where = tmp_path / "tiny"
    where.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(where)], capture_output=True
    )
    if mounted.returncode != 0:
        pytest.skip("cannot mount a tiny filesystem here")
    try:
        yield where
    finally:
        subprocess.run(["umount", str(where)], check=False)


def manage(*args: str, database: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}"}
    env.pop("REDIS_URL", None)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.mark.skipif(shutil.which("mount") is None, reason="needs mount")
def test_a_full_disk_during_an_import_is_one_line_and_a_non_zero_exit(tiny_disk, tmp_path):
    """The whole command, as a person runs it, on a disk that fills up during the import."""
    database = tiny_disk / "db.sqlite3"
    assert manage("migrate", "-v0", database=database).returncode == 0
    created = manage(
        "shell",
        "-c",
        "from django.contrib.auth.models import User; "
        "User.objects.create_superuser('admin', '', 'x')",
        database=database,
    )
    assert created.returncode == 0, created.stderr
    small = manage("import_debate", str(kialo_file(tmp_path / "small.txt", 20)), database=database)
    slug = small.stdout.strip().splitlines()[-1]
    source = kialo_file(tmp_path / "large.txt", 20000)
    done = manage("import_debate", str(source), "--format", "kialo", database=database)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    assert done.stderr.strip() == (
        "CommandError: The server's disk is full: the import was not saved (nothing was written)."
    )
    counted = manage(
        "shell",
        "-c",
        "from arguments.models import Claim; print(Claim.objects.count())",
        database=database,
    )
    assert counted.stdout.strip().splitlines()[-1] == "20"  # the small debate's, no more
    # An export to that full disk says so too.
    filler = tiny_disk / "filler"
    with open(filler, "wb") as fill:
        try:
            while True:
                fill.write(b"\0" * 65536)
        except OSError:
            pass
    exported = manage(
        "export_debate",
        slug,
        "--format",
        "json",
        "-o",
        str(tiny_disk / "out.json"),
        database=database,
    )
    assert exported.returncode == 1 and "Traceback" not in exported.stderr
    # SQLite itself may meet the full disk first (its shared-memory file), or the output.
    assert exported.stderr.strip() in (
        f"CommandError: The server's disk is full: {tiny_disk / 'out.json'} was not written.",
        "CommandError: The server's disk is full: the debate was not exported.",
    )


@pytest.mark.django_db
def test_a_write_on_the_site_that_meets_a_full_disk_is_a_503_that_says_so(cast, pro):
    client = Client(raise_request_exception=False)
    client.force_login(cast.writer)
    thesis = pro.debate.claims.get(is_thesis=True)
    with mock.patch(
        "arguments.services.claim_add", side_effect=OperationalError("database or disk is full")
    ):
        answer = client.post(
            reverse("arguments:claim_add", kwargs={"slug": pro.debate.slug, "pk": thesis.pk}),
            {"stance": "con", "text": "A claim the disk has no room for."},
        )
    assert answer.status_code == 503 and answer["Retry-After"] == "5"
    assert "The server&#x27;s disk is full: nothing was changed" in answer.content.decode()
    assert not Claim.objects.filter(text="A claim the disk has no room for.").exists()
