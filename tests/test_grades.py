"""Participation points and scores (LTI grades): what counts, by each formula."""

from __future__ import annotations

import pytest

from arguments import services
from arguments.models import Debate, GradeFormula, Stance
from arguments.services.grades import Participation, participation_by_user, score_of

pytestmark = pytest.mark.django_db


def test_only_published_work_in_this_debate_counts(cast, debate, thesis, pro):
    writer = cast.writer  # wrote `pro`
    mine = services.claim_add(actor=writer, parent=thesis, stance=Stance.CON, text="Misuse.")
    services.source_cite(actor=writer, claim=mine, url="https://example.org/paper")
    services.vote_cast(user=writer, point=thesis, value=3)
    services.annotation_add(actor=writer, claim=pro, body="A question.")
    services.claim_hide(actor=cast.moderator, claim=mine)  # its source no longer counts either
    other = services.debate_create(owner=writer, title="Another?", thesis="Elsewhere.")
    services.vote_cast(user=writer, point=other.claims.get(), value=1)

    done = participation_by_user(debate, [writer.pk, cast.viewer.pk])
    assert done[writer.pk] == Participation(claims=1, sources=0, votes=1, notes=1)
    assert done[cast.viewer.pk] == Participation()


@pytest.mark.parametrize(
    ("formula", "full", "score"),
    [
        (GradeFormula.PARTICIPATION, 10, 70.0),  # 2 + 1 + 3 + 1 = 7 of 10
        (GradeFormula.ARGUMENTS, 10, 100.0),  # 6 + 2 + 3 + 1 = 12, capped at 10
        (GradeFormula.CLAIMS, 3, 66.67),  # 2 of 3
        (GradeFormula.CLAIMS, 1, 100.0),
    ],
)
def test_the_formula_turns_points_into_a_score_out_of_100(formula, full, score):
    debate = Debate(grade_formula=formula, grade_full_marks=full)
    done = Participation(claims=2, sources=1, votes=3, notes=1)
    assert score_of(debate, done) == score
    assert score_of(debate, Participation()) == 0.0
