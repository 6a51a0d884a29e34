"""Factories for every model (factory-boy). Build what a test needs and nothing more."""

from __future__ import annotations

import factory
from django.contrib.auth import get_user_model

from arguments.models import (
    Annotation,
    Citation,
    Claim,
    Debate,
    Flag,
    Membership,
    Relation,
    Role,
    Source,
    Stance,
    Vote,
)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password("correct horse battery staple")


class DebateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Debate

    slug = factory.Sequence(lambda n: f"debate-{n}")
    title = factory.Sequence(lambda n: f"Should we decide question {n}?")
    owner = factory.SubFactory(UserFactory)


class ClaimFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Claim

    debate = factory.SubFactory(DebateFactory)
    text = factory.Sequence(lambda n: f"Claim number {n} holds.")
    author = factory.SubFactory(UserFactory)


class ThesisFactory(ClaimFactory):
    is_thesis = True


class RelationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Relation

    parent = factory.SubFactory(ThesisFactory)
    debate = factory.SelfAttribute("parent.debate")
    child = factory.SubFactory(ClaimFactory, debate=factory.SelfAttribute("..parent.debate"))
    stance = Stance.PRO
    position = factory.Sequence(int)


class SourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Source

    url = factory.Sequence(lambda n: f"https://example.org/doc/{n}")
    title = factory.Sequence(lambda n: f"Document {n}")
    kind = Source.Kind.ARTICLE


class CitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Citation

    claim = factory.SubFactory(ClaimFactory)
    source = factory.SubFactory(SourceFactory)
    quote = "A quoted line."


class VoteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Vote

    user = factory.SubFactory(UserFactory)
    relation = factory.SubFactory(RelationFactory)
    value = 2


class AnnotationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Annotation

    claim = factory.SubFactory(ClaimFactory)
    author = factory.SubFactory(UserFactory)
    body = "A note."


class FlagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Flag

    reporter = factory.SubFactory(UserFactory)
    claim = factory.SubFactory(ClaimFactory)
    reason = Flag.Reason.UNCLEAR


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    debate = factory.SubFactory(DebateFactory)
    user = factory.SubFactory(UserFactory)
    role = Role.WRITER
