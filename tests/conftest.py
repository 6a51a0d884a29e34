"""Personas and debates shared by the tests.

Every role of DESIGN.md has a persona in `debate` (a public debate whose newcomers are
suggesters, so a signed-in stranger's rights differ from a writer's): owner, moderator, editor,
writer, suggester, viewer; plus `stranger` (signed in, no membership), `staff` and anonymous.
"""

from __future__ import annotations

import fcntl
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core import serializers
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection, connections, transaction
from django.utils import translation
from django_tasks_db.models import DBTaskResult
from hypothesis import settings as hypothesis_settings
from pytest_django.fixtures import _get_databases_for_setup
from pytest_django.plugin import blocking_manager_key

from arguments import caches, services
from arguments.models import Claim, Debate, Relation, Role, SiteWrites, Stance
from arguments.tasks.worker import run_all
from tests.factories import MembershipFactory, UserFactory

# No property-based test is timed: Hypothesis's default 200 ms deadline an example failed
# test_paths on a machine at load 7 (303 ms, then 8 ms when retried). What costs too much is
# bench's to say, not a unit test's.
hypothesis_settings.register_profile("suite", deadline=None)
hypothesis_settings.load_profile("suite")


@pytest.fixture(scope="session")
def django_db_modify_db_settings(
    django_db_modify_db_settings_parallel_suffix: None, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """SQLite's test database in a file, not in memory: in memory, the live server's request
    threads all share the test's one connection, and the two panels a debate page loads in
    parallel read each other's rows (CI saw a 500 for "get() returned more than one
    Session"). From a file, each thread opens its own connection; the browser tests that use
    the live server are transactional, so they see each other's commits."""
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"].endswith("sqlite3"):
        folder = tmp_path_factory.mktemp("database")
        database.setdefault("TEST", {})["NAME"] = str(folder / "test.sqlite3")


@pytest.hookimpl(wrapper=True)
def pytest_collection(session: pytest.Session) -> object:
    """The test modules' bytecode (pytest's, with its assertions rewritten) is written while
    they are collected, even where PYTHONDONTWRITEBYTECODE is set (containers, CI): without
    it every test process rewrites and compiles all of them again, about 5.6 s of CPU each
    (an xdist worker, each pass). The Makefile compiles the app's modules at install for the
    same reason; after collection the environment's choice holds again."""
    kept = sys.dont_write_bytecode
    sys.dont_write_bytecode = False
    try:
        return (yield)
    finally:
        sys.dont_write_bytecode = kept


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    """One process at a time, across the xdist workers (an advisory lock on a file; the
    kernel frees it if its holder dies)."""
    with open(path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


TEMPLATE_MARK = "test-database-template"  # in the run's shared temporary folder: its name


@pytest.fixture(scope="session")
def django_db_setup(
    request: pytest.FixtureRequest,
    django_test_environment: None,
    django_db_blocker,
    django_db_use_migrations: bool,
    django_db_keepdb: bool,
    django_db_createdb: bool,
    django_db_modify_db_settings: None,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[None]:
    """pytest-django's test database, migrated once per run instead of once per xdist worker:
    the first worker migrates a template, every worker copies it (Django's own test clone:
    SQLite copies the file, PostgreSQL `CREATE DATABASE ... TEMPLATE`). The migrations cost
    each worker about 23 s of CPU. Outside xdist, or with --reuse-db, --nomigrations, a
    serialized rollback or a replica, pytest-django's own set-up, as written there."""
    from django.test.utils import setup_databases, teardown_databases

    verbosity = request.config.option.verbose
    aliases, serialized = _get_databases_for_setup(request.session.items)
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if (
        not worker
        or django_db_keepdb
        or not django_db_use_migrations
        or serialized
        or set(settings.DATABASES) != {"default"}
        or aliases - {"default"}
    ):
        kept = {"keepdb": True} if django_db_keepdb and not django_db_createdb else {}
        if not django_db_use_migrations:
            from pytest_django.fixtures import _disable_migrations

            _disable_migrations()
        with django_db_blocker.unblock():
            old = setup_databases(
                verbosity=verbosity,
                interactive=False,
                aliases=aliases,
                serialized_aliases=serialized,
                **kept,
            )
        yield
        if not django_db_keepdb:
            with django_db_blocker.unblock():
                teardown_databases(old, verbosity=verbosity)
        return

    database = connections["default"]
    creation = database.creation
    old_name = database.settings_dict["NAME"]
    shared = tmp_path_factory.getbasetemp().parent  # the run's folder, above each worker's
    sqlite = database.vendor == "sqlite"
    # The worker's own test name with its "_gwN" suffix for a "_template" one (on SQLite, a
    # file in the run's folder).
    own = creation._get_test_db_name()
    if sqlite:
        template = str(shared / "test-template.sqlite3")
    else:
        template = own.removesuffix(f"_{worker}") + "_template"
    with django_db_blocker.unblock(), _locked(shared / f"{TEMPLATE_MARK}.lock"):
        mark = shared / TEMPLATE_MARK
        if not mark.exists():
            database.settings_dict["TEST"]["NAME"] = template
            creation.create_test_db(verbosity=verbosity, autoclobber=True)
            if sqlite:  # the copy is of the file alone: nothing left in the write-ahead log
                with database.cursor() as cursor:
                    cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            mark.write_text(template)
        database.close()
        database.settings_dict["NAME"] = settings.DATABASES["default"]["NAME"] = template
        creation._clone_test_db(suffix=worker, verbosity=verbosity)
        clone = creation.get_test_db_clone_settings(worker)["NAME"]
        database.settings_dict["NAME"] = settings.DATABASES["default"]["NAME"] = clone
        database.settings_dict["TEST"]["NAME"] = clone
        database.ensure_connection()
    yield
    with django_db_blocker.unblock():
        creation.destroy_test_db(old_name, verbosity)


def pytest_sessionfinish(session: pytest.Session) -> None:
    """The xdist controller drops the workers' template database once they are done (on
    SQLite, a file pytest's temporary folders remove)."""
    if hasattr(session.config, "workerinput"):
        return
    mark = session.config._tmp_path_factory.getbasetemp() / TEMPLATE_MARK
    if not mark.exists():
        return
    template = mark.read_text()
    database = connections["default"]
    if database.vendor != "sqlite":
        with session.config.stash[blocking_manager_key].unblock():
            database.creation._destroy_test_db(template, verbosity=0)
    mark.unlink()


@pytest.fixture(autouse=True)
def _site_language():
    """Every case starts in the site's language: a request through LocaleMiddleware leaves
    its language active in the thread, and the next case's messages would be in it."""
    with translation.override(settings.LANGUAGE_CODE):
        yield


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Every case starts from the database: no store of any worker holds anything
    (arguments/caches.py)."""
    caches.forget_all()
    yield
    caches.forget_all()


@dataclass
class Cast:
    owner: object
    moderator: object
    editor: object
    writer: object
    suggester: object
    viewer: object
    stranger: object
    staff: object
    anonymous: object

    def __getitem__(self, name: str) -> object:
        return getattr(self, name)


ROLES = ["owner", "moderator", "editor", "writer", "suggester", "viewer"]


def make_cast() -> Cast:
    """The personas' accounts (the `cast` fixture's; a module that builds its scene once
    makes them itself)."""
    return Cast(
        owner=UserFactory(username="olivia"),
        moderator=UserFactory(username="mo"),
        editor=UserFactory(username="eddie"),
        writer=UserFactory(username="wren"),
        suggester=UserFactory(username="sue"),
        viewer=UserFactory(username="vic"),
        stranger=UserFactory(username="stan"),
        staff=UserFactory(username="staffer", is_staff=True, is_superuser=True),
        anonymous=AnonymousUser(),
    )


@pytest.fixture
def cast(db) -> Cast:
    return make_cast()


@pytest.fixture
def debate(cast: Cast) -> Debate:
    """A public debate, newcomers suggest; one thesis with one pro and one con."""
    debate = services.debate_create(
        owner=cast.owner,
        title="Should model weights be released openly?",
        thesis="Developers should release model weights openly.",
        default_role=Role.SUGGESTER,
        visibility=Debate.Visibility.PUBLIC,
    )
    for name in ROLES[1:]:
        MembershipFactory(debate=debate, user=cast[name], role=Role(name))
    return debate


@pytest.fixture
def thesis(debate: Debate) -> Claim:
    return debate.claims.get(is_thesis=True)


@pytest.fixture
def pro(debate: Debate, thesis: Claim, cast: Cast) -> Claim:
    return services.claim_add(
        actor=cast.writer, parent=thesis, stance=Stance.PRO, text="Open weights spread access."
    )


@pytest.fixture
def con(debate: Debate, thesis: Claim, cast: Cast) -> Claim:
    return services.claim_add(
        actor=cast.writer,
        parent=thesis,
        stance=Stance.CON,
        text="Released weights cannot be recalled.",
    )


def build_debate(size: int, *, owner=None, slug: str | None = None) -> Debate:
    """A debate of `size` claims (thesis included) in a few bulk inserts: a broad tree with
    depth, some links, for query-count tests."""
    owner = owner or UserFactory()
    debate = Debate.objects.create(
        slug=slug or f"big-{size}-{owner.pk}", title=f"A debate of {size} claims", owner=owner
    )
    claims = Claim.objects.bulk_create(
        Claim(debate=debate, text=f"Claim {i}", author=owner, is_thesis=i == 0) for i in range(size)
    )
    relations = []
    for i in range(1, size):
        parent = claims[(i - 1) // 4]  # four children each: a deep, broad tree
        relations.append(
            Relation(
                debate=debate,
                parent=parent,
                child=claims[i],
                stance=Stance.PRO if i % 2 else Stance.CON,
                position=i,
            )
        )
    for i in range(2, size, 20):  # about 5% links to an unrelated claim
        target = claims[(i * 7) % size]
        if target.pk != claims[i].pk and not target.is_thesis and (i - 1) // 4 != (i * 7) % size:
            relations.append(
                Relation(
                    debate=debate, parent=claims[i], child=target, stance=Stance.CON,
                    is_link=True, position=0,
                )
            )  # fmt: skip
    Relation.objects.bulk_create(relations, ignore_conflicts=True)
    return debate


@pytest.fixture
def now():
    """Run the notices of what happens inside the block: the task worker's own code, run here
    on the queue's tasks when the block ends, as `manage.py run_tasks` does in production.
    The tasks of writes before the block (the fixtures') are dropped: they notify no one."""

    @contextmanager
    def block():
        DBTaskResult.objects.filter(status="READY").delete()
        yield
        run_all()

    return block


# The rows `manage.py seed_demo` wrote in this test process, serialized as Python values (JSON
# would round times to the millisecond). None: not yet seeded.
_DEMO_ROWS: list[dict] | None = None


def _rows_by_model() -> dict[type, dict[object, tuple]]:
    """Every row of every stored model, by model and primary key."""
    return {
        model: {
            row[0]: row
            for row in model._base_manager.order_by().values_list(
                "pk", *(f.attname for f in model._meta.concrete_fields)
            )
        }
        for model in apps.get_models()
        if model._meta.managed and not model._meta.proxy
    }


def seed_demo(*, fresh: bool = False) -> None:
    """The demo debates of `manage.py seed_demo`, for a test that reads them: the command runs
    once per test process (5 s of CPU; up to a minute of set-up on a busy machine), later
    calls load the rows it wrote (tests/test_seed.py proves the loaded rows equal the seeded
    ones, table by table).
    `fresh`: run the command even so (a test of the command itself)."""
    global _DEMO_ROWS
    if _DEMO_ROWS is None or fresh:
        before = _rows_by_model()
        call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
        written = []
        for model, rows in _rows_by_model().items():
            if model is SiteWrites:
                continue  # a count of this process's write statements: loading moves it too
            old = before.get(model, {})
            changed = [pk for pk, row in rows.items() if old.get(pk) != row]
            written += model._base_manager.filter(pk__in=changed).order_by("pk")
        _DEMO_ROWS = serializers.serialize("python", written)
        return
    objects = list(serializers.deserialize("python", _DEMO_ROWS))
    by_model: dict[type, list] = {}
    for obj in objects:
        by_model.setdefault(type(obj.object), []).append(obj)
    with transaction.atomic():  # foreign keys are checked at the end (deferred constraints)
        for model, batch in by_model.items():
            if model._meta.parents or any(obj.m2m_data for obj in batch):
                for obj in batch:  # one by one: a parent's row first, or the links after
                    obj.save()
            else:  # as loaddata saves (raw: auto_now fields keep their values), in batches
                rows = [obj.object for obj in batch]
                fields = model._meta.local_concrete_fields
                size = max(connection.ops.bulk_batch_size(fields, rows), 1)
                for start in range(0, len(rows), size):
                    model._base_manager._insert(rows[start : start + size], fields, raw=True)
    # Rows saved with their own keys do not move PostgreSQL's sequences (SQLite's do).
    models = set(by_model)
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(sql)


@pytest.fixture
def too_big_to_hold(monkeypatch):
    """Every debate is read as one too big for this process's structures (`loader.fits`):
    behind, its stored copies are caught up from the rows around each change instead of
    the debate being loaded whole and held (a 200,000-claim debate's way, issue 35)."""
    from arguments.structure import stored_writes

    monkeypatch.setattr(stored_writes, "fits", lambda debate: False)
