from __future__ import annotations

import weakref
from typing import TYPE_CHECKING, Any

from django.apps import AppConfig
from django.contrib.auth import get_user_model
from django.db.backends.signals import connection_created
from django.db.models.signals import post_migrate, pre_delete, pre_migrate

from arguments import caches

if TYPE_CHECKING:
    from django.contrib.auth.models import User

# Django's own store, configured in debate/settings.py.
caches.register(
    "sessions",
    kept=caches.Kept.SHARED,
    key="the session's key, with Redis only (`cached_db`; else the database alone)",
    stale="never: every change is written through to the database; it ends with the session",
)


class ArgumentsConfig(AppConfig):
    name = "arguments"

    def ready(self) -> None:
        # The models are not loaded yet when Django imports this module.
        from arguments.models import Annotation, Citation, Claim, Debate, Relation  # noqa: PLC0415
        from arguments.services import guards  # noqa: PLC0415
        from arguments.services.accounts import account_leave  # noqa: PLC0415
        from arguments.views.language import connect_signals  # noqa: PLC0415
        from arguments.views.member_pages import (  # noqa: PLC0415
            install_write_count,
            pause_write_count,
            resume_write_count,
        )

        connect_signals()  # a member's profile language, brought back when they sign in
        # Every connection counts its writes: a member's kept page is keyed by the count.
        connection_created.connect(
            install_write_count, dispatch_uid="arguments.install_write_count"
        )
        pre_migrate.connect(pause_write_count, dispatch_uid="arguments.pause_write_count")
        post_migrate.connect(resume_write_count, dispatch_uid="arguments.resume_write_count")

        def forget_votes(sender: type[User], instance: User, **kwargs: object) -> None:
            # However an account is deleted (the admin, a shell, a bulk delete), its votes
            # leave with their tallies fixed, and the debates showing its name move on, in
            # the same transaction.
            account_leave(instance)

        pre_delete.connect(
            forget_votes, sender=get_user_model(), dispatch_uid="arguments.forget_votes"
        )

        # The debates already moved for a delete under way, by the object it began at (a
        # bulk delete of 20,000 relations moves its debate once, not once per row).
        moved: weakref.WeakKeyDictionary[object, set[int]] = weakref.WeakKeyDictionary()

        def deleted_from_tree(
            sender: type, instance: Claim | Relation | Citation | Annotation, **kwargs: Any
        ) -> None:
            # However a claim, relation, citation or note is deleted (a shell; the admin
            # deletes none), its debate changed in a way no write named (a deleted citation
            # or note leaves no row to find its adder or author by: the activity counts read
            # every participant again): unless the debate, or the claim, itself goes.
            origin = kwargs.get("origin")
            model = getattr(origin, "model", type(origin))
            if isinstance(model, type) and issubclass(model, Debate):
                return
            if isinstance(instance, Citation | Annotation):
                if isinstance(model, type) and issubclass(model, Claim):
                    return  # the claim's own deletion moves its debate
                debate_id = Claim.objects.filter(pk=instance.claim_id).values_list(
                    "debate_id", flat=True
                )[0]
            else:
                debate_id = instance.debate_id
            try:
                done = moved.setdefault(origin, set())
            except TypeError:  # an origin that takes no weak reference: move it every time
                done = set()
            if debate_id not in done:
                done.add(debate_id)
                guards.deleted_from_tree(debate_id)

        for model in (Claim, Relation, Citation, Annotation):
            pre_delete.connect(
                deleted_from_tree,
                sender=model,
                dispatch_uid=f"arguments.deleted_from_tree.{model.__name__}",
            )
