"""Large imports in the background: a job row, a task on the queue, a page that follows it.

An upload of a few thousand rows imports within the request. A larger one (up to the 5 MB
upload limit: some 20,000 claims, several seconds) becomes an `ImportJob` and a task on the
database task queue (Django's `django.tasks` with django-tasks-db), enqueued in the same
transaction as the job, so neither exists without the other; a task worker
(`manage.py run_tasks`) runs it and the job page follows it.

Exactly once: the import and the job's "done" commit in one transaction, which first locks
the job's row and returns if the job is already finished. A worker killed mid-way rolls the
import back; the queue gives the task to another worker (arguments/tasks/worker.py), which
imports it again from the start; a second run of a finished job does nothing.

Starting an import is rate-limited per user (`IMPORTS_PER_HOUR`), and at most one job per
user and `RUNNING_JOBS_MAX` in all wait or run at once, so uploads cannot queue up the
workers' time.
"""

from __future__ import annotations

import contextlib
import logging
import os
import uuid
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import DatabaseError, connection, transaction
from django.db.models import F
from django.tasks import task
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from arguments import caches, formats, selectors
from arguments.formats.document import FormatError
from arguments.formats.parts import split
from arguments.models import Debate, ImportJob
from arguments.rules.faults import close_lost_connections, fault_message
from arguments.rules.limits import RateLimited, check_rate
from arguments.services.interchange import debate_import
from arguments.structure.loader import store_strengths

if TYPE_CHECKING:
    from uuid import UUID

    from django.contrib.auth.models import User

    from arguments.formats.document import DebateDocument

# Rows (claims, relations, citations) from which an upload imports in the background: below,
# an import takes well under a second and the user simply lands on the new debate.
BACKGROUND_FROM_ROWS = 5000
IMPORTS_PER_HOUR = 10
RUNNING_JOBS_MAX = 4  # waiting or running, all users together
BUSY_RETRY_SECONDS = 60
PROGRESS_KEY = "import-job-progress:{}"
caches.register(
    "import progress",
    kept=caches.Kept.SHARED,
    key="`import-job-progress:<job id>`: rows written and rows in all, only where neither "
    "the job row (PostgreSQL: `rows_done`, `rows_total`) nor a progress file beside the "
    "database (SQLite: `RowsWritten`) can keep them",
    stale="the next progress step sets it anew; the job's end deletes it (an hour at most)",
)
OPEN = (ImportJob.Status.WAITING, ImportJob.Status.RUNNING)
logger = logging.getLogger(__name__)


def import_rows(document: DebateDocument) -> int:
    """How many rows an import of the document writes, to choose where it runs."""
    return len(document.claims) + len(document.relations) + len(document.citations)


def import_start_check(*, owner: User) -> None:
    """Raise RateLimited when `owner` started too many imports lately (small ones too)."""
    check_rate(
        ImportJob.objects.filter(owner=owner),
        limit=IMPORTS_PER_HOUR,
        window=timedelta(hours=1),
        field="created_at",
        what="started an import",
    )


@transaction.atomic
def import_now(
    *,
    owner: User,
    text: str,
    format_name: str,
    title: str,
    filename: str,
    visibility: str = "",
    merge_rephrases: bool = False,
    in_parts: bool = False,
) -> tuple[ImportJob, DebateDocument, list[Debate]]:
    """Import a small upload within the request, recorded as a finished job (so it counts
    toward the owner's rate); FormatError when the file does not parse. `visibility`, when
    given, is who may open the new debate, whatever the file says. `in_parts`: a debate for
    each unconnected part of the file (the job names the first), all or none."""
    import_start_check(owner=owner)
    document = _seen_by(
        formats.parse(text, format_name, merge_rephrases=merge_rephrases), visibility
    )
    pieces = split(document) if in_parts else [document]
    debates = [
        debate_import(owner=owner, document=piece, title=_part_title(title, index, len(pieces)))
        for index, piece in enumerate(pieces, start=1)
    ]
    # The import's checks warn on the document they check: each part's warnings.
    document.problems = [problem for piece in pieces for problem in piece.problems]
    job = ImportJob.objects.create(
        owner=owner,
        format=format_name,
        title=title,
        filename=filename[:255],
        visibility=visibility,
        merge_rephrases=merge_rephrases,
        status=ImportJob.Status.DONE,
        debate=debates[0],
        counts=document.counts(),
        warnings=document.problems,
        attempts=1,
    )
    return job, document, debates


def _part_title(title: str, index: int, parts: int) -> str | None:
    """The importer's title, numbered when the file goes in as several debates; None: the
    file's own (a part's: its thesis)."""
    if not title or parts == 1:
        return title or None
    return f"{title} ({index} of {parts})"


@transaction.atomic
def import_job_start(
    *,
    owner: User,
    text: str,
    format_name: str,
    title: str,
    filename: str,
    visibility: str = "",
    merge_rephrases: bool = False,
) -> ImportJob:
    """Record a job for an upload and put its task on the queue, in one transaction."""
    import_start_check(owner=owner)
    # Serialise the count below with other starts (PostgreSQL; SQLite has one writer).
    get_user_model().objects.select_for_update().filter(pk=owner.pk).first()
    running = ImportJob.objects.filter(status__in=OPEN)
    if running.filter(owner=owner).exists():
        raise RateLimited(
            "One of your imports is still running; wait for it to finish before starting another.",
            retry_after=BUSY_RETRY_SECONDS,
        )
    if running.count() >= RUNNING_JOBS_MAX:
        raise RateLimited(
            "The server is busy with other imports; please try again in a minute.",
            retry_after=BUSY_RETRY_SECONDS,
        )
    job = ImportJob.objects.create(
        owner=owner,
        format=format_name,
        title=title,
        filename=filename[:255],
        visibility=visibility,
        merge_rephrases=merge_rephrases,
        text=text,
    )
    import_job_task.enqueue(str(job.pk))
    return job


def _seen_by(document: DebateDocument, visibility: str) -> DebateDocument:
    """The document with the visibility the uploader chose, when they chose one."""
    if visibility:
        if visibility not in Debate.Visibility.values:
            raise ValueError(f"not a visibility: {visibility!r}")
        document.visibility = visibility
    return document


@task()
def import_job_task(job_id: str) -> str:
    """The queue's entry: run the job (exactly once, whatever the number of attempts), in
    its owner's language (their profile's, else the site's): the error and warnings it
    keeps are read on the job's page."""
    owner_id = ImportJob.objects.filter(pk=job_id).values_list("owner_id", flat=True).first()
    language = (selectors.member_language(owner_id) if owner_id else "") or settings.LANGUAGE_CODE
    with translation.override(language):
        return import_job_run(job_id).status


def import_job_run(job_id: UUID | str) -> ImportJob:
    """Run a job: import its file atomically and record the outcome on the job, once."""
    ImportJob.objects.filter(pk=job_id, status__in=OPEN).update(
        status=ImportJob.Status.RUNNING, attempts=F("attempts") + 1, updated_at=timezone.now()
    )
    progress = RowsWritten(job_id)
    try:
        with transaction.atomic():
            _lock(job_id)
            job = ImportJob.objects.get(pk=job_id)
            if job.is_finished:
                return job  # a second run of a finished job: it happened once
            try:
                document = _seen_by(
                    formats.parse(job.text, job.format, merge_rephrases=job.merge_rephrases),
                    job.visibility,
                )
                with transaction.atomic():
                    debate = debate_import(
                        owner=job.owner,
                        document=document,
                        title=job.title or None,
                        progress=progress,
                    )
                    # Already in the worker: the strengths commit with the import, so the
                    # job's "done" links to a debate whose first screen is ready (the
                    # task the import enqueued then finds them current).
                    store_strengths(debate)
            except FormatError as error:
                job.status = ImportJob.Status.FAILED
                job.error = _("%(format)s: %(problem)s") % {
                    "format": formats.LABELS[job.format],
                    "problem": error,
                }
            else:
                job.status, job.debate = ImportJob.Status.DONE, debate
                job.counts, job.warnings = document.counts(), document.problems
            job.text = ""  # done with: the debate (or the error) is what remains
            job.save()
    except (DatabaseError, OSError) as error:
        # A full disk, a read-only database, a lock held too long: the import rolled back,
        # and the job's page says why in one line. Anything else is the queue's to retry.
        message = fault_message(error, what=_("the import was not saved (nothing was written)"))
        if message is None:
            _stopped(job_id)
            raise
        _fail(job_id, message)
    except Exception:
        _stopped(job_id)
        raise  # the task is marked failed, with its traceback, in the queue's results
    finally:
        progress.close()
    return ImportJob.objects.get(pk=job_id)


def _lock(job_id: UUID | str) -> None:
    """Hold the job until this transaction ends, so a second run waits and then finds it
    finished. PostgreSQL: a transaction-scoped advisory lock (not the job's row, which the
    progress connection updates meanwhile); SQLite: the transaction's write lock already."""
    if connection.vendor == "postgresql":
        key = uuid.UUID(str(job_id)).int & ((1 << 63) - 1)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])


class RowsWritten:
    """`progress(done, total)` for an import that runs in one transaction, kept where every
    web worker reads it while the import's transaction is still open:

    - PostgreSQL: the job row's counters, written by a connection of their own in autocommit;
    - SQLite: it has one writer at a time (the import holds the lock), so not the database:
      a small file per job beside the database file (`progress_file`), which every process of
      the machine reads (an SQLite site runs on one machine);
    - else (an in-memory SQLite, no second PostgreSQL connection to spare): the shared cache.
    """

    def __init__(self, job_id: UUID | str) -> None:
        self.job_id = str(job_id)
        self._own: Any = None
        self._file = progress_file(job_id)
        if connection.vendor == "postgresql":
            try:
                self._own = connection.get_new_connection(connection.get_connection_params())
                self._own.autocommit = True
            except DatabaseError:
                self._own = None  # no second connection to spare: the shared cache

    def __call__(self, done: int, total: int) -> None:
        if self._own is not None:
            try:
                self._own.execute(
                    "UPDATE arguments_importjob SET rows_done = %s, rows_total = %s WHERE id = %s",
                    [done, total, self.job_id],
                )
            except Exception:  # psycopg's own errors: progress is never worth failing an import
                logger.warning("Import progress not recorded", exc_info=True)
        elif self._file is not None:
            try:
                self._file.parent.mkdir(exist_ok=True)
                # Written whole, then renamed over the last: a reader never sees half a line.
                part = self._file.with_suffix(".part")
                part.write_text(f"{done} {total}")
                os.replace(part, self._file)
            except OSError:  # a full disk: the import says so itself, if it fails for it
                logger.warning("Import progress not recorded", exc_info=True)
        else:
            cache.set(PROGRESS_KEY.format(self.job_id), (done, total), timeout=3600)

    def close(self) -> None:
        if self._own is not None:
            self._own.close()
        if self._file is not None:
            for path in (self._file, self._file.with_suffix(".part")):
                path.unlink(missing_ok=True)
        cache.delete(PROGRESS_KEY.format(self.job_id))


def progress_file(job_id: UUID | str) -> Path | None:
    """Where an import's progress is kept on SQLite: `<database>-import-progress/<job id>`
    beside the database file; None elsewhere (PostgreSQL, an in-memory SQLite)."""
    if connection.vendor != "sqlite":
        return None
    name = str(connection.settings_dict["NAME"])
    if not name or name.startswith(":memory:") or "mode=memory" in name:
        return None
    database = Path(name)
    return database.with_name(f"{database.name}-import-progress") / str(uuid.UUID(str(job_id)))


def _fail(job_id: UUID | str, message: str) -> None:
    # The database may not take even this line (a disk still full): the job then stays as
    # it was, and the worker's log has the cause.
    with contextlib.suppress(DatabaseError):
        ImportJob.objects.filter(pk=job_id).update(
            status=ImportJob.Status.FAILED, error=message, text="", updated_at=timezone.now()
        )
    path = progress_file(job_id)  # a killed worker's, when the queue gives up on it
    if path is not None:
        path.unlink(missing_ok=True)


def _stopped(job_id: UUID | str) -> None:
    close_lost_connections()  # a lost connection must not keep the job's page "running"
    _fail(job_id, "The import stopped on an error; nothing of it was written.")


def import_job_give_up(job_id: UUID | str, *, attempts: int) -> None:
    """The queue stops retrying a job that keeps killing its worker: say so on its page."""
    _fail(
        job_id,
        f"The import stopped {attempts} times without finishing (a worker ended each time); "
        "upload a smaller file or try again later.",
    )


def import_job_progress(job: ImportJob) -> tuple[int, int] | None:
    """(rows written, rows in all) while the job runs: from its row (PostgreSQL), from its
    progress file (SQLite), else from the shared cache."""
    if job.is_finished:
        return None
    if job.rows_total:
        return job.rows_done, job.rows_total
    path = progress_file(job.pk)
    if path is not None:
        try:
            done, total = (int(number) for number in path.read_text().split())
        except (OSError, ValueError):
            return None  # no row written yet: the page shows a busy bar
        return done, total
    return cache.get(PROGRESS_KEY.format(job.pk))
