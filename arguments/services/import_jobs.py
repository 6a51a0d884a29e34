"""Large imports in the background: a job row, a thread that runs it, a page that follows it.

An upload of a few thousand rows imports within the request. A larger one (up to the 5 MB
upload limit: some 20,000 claims, several seconds) would hold a gunicorn sync worker near its
timeout, so it becomes an `ImportJob` run in a thread of the worker that took the upload;
the request returns at once and the job page follows it. The import itself is the same one
atomic `debate_import`: a job that fails, or whose process dies, writes nothing. A job left
running longer than `STALE_AFTER` (its process was restarted) is shown as failed.
"""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import TYPE_CHECKING

from django.core.cache import cache
from django.db import connection, transaction
from django.utils import timezone

from arguments import caches, formats
from arguments.formats.document import FormatError
from arguments.models import ImportJob
from arguments.services.interchange import debate_import

if TYPE_CHECKING:
    from uuid import UUID

    from django.contrib.auth.models import User

    from arguments.formats.document import DebateDocument

# Rows (claims, relations, citations) from which an upload imports in the background: below,
# an import takes well under a second and the user simply lands on the new debate.
BACKGROUND_FROM_ROWS = 5000
STALE_AFTER = timedelta(minutes=10)
PROGRESS_KEY = "import-job-progress:{}"
caches.register(
    "import progress",
    kept=caches.Kept.SHARED,
    key="`import-job-progress:<job id>`: rows written and rows in all",
    stale="the next progress step sets it anew; the job's end deletes it (an hour at most)",
)


def import_rows(document: DebateDocument) -> int:
    """How many rows an import of the document writes, to choose where it runs."""
    return len(document.claims) + len(document.relations) + len(document.citations)


def import_job_start(
    *, owner: User, text: str, format_name: str, title: str, filename: str
) -> ImportJob:
    """Record a job for an upload and run it in a thread once the job row is committed."""
    job = ImportJob.objects.create(
        owner=owner, format=format_name, title=title, filename=filename[:255], text=text
    )
    transaction.on_commit(lambda: _spawn(job.pk))
    return job


def _spawn(job_id: UUID) -> None:
    threading.Thread(target=_run_in_thread, args=(job_id,), daemon=True).start()


def _run_in_thread(job_id: UUID) -> None:
    try:
        import_job_run(job_id)
    finally:
        # A thread has its own connection, which Django closes for requests only.
        if threading.current_thread() is not threading.main_thread():
            connection.close()


def import_job_run(job_id: UUID) -> ImportJob:
    """Run a waiting job: import its file atomically, then record the outcome on the job."""
    claimed = ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.WAITING).update(
        status=ImportJob.Status.RUNNING, updated_at=timezone.now()
    )
    job = ImportJob.objects.get(pk=job_id)
    if not claimed:
        return job  # another thread took it, or it already ran

    def progress(done: int, total: int) -> None:
        # The cache, not the job row: the row cannot change inside the import's transaction
        # (and SQLite allows one writer). With Redis every worker sees it; with the local
        # memory cache only this process does, and the page then shows no percentage.
        cache.set(PROGRESS_KEY.format(job.pk), (done, total), timeout=3600)

    try:
        document = formats.parse(job.text, job.format)
        debate = debate_import(
            owner=job.owner, document=document, title=job.title or None, progress=progress
        )
    except FormatError as error:
        job.status, job.error = ImportJob.Status.FAILED, f"{formats.LABELS[job.format]}: {error}"
    except Exception:
        job.status, job.error = ImportJob.Status.FAILED, "The import stopped on an error."
        job.text = ""
        job.save()
        raise
    else:
        job.status, job.debate = ImportJob.Status.DONE, debate
        job.counts, job.warnings = document.counts(), document.problems
    job.text = ""  # done with: the debate (or the error) is what remains
    job.save()
    cache.delete(PROGRESS_KEY.format(job.pk))
    return job


def import_job_progress(job: ImportJob) -> tuple[int, int] | None:
    """(rows written, rows in all) while the job runs, where this process can see it."""
    return cache.get(PROGRESS_KEY.format(job.pk))


def import_job_settle(job: ImportJob) -> ImportJob:
    """Mark a job failed that has run far longer than any import takes (its process died)."""
    if job.is_finished or timezone.now() - job.updated_at < STALE_AFTER:
        return job
    job.status = ImportJob.Status.FAILED
    job.error = "The import was interrupted (the server restarted); upload the file again."
    job.text = ""
    job.save()
    return job
