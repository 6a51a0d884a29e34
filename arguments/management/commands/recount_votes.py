"""Recompute every point's vote tally from the vote rows."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from arguments.services import votes_recount


class Command(BaseCommand):
    help = "Recompute vote aggregates from the votes; last line: checked N points, fixed M."

    def handle(self, *args: Any, **options: Any) -> None:
        checked, fixed = votes_recount()
        self.stdout.write(f"checked {checked} points, fixed {fixed}")
