"""Errors as RFC 9457 problem details (`application/problem+json`): every refusal the API
makes, in one shape, with the same plain words the site uses."""

from __future__ import annotations

import json
from http import HTTPStatus
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Schema

PROBLEM_TYPE = "application/problem+json"
# The statuses an operation may answer with a problem, as its OpenAPI description says.
READ_PROBLEMS = (400, 401, 404, 422, 429)


class Problem(Schema):
    """RFC 9457 problem details."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    instance: str | None = None
    # For 422s: which field was wrong and why (as Pydantic or the service said).
    errors: list[dict[str, Any]] | None = None


def problem(
    request: HttpRequest,
    status: int,
    detail: str,
    *,
    errors: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
) -> HttpResponse:
    """A problem answer: its title is the status's name, its detail the reason in words."""
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "instance": request.path,
    }
    if errors is not None:
        body["errors"] = errors
    response = HttpResponse(
        json.dumps(body, ensure_ascii=False, default=str),
        status=status,
        content_type=PROBLEM_TYPE,
    )
    for name, value in (headers or {}).items():
        response[name] = value
    return response
