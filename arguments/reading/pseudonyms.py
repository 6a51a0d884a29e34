"""Pseudonymous debates: everyone appears under an adjective-animal pair of its own,
stable within the debate and different across debates (Kialo's anonymous discussions).

A pseudonym is chosen the first time it is needed, from a keyed hash of the debate and the
person (so it cannot be worked back to them), moving on to the next free pair should two
people of one debate land on the same; the row keeps it stable from then on.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import IntegrityError, transaction

from arguments.models import Pseudonym

if TYPE_CHECKING:
    from collections.abc import Iterable

    from arguments.models import Debate

ADJECTIVES = [
    "Amber",
    "Bold",
    "Brave",
    "Bright",
    "Calm",
    "Candid",
    "Careful",
    "Cheerful",
    "Clever",
    "Curious",
    "Daring",
    "Deft",
    "Eager",
    "Earnest",
    "Fair",
    "Fearless",
    "Fleet",
    "Frank",
    "Gentle",
    "Glad",
    "Grand",
    "Hardy",
    "Honest",
    "Humble",
    "Jolly",
    "Keen",
    "Kind",
    "Lively",
    "Loyal",
    "Lucid",
    "Merry",
    "Mindful",
    "Modest",
    "Nimble",
    "Noble",
    "Patient",
    "Placid",
    "Plucky",
    "Polite",
    "Proud",
    "Quick",
    "Quiet",
    "Rapid",
    "Ready",
    "Serene",
    "Sharp",
    "Shrewd",
    "Sincere",
    "Sly",
    "Smart",
    "Sober",
    "Spry",
    "Steady",
    "Stout",
    "Sunny",
    "Swift",
    "Tidy",
    "Tireless",
    "Upbeat",
    "Valiant",
    "Vivid",
    "Warm",
    "Wise",
    "Witty",
    "Zesty",
]
ANIMALS = [
    "Albatross",
    "Badger",
    "Beaver",
    "Bison",
    "Bobcat",
    "Crane",
    "Crow",
    "Deer",
    "Dolphin",
    "Eagle",
    "Egret",
    "Falcon",
    "Ferret",
    "Finch",
    "Fox",
    "Gazelle",
    "Gecko",
    "Heron",
    "Ibex",
    "Jackal",
    "Jaguar",
    "Kestrel",
    "Koala",
    "Lemur",
    "Leopard",
    "Lynx",
    "Magpie",
    "Marmot",
    "Marten",
    "Meerkat",
    "Mink",
    "Moose",
    "Narwhal",
    "Newt",
    "Ocelot",
    "Orca",
    "Osprey",
    "Otter",
    "Owl",
    "Panda",
    "Panther",
    "Pelican",
    "Penguin",
    "Puffin",
    "Quail",
    "Rabbit",
    "Raven",
    "Robin",
    "Salmon",
    "Seal",
    "Sparrow",
    "Stork",
    "Swan",
    "Tapir",
    "Tern",
    "Tiger",
    "Toucan",
    "Turtle",
    "Walrus",
    "Weasel",
    "Whale",
    "Wolf",
    "Wombat",
    "Wren",
    "Yak",
    "Zebra",
]
PAIRS = len(ADJECTIVES) * len(ANIMALS)


def _name(index: int) -> str:
    adjective, animal = divmod(index % PAIRS, len(ANIMALS))
    return f"{ADJECTIVES[adjective]} {ANIMALS[animal]}"


def _start(debate_id: int, user_id: int) -> int:
    key = settings.SECRET_KEY.encode()
    digest = hmac.new(key, f"pseudonym:{debate_id}:{user_id}".encode(), hashlib.sha256).digest()
    return int.from_bytes(digest[:8], "big") % PAIRS


def pseudonyms_of(debate: Debate, user_ids: Iterable[int | None]) -> dict[int, str]:
    """The pseudonyms of these people in the debate (an author id of None has none),
    choosing those not chosen yet."""
    wanted = {uid for uid in user_ids if uid is not None}
    known = dict(
        Pseudonym.objects.filter(debate=debate, user_id__in=wanted).values_list("user_id", "name")
    )
    for uid in sorted(wanted - set(known)):
        known[uid] = _choose(debate, uid)
    return known


def _choose(debate: Debate, user_id: int) -> str:
    taken = set(Pseudonym.objects.filter(debate=debate).values_list("name", flat=True))
    index = _start(debate.pk, user_id)
    for step in range(PAIRS):
        name = _name(index + step)
        if name in taken:
            continue
        try:
            with transaction.atomic():
                return Pseudonym.objects.create(debate=debate, user_id=user_id, name=name).name
        except IntegrityError:  # chosen meanwhile, by them (another request) or by another
            existing = Pseudonym.objects.filter(debate=debate, user_id=user_id).first()
            if existing is not None:
                return existing.name
    return f"Participant {user_id}"  # more people than pairs: still no real name


def shown_name(debate: Debate, user_id: int, username: str) -> str:
    """How a person is named in the debate: their username, or in a pseudonymous debate
    their pseudonym there (for everyone, moderators included)."""
    if not debate.pseudonymous:
        return username
    return pseudonyms_of(debate, [user_id])[user_id]
