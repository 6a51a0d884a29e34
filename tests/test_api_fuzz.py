"""The API fuzzed (issue 32): schemathesis generates requests from /api/v1/openapi.json and
sends them to a live server over a seeded database, as a visitor and with a writer's token
(write scope), with a frozen version of the debate. No request may get a 5xx, and every
answer (problems included) must match the schema: its status, its content type, its headers
and its body.

Generated path parameters point half the time at the seeded debate and its claims, so the
requests reach real data (a random slug alone would only ever meet 404s). Its cost is bounded
by a fixed number of examples per operation and kind of data, not by a clock: a wall-clock
assertion failed it on a loaded machine (224 s, load 10) without any defect."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from arguments import services
from arguments.models import Debate, Role, Stance
from arguments.services.snapshots import debate_freeze
from tests.factories import MembershipFactory, UserFactory

pytestmark = [pytest.mark.fuzz, pytest.mark.django_db(transaction=True)]

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
EXAMPLES = {GenerationMode.POSITIVE: 12, GenerationMode.NEGATIVE: 6}


def seed() -> tuple[Debate, list[int], str]:
    """A public debate with pros, cons, a pending and a hidden claim, votes and a note; and
    a writer's token."""
    owner, writer = UserFactory(username="fuzz-owner"), UserFactory(username="fuzz-writer")
    debate = services.debate_create(
        owner=owner,
        title="Is fuzzing worth it?",
        thesis="Fuzzing finds bugs tests miss.",
        visibility=Debate.Visibility.PUBLIC,
        slug="fuzz",
    )
    MembershipFactory(debate=debate, user=writer, role=Role.WRITER)
    thesis = debate.claims.get()
    pro = services.claim_add(actor=writer, parent=thesis, stance=Stance.PRO, text="It did.")
    con = services.claim_add(actor=writer, parent=thesis, stance=Stance.CON, text="Slow.")
    hidden = services.claim_add(actor=writer, parent=pro, stance=Stance.CON, text="Hide.")
    services.claim_hide(actor=owner, claim=hidden)
    services.vote_cast(user=writer, point=thesis, value=3)
    services.annotation_add(actor=writer, claim=con, body="How slow?")
    ids = [thesis.pk, pro.pk, con.pk, hidden.pk]
    debate_freeze(actor=owner, debate=debate, note="fuzzed")  # version 1, for its routes
    _token, secret = services.token_create(actor=writer, name="fuzz", scope="write")
    return debate, ids, secret


def test_no_generated_request_gets_a_5xx_and_every_answer_fits_the_schema(live_server) -> None:
    debate, ids, secret = seed()
    schema = schemathesis.openapi.from_url(f"{live_server.url}/api/v1/openapi.json")
    readers = [{}, {"Authorization": f"Bearer {secret}"}]
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 10

    for operation in operations:
        for mode, examples in EXAMPLES.items():
            cases = operation.as_strategy(generation_mode=mode)

            @given(case=cases, real=st.booleans(), claim=st.sampled_from(ids))
            @settings(
                max_examples=examples,
                deadline=None,
                database=None,
                phases=[Phase.explicit, Phase.generate],
                suppress_health_check=list(HealthCheck),
            )
            def fuzz(case, real: bool, claim: int) -> None:
                if real and case.path_parameters is not None:
                    if "slug" in case.path_parameters:
                        case.path_parameters["slug"] = debate.slug
                    if "claim_id" in case.path_parameters:
                        case.path_parameters["claim_id"] = claim
                    if "number" in case.path_parameters:
                        case.path_parameters["number"] = 1
                    if isinstance(case.body, dict) and "relation_id" in case.body:
                        case.body["relation_id"] = None  # the claim's own place
                # As generated (a made-up token among them), then as a visitor and a writer.
                case.call_and_validate(checks=CHECKS)
                if case.headers:
                    case.headers.pop("Authorization", None)
                for headers in readers:
                    case.call_and_validate(headers=headers, checks=CHECKS)

            fuzz()
