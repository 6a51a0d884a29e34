"""Rotate the LTI tool's signing keys: a new key signs from now on; old ones stay in the
JWKS for a grace period (platforms cache it), then leave it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone
from lti_tool.models import Key


class Command(BaseCommand):
    help = "Create a new LTI signing key and retire keys older than --retire-after days."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--retire-after",
            type=int,
            default=7,
            help="Days an old key stays published after a newer one exists (default 7).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        days = options["retire_after"]
        if days < 0:
            raise CommandError("--retire-after must be 0 or more days.")
        cutoff = timezone.now() - timedelta(days=days)
        with transaction.atomic():
            key = Key.objects.generate()
            retired = (
                Key.objects.active()
                .exclude(pk=key.pk)
                .filter(datetime_created__lt=cutoff)
                .update(is_active=False)
            )
        active = Key.objects.active().count()
        self.stdout.write(f"new key {key}; retired {retired}; {active} active")
