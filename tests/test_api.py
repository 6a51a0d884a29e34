"""The JSON API (issue 32): tokens, the reading lens, ETags, problems, rate limits, writes."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from arguments import services
from arguments.models import AccessToken, Annotation, Debate, Vote
from arguments.rules import limits

pytestmark = pytest.mark.django_db

API = "/api/v1"


def token_for(user, scope: str = "read") -> str:
    _token, secret = services.token_create(actor=user, name="script", scope=scope)
    return secret


def get(client: Client, path: str, secret: str | None = None, **headers: str):
    if secret:
        headers["Authorization"] = f"Bearer {secret}"
    return client.get(API + path, headers=headers)


def test_a_visitor_reads_a_public_debate_without_a_key(client, debate, pro, con):
    answer = get(client, f"/debates/{debate.slug}")
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert body["stats"]["claims"] == 3
    assert body["role"] is None
    assert [t["text"] for t in body["theses"]] == [
        "Developers should release model weights openly."
    ]
    listed = get(client, "/debates").json()
    assert [d["slug"] for d in listed["items"]] == [debate.slug]


def test_the_schema_and_the_docs_are_served(client):
    schema = client.get(f"{API}/openapi.json")
    assert schema.status_code == 200
    assert schema.json()["openapi"].startswith("3.1")
    docs = client.get(f"{API}/docs")
    assert docs.status_code == 200
    assert b"swagger-ui-bundle.js" in docs.content
    assert b"cdn." not in docs.content
