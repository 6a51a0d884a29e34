"""The task worker: runs the background tasks (imports, LTI scores) and schedules the
periodic ones (digests, score and roster sync, clean-up). Run one or more per deployment
(docs/DEPLOY.md); `make run` starts one beside the development server."""

from __future__ import annotations

import logging
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError

from arguments.rules.faults import fault_message
from arguments.tasks.worker import QueueWorker, requeue_abandoned, run_all


class Command(BaseCommand):
    help = "Run background tasks from the database queue, and schedule the periodic ones."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--interval", type=float, default=1.0, help="seconds to wait when no task is ready"
        )
        parser.add_argument("--batch", action="store_true", help="run what is ready now, then exit")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["verbosity"] > 0:
            for name in ("arguments.tasks", "django_tasks_db", "django.tasks"):
                logger = logging.getLogger(name)
                logger.setLevel(logging.INFO)
        if options["batch"]:
            try:
                requeue_abandoned()
                ran = run_all(worker="batch", limit=10_000)
            except DatabaseError as error:  # a full disk, a read-only database: one line
                message = fault_message(error, what="no task could be started")
                if message is None:
                    raise
                raise CommandError(message) from None
            self.stdout.write(f"ran {ran} tasks")
            return
        worker = QueueWorker(interval=options["interval"])
        worker.configure_signals()
        worker.run()
