"""Load the open-weight AI debates (idempotent: a debate that exists is left as it is)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.text import slugify

from arguments import services
from arguments.demo.debates import DEBATES, SOURCES
from arguments.models import Claim, Debate, Source, Tag

DEMO_USERS = ("ada", "ben", "chen")
CROWD = ("dee", "eli", "fay", "gus", "hal")  # demo voters only: where a room splits


class Command(BaseCommand):
    help = "Load the demo debates about open-weight AI models (safe to run again)."

    def handle(self, *args: Any, **options: Any) -> None:
        with transaction.atomic():
            users = self._users(DEMO_USERS)
            crowd = self._users(CROWD)
            self._sources()
            for spec in DEBATES:
                debate = Debate.objects.filter(slug=spec["slug"]).first()
                if debate is not None:
                    self.stdout.write(f"kept {spec['slug']} (already there)")
                else:
                    debate = self._debate(spec, users, crowd)
                    count = debate.claims.count()
                    self.stdout.write(f"seeded {debate.slug}: {count} claims")
                self._explore(debate, spec)

    def _explore(self, debate: Debate, spec: dict[str, Any]) -> None:
        """Explore's part, given to a debate kept from an earlier seed too: its tags and
        whether staff feature it."""
        debate.tags.set(
            Tag.objects.get_or_create(slug=slugify(name), defaults={"name": name})[0]
            for name in spec.get("tags", [])
        )
        if spec.get("featured") and not debate.featured:
            Debate.objects.filter(pk=debate.pk).update(featured=True)

    def _users(self, names: tuple[str, ...]) -> dict[str, Any]:
        User = get_user_model()
        users = {}
        for name in names:
            user, created = User.objects.get_or_create(
                username=name, defaults={"email": f"{name}@example.org"}
            )
            if created:
                user.set_unusable_password()
                user.save(update_fields=["password"])
            users[name] = user
        return users

    def _sources(self) -> None:
        for spec in SOURCES.values():
            Source.objects.get_or_create(
                url=services.normalize_url(spec["url"]),
                defaults={
                    "title": spec["title"],
                    "author": spec.get("author", ""),
                    "publisher": spec.get("publisher", ""),
                    "published": date.fromisoformat(spec["published"])
                    if spec.get("published")
                    else None,
                    "kind": spec.get("kind", Source.Kind.OTHER),
                },
            )

    def _debate(self, spec: dict[str, Any], users: dict[str, Any], crowd: dict[str, Any]) -> Debate:
        owner = users[spec["author"]]
        first = spec["theses"][0]
        debate = services.debate_create(
            owner=owner,
            title=spec["title"],
            thesis=first["text"],
            description=spec.get("description", ""),
            slug=spec["slug"],
            visibility=Debate.Visibility.PUBLIC,  # the demo is there to be found
            language=spec.get("language", ""),  # the French debate says so; else the site's
        )
        keys: dict[str, Claim] = {}
        thesis = debate.claims.get(is_thesis=True)
        for index, thesis_spec in enumerate(spec["theses"]):
            if index:
                thesis = services.thesis_add(actor=owner, debate=debate, text=thesis_spec["text"])
            keys[thesis_spec["key"]] = thesis
            self._cite(thesis, thesis_spec, users)
            self._children(thesis, thesis_spec.get("children", []), keys, users)
        self._votes(debate, users)
        for key, values in spec.get("divided", {}).items():
            claim = keys[key]
            point = claim if claim.is_thesis else claim.parent_relations.originals().get()
            for user, value in zip(crowd.values(), values, strict=True):
                services.vote_cast(user=user, point=point, value=value)
        for link in spec.get("links", []):
            services.claim_link(
                actor=owner, claim=keys[link["claim"]], parent=keys[link["parent"]],
                stance=link["stance"],
            )  # fmt: skip
        return debate

    def _votes(self, debate: Debate, users: dict[str, Any]) -> None:
        """A few demo votes, so strength and distributions show something from the start.

        Deterministic (from the claim's text), so every fresh seed looks the same."""
        for claim in debate.claims.order_by("id"):
            point = claim if claim.is_thesis else claim.parent_relations.originals().get()
            for offset, user in enumerate(users.values()):
                value = (sum(map(ord, claim.text)) + 2 * offset) % 5
                if value:  # leave some points with fewer votes
                    services.vote_cast(user=user, point=point, value=value)

    def _children(
        self,
        parent: Claim,
        specs: list[dict[str, Any]],
        keys: dict[str, Claim],
        users: dict[str, Any],
    ) -> None:
        # Breadth of the seed is small (tens of claims), so plain recursion is fine here.
        for spec in specs:
            claim = services.claim_add(
                actor=users[spec["author"]],
                parent=parent,
                stance=spec["stance"],
                text=spec["text"],
                elaboration=spec.get("elaboration", ""),
            )
            keys[spec["key"]] = claim
            self._cite(claim, spec, users)
            self._children(claim, spec.get("children", []), keys, users)

    def _cite(self, claim: Claim, spec: dict[str, Any], users: dict[str, Any]) -> None:
        for cite in spec.get("cite", []):
            source = SOURCES[cite["source"]]
            services.source_cite(
                actor=users[spec.get("author", "ada")],
                claim=claim,
                url=source["url"],
                title=source["title"],
                quote=cite.get("quote", ""),
                locator=cite.get("locator", ""),
            )
