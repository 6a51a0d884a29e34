"""/healthz and /readyz (issue 31, item 5): what a load balancer and an orchestrator ask."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

import pytest
from django.db import OperationalError
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from arguments.services import import_jobs

pytestmark = pytest.mark.django_db


def test_healthz_says_the_database_answers(client, django_assert_num_queries):
    with django_assert_num_queries(1):
        answer = client.get("/healthz")
    assert answer.status_code == 200 and answer.json() == {"database": True}
    assert not answer.cookies and "no-cache" in answer["Cache-Control"]


def test_readyz_also_reads_the_queue(client, cast, django_assert_num_queries):
    import_jobs.import_job_start(
        owner=cast.stranger, text="x", format_name="kialo", title="", filename="f.txt"
    )
    DBTaskResult.objects.update(enqueued_at=timezone.now() - timedelta(seconds=90))
    with django_assert_num_queries(2):
        answer = client.get("/readyz")
    body = answer.json()
    assert answer.status_code == 200 and body["database"] is True
    assert body["queue"]["ready"] == 1 and 89 <= body["queue"]["oldest_ready_seconds"] < 120
    assert body["redis"] is None  # no Redis configured in the tests


@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
def test_a_database_that_does_not_answer_is_a_503(client, path):
    with mock.patch(
        "arguments.selectors.database_answers", side_effect=OperationalError("server closed")
    ):
        answer = client.get(path)
    assert answer.status_code == 503 and answer.json()["database"] is False
