"""The task worker: django-tasks-db's worker, plus what a deployment needs of it.

- **Periodic jobs**: every `UPKEEP_SECONDS` each worker calls `periodic.enqueue_due()`; the
  database decides which worker enqueues each period's run (arguments/tasks/periodic.py).
  The same upkeep enqueues the opinion maps votes have made wanted (tasks/opinions.py).
- **A worker killed mid-task** (SIGKILL, an out-of-memory kill, a machine lost) leaves its
  task "running" for ever in django-tasks-db. Every worker, at start and at each upkeep,
  gives such a task back to the queue: at once when its worker was a process on this machine
  that no longer exists, else when it has run longer than `LEASE` (no task of this app takes
  a fraction of it). The conditional update hands it back once, however many workers see
  it; after `MAX_ATTEMPTS` starts it is marked failed instead (and an import's page says so).
  The tasks are written to be run again safely (an import commits with its job's "done").
- `run_one()` claims and runs one ready task in this process: the tests' entry (and a
  `--batch` run's), with the same code the worker uses.
"""

from __future__ import annotations

import logging
import os
import socket
import time
from datetime import timedelta
from typing import Any

from django.db.utils import DatabaseError, OperationalError
from django.utils import timezone
from django.utils.crypto import get_random_string
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction, is_locked_database_exception

from arguments.rules.faults import fault_message
from arguments.services import import_jobs
from arguments.tasks import opinions, periodic

logger = logging.getLogger(__name__)

LEASE = timedelta(minutes=15)
MAX_ATTEMPTS = 3
UPKEEP_SECONDS = 10.0
BACKEND = "default"


def worker_id() -> str:
    """host:pid:random, so that a worker on the same machine can tell a dead one."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{get_random_string(6)}"


def _dead_here(worker: str) -> bool:
    host, _, rest = worker.partition(":")
    pid = rest.partition(":")[0]
    if host != socket.gethostname()[:40] or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def requeue_abandoned(now: Any = None) -> int:
    """Give back to the queue the tasks whose worker died; the number given back."""
    now = now or timezone.now()
    given = 0
    for result in DBTaskResult.objects.running().filter(backend_name=BACKEND):
        workers = list(result.worker_ids or [])
        dead = bool(workers) and _dead_here(workers[-1])
        if not dead and result.started_at is not None and now - result.started_at < LEASE:
            continue
        still_running = DBTaskResult.objects.filter(
            pk=result.pk, status="RUNNING", started_at=result.started_at
        )
        if len(workers) >= MAX_ATTEMPTS:
            if still_running.update(status="FAILED", finished_at=now):
                logger.warning("Task %s failed: its worker ended %d times", result.pk, len(workers))
                if result.task_path == import_jobs.import_job_task.module_path:
                    job_id = result.args_kwargs["args"][0]
                    import_jobs.import_job_give_up(job_id, attempts=len(workers))
            continue
        if still_running.update(status="READY"):
            given += 1
            logger.warning("Task %s given back to the queue (its worker ended)", result.pk)
    return given


def _claim_one(worker: str) -> DBTaskResult | None:
    tasks = DBTaskResult.objects.ready().filter(backend_name=BACKEND)
    with exclusive_transaction(tasks.db):
        try:
            result = tasks.get_locked()
        except OperationalError as error:
            if is_locked_database_exception(error):
                return None
            raise
        if result is not None:
            result.claim(worker)
        return result


class QueueWorker(Worker):
    """django-tasks-db's worker loop with upkeep between tasks."""

    def __init__(self, *, interval: float = 1.0, worker: str | None = None) -> None:
        super().__init__(
            queue_names=["*"],
            interval=interval,
            batch=False,
            backend_name=BACKEND,
            startup_delay=False,
            max_tasks=None,
            worker_id=worker or worker_id(),
            excluded_queue_names=[],
        )
        self._next_upkeep = 0.0  # the first upkeep, at start, gives back a dead worker's task

    def upkeep(self) -> None:
        if time.monotonic() < self._next_upkeep:
            return
        self._next_upkeep = time.monotonic() + UPKEEP_SECONDS
        try:
            requeue_abandoned()
            periodic.enqueue_due()
            opinions.enqueue_wanted()
        except OperationalError as error:  # a busy SQLite; next time
            logger.warning("Task upkeep skipped: %s", error)

    def run_one(self) -> bool:
        """Claim and run one ready task; False when none was ready."""
        result = _claim_one(self.worker_id)
        if result is None:
            return False
        self.run_task(result)
        return True

    def run(self) -> None:
        logger.info("Task worker %s started", self.worker_id)
        while self.running:
            self.upkeep()
            try:
                ran = self.run_one()
            except DatabaseError as error:
                # A full disk or a read-only database refuses even the claim's commit: the
                # worker says so in one line and tries again, rather than end (a tight
                # restart loop under a supervisor) with a traceback.
                message = fault_message(error, what="no task could be started; trying again")
                if message is None:
                    raise
                logger.error("%s", message)
                ran = False
            if self.running and not ran:
                time.sleep(self.interval)


def run_one(worker: str = "in-process") -> bool:
    """Run one ready task in this process (tests; `run_tasks --batch`)."""
    return QueueWorker(worker=worker).run_one()


def run_all(worker: str = "in-process", limit: int = 100) -> int:
    """Run ready tasks until none is left (at most `limit`); how many ran."""
    queue = QueueWorker(worker=worker)
    ran = 0
    while ran < limit and queue.run_one():
        ran += 1
    return ran
