"""Work that leaves the writer's request for the task queue (issue 31, item 4): notification
fan-out and the stored strengths of an imported debate. The real database backend and the
worker's own code (`run_all`), never a mock: nothing happens until the worker runs."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.db import OperationalError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django_tasks_db.models import DBTaskResult

from arguments import formats, services
from arguments.live import notifications
from arguments.models import Notification, Stance
from arguments.structure import stored_strengths
from arguments.structure.first_screen import structure_for
from arguments.structure.loader import _load_structure, forget_structures, holds
from arguments.tasks import worker
from arguments.tasks.worker import run_all
from tests.factories import UserFactory
from tests.test_resource_faults import kialo_file


def fan_outs() -> list[DBTaskResult]:
    return list(DBTaskResult.objects.filter(task_path=notifications.fan_out.module_path))


def test_a_write_watched_by_many_queues_one_task_and_the_worker_tells_them(cast, debate, pro):
    run_all()  # the fixtures' own notices
    services.follow_set(user=cast.viewer, debate=debate, claim=pro, on=True)

    def add(text: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            services.claim_add(actor=cast.editor, parent=pro, stance=Stance.CON, text=text)
        return len(queries)

    add("Once, to warm what a first write reads.")
    few = add("Watched by two.")
    run_all()
    watchers = UserFactory.create_batch(30)
    for user in watchers:
        services.follow_set(user=user, debate=debate, claim=None, on=True)
    many = add("Watched by thirty-two.")
    assert many == few  # the write's cost does not grow with its watchers
    (task,) = [t for t in fan_outs() if t.status == "READY"]
    assert task.args_kwargs["args"][0] == "claim_added"
    assert not Notification.objects.filter(recipient__in=watchers).exists()  # not in the request

    assert run_all() == 1
    told = Notification.objects.filter(claim=pro, text__contains="thirty-two")
    assert told.count() == 32  # the 30 debate followers, the claim's writer, the viewer
    assert DBTaskResult.objects.get(pk=task.pk).status == "SUCCESSFUL"


def test_a_write_that_rolls_back_queues_nothing(cast, pro):
    run_all()
    before = len(fan_outs())
    with pytest.raises(RuntimeError), transaction.atomic():
        services.claim_add(actor=cast.editor, parent=pro, stance=Stance.CON, text="Undone.")
        raise RuntimeError("the request failed after the write")
    assert len(fan_outs()) == before
    assert run_all() == 0 and not Notification.objects.filter(text__contains="Undone").exists()


def test_an_imported_debates_first_reader_reads_the_slice_the_worker_stored(db, tmp_path):
    owner = UserFactory()
    text = kialo_file(tmp_path / "debate.txt", 400).read_text()
    debate = services.debate_import(owner=owner, document=formats.parse(text, "kialo"))
    assert not stored_strengths.current(debate)  # the import's request stored nothing
    # Its tasks: the worker loads the debate and stores its strengths, and its counts.
    assert run_all() == 2
    debate.refresh_from_db()
    assert stored_strengths.current(debate)
    forget_structures()  # a web worker that holds nothing of it
    first = structure_for(debate)
    assert not holds(debate)  # the slice: nothing loaded whole, nothing kept
    whole = _load_structure(debate)
    assert {c: first.strength[c] for c in first.nodes} == {
        c: whole.strength[c] for c in first.nodes
    }
    assert run_all() == 0


def test_a_worker_on_a_full_disk_says_so_in_one_line_and_goes_on(db, monkeypatch, caplog):
    """Measured by `faultcheck --disk`: SQLite refuses even the commit that claims a task."""

    def full(worker_id: str) -> None:
        raise OperationalError("database or disk is full")

    monkeypatch.setattr(worker, "_claim_one", full)
    with pytest.raises(CommandError, match=r"^The server's disk is full: no task could be started"):
        call_command("run_tasks", "--batch")
    queue = worker.QueueWorker(interval=0)
    monkeypatch.setattr(queue, "upkeep", lambda: setattr(queue, "running", False))
    queue.run()  # one round: logged, not raised
    assert "disk is full: no task could be started; trying again" in caplog.text
