"""Fetch the rosters of the courses that link a debate (LTI Names and Role Provisioning) and
make their members participants, in the name of one of the debate's managers."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from arguments import selectors
from arguments.services.lti import lti_tool_key_ensure
from arguments.services.roster import course_roster_fetch


class Command(BaseCommand):
    help = "Make the members of the courses that link a debate its participants."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("debate", help="The debate's slug.")
        parser.add_argument(
            "--by",
            required=True,
            help="Username of an owner or moderator of the debate, who vouches for the courses.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        debate = selectors.debate_by_slug(options["debate"])
        if debate is None:
            raise CommandError(f"No debate {options['debate']!r}.")
        actor = get_user_model().objects.filter(username=options["by"]).first()
        if actor is None:
            raise CommandError(f"No user {options['by']!r}.")
        lti_tool_key_ensure()  # the token request is signed with our key
        activities = list(debate.course_activities.select_related("resource_link__context"))
        if not activities:
            raise CommandError("No course links this debate yet (launch it once from the LMS).")
        failed = False
        for activity in activities:
            try:
                summary = course_roster_fetch(actor=actor, activity=activity)
            except PermissionDenied as error:
                raise CommandError(
                    f"{options['by']} may not manage this debate's members."
                ) from error
            except ValidationError as error:
                failed = True
                self.stderr.write(f"{activity}: {' '.join(error.messages)}")
                continue
            self.stdout.write(
                f"{activity}: {summary.members} members, {summary.added} new, "
                f"{summary.skipped} skipped, {summary.removed} removed (left the course)"
            )
        if failed:
            raise CommandError("Some rosters could not be fetched.")
