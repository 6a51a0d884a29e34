"""The API's first version, served under /api/v1/: its operations, its OpenAPI 3.1 document
(/api/v1/openapi.json), browsable docs (/api/v1/docs, Swagger UI from ninja's own static
files: nothing from another site, under our strict CSP), ETags, and errors as problems."""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import BadRequest, PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotModified
from django.utils.cache import get_conditional_response, patch_vary_headers, set_response_etag
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as SchemaError

from arguments.api import reads, snapshots, writes
from arguments.api.problems import PROBLEM_TYPE, problem
from arguments.rules.limits import RateLimited

logger = logging.getLogger(__name__)


class DebateApi(NinjaAPI):
    """Every answer carries an ETag (a hash of its body) and `Vary: Authorization`; a GET
    whose `If-None-Match` names it is answered 304 without the body."""

    def create_response(
        self,
        request: HttpRequest,
        data: Any,
        *,
        status: int | None = None,
        temporal_response: HttpResponse | None = None,
    ) -> HttpResponse:
        response = super().create_response(
            request, data, status=status, temporal_response=temporal_response
        )
        return conditional(request, response)

    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> Any:
        """Refusals are documented as `application/problem+json`, as they are sent."""
        schema = super().get_openapi_schema(*args, **kwargs)
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                for status, answer in operation.get("responses", {}).items():
                    if int(status) >= 400 and "content" in answer:
                        answer["content"] = {PROBLEM_TYPE: answer["content"]["application/json"]}
                    if int(status) == 304:
                        answer["description"] = "Not modified (the ETag in If-None-Match)"
        return schema


def conditional(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    patch_vary_headers(response, ["Authorization"])
    # Revalidated on every use: a vote or a new claim changes the answer at once.
    response["Cache-Control"] = (
        "private, no-cache" if "Authorization" in request.headers else "no-cache"
    )
    if request.method not in ("GET", "HEAD") or response.status_code != 200:
        return response
    set_response_etag(response)
    answer = get_conditional_response(request, etag=response["ETag"], response=response)
    assert answer is not None  # given a response, it answers one
    if isinstance(answer, HttpResponseNotModified):
        answer["Cache-Control"] = response["Cache-Control"]
        patch_vary_headers(answer, ["Authorization"])
    return answer


api = DebateApi(
    title="Debate map API",
    version="1",
    description=(
        "The debates as data, read exactly as the same reader sees them on the site. "
        "Visitors read public debates without a key; a personal access token (made on your "
        "profile page) reads what you see, and with the write scope votes and writes notes. "
        "See docs/API.md."
    ),
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
)
api.add_router("/", reads.router)
api.add_router("/", writes.router)
api.add_router("/", snapshots.router)


def _handles(kind: type[Exception], status: int) -> None:
    def handler(request: HttpRequest, error: Exception | type[Exception]) -> HttpResponse:
        messages = getattr(error, "messages", None)
        detail = " ".join(messages) if messages else str(error) or "Refused."
        return conditional(request, problem(request, status, detail))

    api.add_exception_handler(kind, handler)


_handles(Http404, 404)
_handles(PermissionDenied, 403)
_handles(BadRequest, 400)


@api.exception_handler(ValidationError)
def _refused(request: HttpRequest, error: ValidationError) -> HttpResponse:
    """A service's refusal of the input or of a stale state: a 422 saying why."""
    errors = (
        [{"field": field, "messages": words} for field, words in error.message_dict.items()]
        if hasattr(error, "error_dict")
        else None
    )
    return conditional(request, problem(request, 422, " ".join(error.messages), errors=errors))


@api.exception_handler(SchemaError)
def _malformed(request: HttpRequest, error: SchemaError) -> HttpResponse:
    """A request that does not fit the schema: 422, each wrong field named."""
    errors = [
        {"loc": [str(part) for part in e.get("loc", ())], "msg": str(e.get("msg", ""))}
        for e in error.errors
    ]
    return conditional(
        request, problem(request, 422, "The request does not fit the schema.", errors=errors)
    )


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, error: AuthenticationError) -> HttpResponse:
    detail = (
        error.message if error.message != "Unauthorized" else "Send a token with the write scope."
    )
    answer = problem(request, 401, detail, headers={"WWW-Authenticate": 'Bearer realm="api"'})
    return conditional(request, answer)


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, error: HttpError) -> HttpResponse:
    return conditional(request, problem(request, error.status_code, str(error.message)))


@api.exception_handler(RateLimited)
def _too_many(request: HttpRequest, error: RateLimited) -> HttpResponse:
    answer = problem(request, 429, error.message, headers={"Retry-After": str(error.retry_after)})
    return conditional(request, answer)
