"""Import a debate from a Kialo, Argdown, AIF or JSON file; the new slug is the last line."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path
from typing import Any, TextIO

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError
from tqdm import tqdm

from arguments import formats, services
from arguments.formats.document import FormatError
from arguments.rules.faults import fault_message
from arguments.services.interchange import Progress

# Below this many rows an import is over before a bar would be worth drawing.
BAR_FROM_ROWS = 2000


class Command(BaseCommand):
    help = (
        "Import a debate from a file (Kialo .txt, Argdown, AIF JSON or this site's JSON). "
        "Prints a summary, then the new debate's slug as the last line."
    )
    # A data command, run by scripts and cron: the system checks (URLs, admin, the API's
    # schema) cost about 0.6 s of CPU at every start and check nothing it uses.
    # `manage.py check`, CI and every server start still run them.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="the file to read, or - for standard input")
        parser.add_argument(
            "--format",
            choices=sorted(formats.FORMATS),
            help="the file's format; detected from its content and name when left out",
        )
        parser.add_argument(
            "--owner",
            metavar="USERNAME",
            help="who owns the new debate and authors its claims (default: the first superuser)",
        )
        parser.add_argument("--title", help="the debate's question, instead of the file's")
        parser.add_argument(
            "--keep-authors",
            action="store_true",
            help="restoring a backup (the owner must be staff): credit claims and annotations "
            "to the existing users the file names; anyone else's become the owner's",
        )
        parser.add_argument(
            "--merge-rephrases",
            action="store_true",
            help="AIF: make the two wordings of each rephrase (MA node) one claim where no "
            "support or attack is lost, instead of a rephrase relation between two claims",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = options["path"]
        text = self._read(path)
        format_name = options["format"] or formats.detect(text, path)
        if format_name is None:
            raise CommandError(
                f"{path}: cannot tell the format; pass --format kialo, argdown, aif or json."
            )
        owner = self._owner(options["owner"])
        try:
            document = formats.parse(text, format_name, merge_rephrases=options["merge_rephrases"])
            debate = services.debate_import(
                owner=owner,
                document=document,
                title=options["title"],
                keep_authors=options["keep_authors"],
                progress=self._progress_bar(),
            )
        except FormatError as error:
            raise CommandError(f"{path} ({formats.LABELS[format_name]}): {error}") from None
        except PermissionDenied as error:
            raise CommandError(str(error)) from None
        except (DatabaseError, OSError) as error:
            # A full disk, a read-only database, a lock held too long: one line, no
            # traceback; the import's transaction rolled back, so nothing of it remains.
            message = fault_message(error, what="the import was not saved (nothing was written)")
            if message is None:
                raise
            raise CommandError(message) from None
        for problem in document.problems:
            self.stderr.write(f"warning: {problem}", style_func=self.style.WARNING)
        counts = document.counts()
        self.stdout.write(
            f"imported {formats.LABELS[format_name]} as {debate.title!r}: "
            + ", ".join(f"{n} {name.replace('_', ' ')}" for name, n in counts.items())
        )
        self.stdout.write(debate.slug)

    def _read(self, path: str) -> str:
        try:
            if path == "-":
                return sys.stdin.buffer.read().decode("utf-8-sig")
            return Path(path).read_bytes().decode("utf-8-sig")
        except OSError as error:
            raise CommandError(f"{path}: {error.strerror}") from None
        except UnicodeDecodeError:
            raise CommandError(f"{path}: not UTF-8 text") from None

    def _owner(self, username: str | None) -> Any:
        users = get_user_model().objects
        if username:
            owner = users.filter(username=username).first()
            if owner is None:
                raise CommandError(f"no user named {username!r}")
            return owner
        owner = users.filter(is_superuser=True, is_active=True).order_by("pk").first()
        if owner is None:
            raise CommandError(
                "no --owner given and no superuser exists: pass --owner USERNAME "
                "or create one with createsuperuser"
            )
        return owner

    def _progress_bar(self) -> Progress | None:
        """A bar on a terminal (stderr, so the slug can still be piped), for large files.

        Off a terminal nothing is drawn, so a script reading the output sees only the summary,
        the warnings and the slug.
        """
        if not self.stderr.isatty():
            return None
        bar: tqdm | None = None

        def draw(done: int, total: int) -> None:
            nonlocal bar
            if total < BAR_FROM_ROWS:
                return
            if bar is None:
                # The wrapper's stream itself: OutputWrapper would end every write with a
                # newline, and a bar redraws its line with a carriage return.
                # A terminal that reports no size (a pseudo-terminal without one) would get no
                # bar from tqdm; shutil falls back to 80 by 24.
                size = shutil.get_terminal_size()
                # django-stubs types OutputWrapper's unknown attributes as callables.
                stream: TextIO = self.stderr._out  # type: ignore[assignment]
                bar = tqdm(
                    total=total,
                    file=stream,
                    unit=" rows",
                    desc="importing",
                    ncols=size.columns,
                    nrows=size.lines,
                )
            bar.update(done - bar.n)
            if done >= total:
                bar.close()

        return draw
