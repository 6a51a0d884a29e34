"""Voters in planted camps, for the opinion map's bench and screenshots (issue 33).

Each camp has a profile (a value 0-4 per point); each voter of a camp votes on `per_voter`
points of the debate (their original places), as their camp does but at random one time in
five. The rows are bulk-inserted own votes: the points' tallies are left as they are (this
is measurement data; the map reads the vote rows), so the other pages look as before.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User

from arguments.models import Debate, Relation, Vote


def plant_camps(
    debate: Debate,
    *,
    voters: int,
    per_voter: int = 100,
    camps: int = 3,
    seed: int = 33,
    also: Sequence[User] = (),
) -> int:
    """Create `voters` users (and take `also`, first) voting in `camps` camps; the votes."""
    rng = random.Random(seed)
    model = get_user_model()
    users = [*also]
    users += model.objects.bulk_create(
        model(username=f"camp-{debate.pk}-{seed}-{n}") for n in range(voters)
    )
    points = list(
        Relation.objects.filter(debate=debate, is_link=False, is_hidden=False).values_list(
            "pk", flat=True
        )
    )
    profiles = [{pk: rng.choice((0, 1, 3, 4)) for pk in points} for _ in range(camps)]
    votes = []
    for n, user in enumerate(users):
        profile = profiles[n % camps]
        for pk in rng.sample(points, min(per_voter, len(points))):
            value = profile[pk] if rng.random() > 0.2 else rng.randint(0, 4)
            votes.append(Vote(user=user, relation_id=pk, value=value))
    Vote.objects.bulk_create(votes, batch_size=5000)
    return len(votes)
