from __future__ import annotations

from typing import TYPE_CHECKING

from django.apps import AppConfig
from django.contrib.auth import get_user_model
from django.db.models.signals import pre_delete

if TYPE_CHECKING:
    from django.contrib.auth.models import User


class ArgumentsConfig(AppConfig):
    name = "arguments"

    def ready(self) -> None:
        # The models are not loaded yet when Django imports this module.
        from arguments.services.votes import votes_forget  # noqa: PLC0415

        def forget_votes(sender: type[User], instance: User, **kwargs: object) -> None:
            # However an account is deleted (the admin, a shell, a bulk delete), its votes
            # leave with their tallies fixed in the same transaction.
            votes_forget(instance)

        pre_delete.connect(
            forget_votes, sender=get_user_model(), dispatch_uid="arguments.forget_votes"
        )
