"""Send learners' participation scores to the LMS gradebooks that link a debate as graded
(LTI Assignment and Grade Services). Run it from cron every few minutes; see
arguments.services.grades for what is sent and how failures are retried."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from arguments import selectors
from arguments.services.grades import scores_send
from arguments.services.lti import lti_tool_key_ensure


class Command(BaseCommand):
    help = "Post changed participation scores to LMS line items (--resend: all of them)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--debate", help="Only this debate (its slug).")
        parser.add_argument(
            "--resend",
            action="store_true",
            help="Send every score again, changed or not, failing or waiting to retry.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        debate = None
        if options["debate"]:
            debate = selectors.debate_by_slug(options["debate"])
            if debate is None:
                raise CommandError(f"No debate {options['debate']!r}.")
        lti_tool_key_ensure()  # the token request is signed with our key
        summary = scores_send(debate=debate, resend=options["resend"])
        for error in summary.errors:
            self.stderr.write(error)
        self.stdout.write(
            f"sent {summary.sent}; unchanged {summary.unchanged}; failed {summary.failed}"
        )
