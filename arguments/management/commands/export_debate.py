"""Export a debate as Kialo, Argdown, AIF or JSON, to standard output or a file."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError

from arguments import formats
from arguments.models import Debate
from arguments.reading.export import document_from_debate
from arguments.reading.lens import Lens
from arguments.rules.faults import fault_message


class Command(BaseCommand):
    help = (
        "Export a debate. JSON holds everything (hidden claims, private annotations: the "
        "backup); the other formats hold what any reader sees."
    )
    # A data command, run by scripts and cron: the system checks (URLs, admin, the API's
    # schema) cost about 0.6 s of CPU at every start and check nothing it uses.
    # `manage.py check`, CI and every server start still run them.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug", help="the debate's slug, as in /d/<slug>/")
        parser.add_argument(
            "--format",
            choices=sorted(formats.FORMATS),
            required=True,
            help="kialo (.txt, current generation), argdown, aif (classic AIF JSON) or json",
        )
        parser.add_argument("-o", "--output", metavar="PATH", help="write here, not to stdout")
        parser.add_argument(
            "--public",
            action="store_true",
            help="JSON too holds only what any reader sees (for publishing a data set)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            self._export(options)
        except DatabaseError as error:
            # A read-only or busy database, a full disk: one line, no traceback.
            message = fault_message(error, what="the debate was not exported")
            if message is None:
                raise
            raise CommandError(message) from None

    def _export(self, options: dict[str, Any]) -> None:
        debate = Debate.objects.filter(slug=options["slug"]).first()
        if debate is None:
            raise CommandError(f"no debate with the slug {options['slug']!r}")
        format_name = options["format"]
        # Every format but a JSON backup holds what any visitor sees.
        everything = format_name == "json" and not options["public"]
        document = document_from_debate(
            debate,
            seen_by=None if everything else Lens.visitor(debate),
            parts=formats.WRITES[format_name],
        )
        parts = formats.render_parts(document, format_name)
        if not options["output"]:
            for part in parts:
                self.stdout.write(part, ending="")
            return
        # Written beside the output and put in its place once whole: the file is written as
        # it is rendered, so a failure half-way (a full disk) must leave no half a backup,
        # and an earlier file of that name as it was.
        output = Path(options["output"])
        unfinished = output.with_name(f".{output.name}.{os.getpid()}.part")
        try:
            with unfinished.open("x", encoding="utf-8") as file:
                file.writelines(parts)
            unfinished.replace(output)
        except OSError as error:
            unfinished.unlink(missing_ok=True)
            message = fault_message(error, what=f"{options['output']} was not written")
            raise CommandError(message or f"{options['output']}: {error.strerror}") from None
        except BaseException:
            unfinished.unlink(missing_ok=True)
            raise
        self.stdout.write(f"wrote {len(document.claims)} claims to {options['output']}")
