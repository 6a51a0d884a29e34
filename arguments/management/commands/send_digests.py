"""E-mail notification digests to the readers who are due one (run it from a scheduler, every
few minutes: "immediately" means at the next run). Safe to run twice."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from arguments.live.digests import send_digests


class Command(BaseCommand):
    help = "E-mail notification digests to readers who are due one (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        sent = send_digests()
        self.stdout.write(f"{sent.readers} digests sent, {sent.notices} notifications in them")
        if sent.failed:  # the others went out; these wait for the next run
            self.stderr.write(f"{sent.failed} digests could not be sent (see the log)")
