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
