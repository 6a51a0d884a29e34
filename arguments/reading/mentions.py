"""Names a writer may mention ("@name"), for the form's autocomplete: only people whose
name the reader already sees in the debate (authors of the claims and notes the lens shows),
named as the debate names them (a pseudonym where it uses them), so the list reveals no one
new. `live/notifications.mention_key` reads a name back the same way."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from arguments.reading.lens import Lens

MAX_SUGGESTIONS = 8


@dataclass(frozen=True)
class Mentionable:
    name: str  # as the reader sees it
    insert: str  # what "@" is followed by: the name without spaces


def mentionable(lens: Lens, prefix: str) -> list[Mentionable]:
    """Up to MAX_SUGGESTIONS names starting with `prefix` (any case, spaces ignored), the
    reader's own left out: no query beyond the lens's structure (and its pseudonyms)."""
    structure = lens.structure
    authors: dict[int, str] = {}
    for claim_id, node in structure.nodes.items():
        if node.author_id is not None and node.author_id not in authors and lens.sees(claim_id):
            authors[node.author_id] = node.author
    for claim_id, notes in structure.notes.items():
        if not lens.sees(claim_id):
            continue
        stack = list(notes)
        while stack:
            note = stack.pop()
            stack.extend(note.replies)
            if note.author_id is not None and lens.sees_note(note):
                authors.setdefault(note.author_id, note.author)
    authors.pop(lens.user_id or 0, None)
    wanted = prefix.replace(" ", "").casefold()
    found = []
    for author_id, username in authors.items():
        name = lens.author_name(author_id, username)
        insert = name.replace(" ", "")
        if insert.casefold().startswith(wanted):
            found.append(Mentionable(name=name, insert=insert))
    found.sort(key=lambda m: m.name.casefold())
    return found[:MAX_SUGGESTIONS]
