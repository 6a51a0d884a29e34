"""The task queue (issue 31, item 4): the real database backend (django-tasks-db) and the
real worker. A worker killed in the middle of an import leaves the job to another, which
imports it exactly once; periodic jobs run once per period however many schedulers ask;
import starts are rate-limited and capped with a plain message."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path
from unittest import mock

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from arguments.models import Claim, Debate, ImportJob, ScheduledRun, ShareLink
from arguments.rules.limits import RateLimited
from arguments.services import import_jobs
from arguments.tasks import periodic
from arguments.tasks.worker import requeue_abandoned, run_all
from arguments.views.interchange import PENDING_KEY
from tests.factories import UserFactory
from tests.test_resource_faults import kialo_file

ROOT = Path(__file__).resolve().parent.parent


def database_url() -> str:
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings['NAME']}"
    return (
        f"postgres://{settings['USER']}@{settings['HOST'] or '127.0.0.1'}:"
        f"{settings['PORT'] or 5432}/{settings['NAME']}"
    )


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_import_leaves_it_to_another_which_imports_it_once(tmp_path):
    owner = UserFactory(username="importer")
    text = kialo_file(tmp_path / "large.txt", 8000).read_text()
    job = import_jobs.import_job_start(
        owner=owner, text=text, format_name="kialo", title="", filename="large.txt"
    )
    (queued,) = DBTaskResult.objects.all()
    assert queued.status == "READY"

    env = {**os.environ, "DATABASE_URL": database_url()}
    env.pop("REDIS_URL", None)
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "run_tasks", "--interval", "0.1", "-v0"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            job.refresh_from_db()
            if job.status == ImportJob.Status.RUNNING:
                break
            time.sleep(0.05)
        assert job.status == ImportJob.Status.RUNNING and job.attempts == 1
        # Progress seen from this process while the import's transaction is still open, as
        # every web worker's job page reads it: from the job's row (PostgreSQL) or from its
        # progress file (SQLite, whose one writer is the import).
        progress = None
        while time.monotonic() < deadline and not progress:
            time.sleep(0.02)
            job.refresh_from_db()
            progress = import_jobs.import_job_progress(job)
        assert progress is not None and 0 < progress[0] < progress[1]
        worker.send_signal(signal.SIGKILL)
        worker.wait(10)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
    job.refresh_from_db()
    queued.refresh_from_db()
    assert job.status == ImportJob.Status.RUNNING and job.debate is None
    assert not Debate.objects.exists() and not Claim.objects.exists()  # rolled back
    assert queued.status == "RUNNING"  # as the dead worker left it

    # Another worker on this machine sees that the task's worker is gone: given back once.
    assert requeue_abandoned() == 1
    assert requeue_abandoned() == 0
    run_all(worker="second")  # the import, and the periodic jobs the first worker enqueued
    job.refresh_from_db()
    queued.refresh_from_db()
    assert job.status == ImportJob.Status.DONE and job.attempts == 2
    assert queued.status == "SUCCESSFUL" and len(queued.worker_ids) == 2
    assert Debate.objects.count() == 1 and Claim.objects.count() == 8000
    # A stray second run of the finished job imports nothing more.
    import_jobs.import_job_run(job.pk)
    assert Debate.objects.count() == 1 and Claim.objects.count() == 8000


@pytest.mark.django_db
def test_a_task_whose_workers_keep_dying_gives_up_and_the_job_says_so(cast):
    job = import_jobs.import_job_start(
        owner=cast.stranger, text="x", format_name="kialo", title="", filename="f.txt"
    )
    DBTaskResult.objects.update(
        status="RUNNING",
        started_at=timezone.now() - timedelta(hours=1),  # past the lease: a machine lost
        worker_ids=["gone-1:1:a", "gone-2:1:b", "gone-3:1:c"],
    )
    assert requeue_abandoned() == 0
    assert DBTaskResult.objects.get().status == "FAILED"
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED and "stopped 3 times" in job.error


@pytest.mark.django_db
def test_a_task_past_its_lease_on_another_machine_is_given_back(cast):
    import_jobs.import_job_start(
        owner=cast.stranger, text="x", format_name="kialo", title="", filename="f.txt"
    )
    DBTaskResult.objects.update(
        status="RUNNING", started_at=timezone.now() - timedelta(minutes=5), worker_ids=["m:1:a"]
    )
    assert requeue_abandoned() == 0  # within its lease: perhaps still running over there
    DBTaskResult.objects.update(started_at=timezone.now() - timedelta(hours=1))
    assert requeue_abandoned() == 1 and DBTaskResult.objects.get().status == "READY"


@pytest.mark.django_db(transaction=True)
def test_a_periodic_job_asked_for_by_two_schedulers_at_once_runs_once():
    now = timezone.now()
    ScheduledRun.objects.bulk_create(
        ScheduledRun(name=job.name, next_at=now - timedelta(seconds=1)) for job in periodic.SCHEDULE
    )
    start = threading.Barrier(2)
    enqueued: list[list[str]] = []

    def scheduler() -> None:
        try:
            start.wait()
            enqueued.append(periodic.enqueue_due(now))
        finally:
            connection.close()

    threads = [threading.Thread(target=scheduler) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    names = sorted(name for found in enqueued for name in found)
    assert names == sorted(job.name for job in periodic.SCHEDULE)  # each once, in all
    assert DBTaskResult.objects.count() == len(periodic.SCHEDULE)
    # Not due again until its period has passed.
    assert periodic.enqueue_due(now + timedelta(minutes=1)) == []
    assert periodic.enqueue_due(now + timedelta(minutes=6)) == [
        "digests",
        "snapshots",
        "task deadlines",
    ]


@pytest.mark.django_db
def test_the_periodic_jobs_run_on_the_worker(cast, debate):
    expired = ShareLink.objects.create(
        debate=debate, token="t" * 43, role="viewer", expires_at=timezone.now()
    )
    assert sorted(periodic.enqueue_due()) == sorted(job.name for job in periodic.SCHEDULE)
    assert run_all() == len(periodic.SCHEDULE)
    results = DBTaskResult.objects.all()
    assert {result.status for result in results} == {"SUCCESSFUL"}, [
        result.traceback for result in results
    ]
    expired.refresh_from_db()
    assert not expired.is_active


@pytest.mark.django_db
class TestImportStartsAreLimited:
    def test_one_running_job_per_user(self, cast):
        import_jobs.import_job_start(
            owner=cast.stranger, text="x", format_name="kialo", title="", filename="a.txt"
        )
        with pytest.raises(RateLimited, match="One of your imports is still running"):
            import_jobs.import_job_start(
                owner=cast.stranger, text="x", format_name="kialo", title="", filename="b.txt"
            )
        # Someone else may.
        import_jobs.import_job_start(
            owner=cast.writer, text="x", format_name="kialo", title="", filename="c.txt"
        )

    def test_a_few_running_jobs_in_all(self, cast):
        for name in ("owner", "moderator", "editor", "writer"):
            import_jobs.import_job_start(
                owner=cast[name], text="x", format_name="kialo", title="", filename="a.txt"
            )
        with pytest.raises(RateLimited, match="busy with other imports"):
            import_jobs.import_job_start(
                owner=cast.viewer, text="x", format_name="kialo", title="", filename="a.txt"
            )

    def test_ten_imports_an_hour_then_a_429_that_says_when(self, client, cast, tmp_path):
        for _ in range(import_jobs.IMPORTS_PER_HOUR):
            ImportJob.objects.create(owner=cast.stranger, format="kialo", status="done")
        client.force_login(cast.stranger)
        source = kialo_file(tmp_path / "small.txt", 5)
        with source.open("rb") as file:
            client.post(reverse("arguments:import"), {"file": file})
        token = client.session[PENDING_KEY]["token"]
        answer = client.post(reverse("arguments:import_confirm"), {"token": token})
        assert answer.status_code == 429 and int(answer["Retry-After"]) > 0
        assert "You have started an import 10 times in the last hour" in answer.content.decode()
        assert not Debate.objects.exists()


@pytest.mark.django_db
def test_a_job_that_stops_on_an_unexpected_error_fails_on_its_page_and_in_the_queue(
    cast, monkeypatch
):
    job = import_jobs.import_job_start(
        owner=cast.stranger, text="x", format_name="kialo", title="", filename="f.txt"
    )
    monkeypatch.setattr(import_jobs.formats, "parse", mock.Mock(side_effect=KeyError("bug")))
    assert run_all() == 1
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED and "stopped on an error" in job.error
    result = DBTaskResult.objects.get()
    assert result.status == "FAILED" and "KeyError" in result.traceback
