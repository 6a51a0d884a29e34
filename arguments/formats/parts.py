"""A document's unconnected parts, each a document of its own.

A fragmented AIF nodeset (several arguments that share no node) is one debate with a thesis
a part, or, when the importer chooses so in the preview, a debate a part.
"""

from __future__ import annotations

from dataclasses import replace

from arguments.formats.document import DebateDocument

# What an AIF import keeps of the file's dialogue layer: one layer for the whole file, so it
# stays with the first part (`aif._keep_dialogue`).
DIALOGUE_KEYS = ("nodes", "edges", "locutions", "participants")


def parts_of(document: DebateDocument) -> list[list[str]]:
    """The ids of the claims of each part (joined by any relation, links included), in the
    order of each part's first claim."""
    joined: dict[str, str] = {claim.id: claim.id for claim in document.claims}

    def root(claim_id: str) -> str:
        while joined[claim_id] != claim_id:
            joined[claim_id] = joined[joined[claim_id]]
            claim_id = joined[claim_id]
        return claim_id

    for relation in document.relations:
        if relation.parent in joined and relation.child in joined:
            joined[root(relation.child)] = root(relation.parent)
    parts: dict[str, list[str]] = {}
    for claim in document.claims:
        parts.setdefault(root(claim.id), []).append(claim.id)
    return list(parts.values())


def split(document: DebateDocument) -> list[DebateDocument]:
    """A document a part, each with its claims, relations, citations, sources and notes; the
    first also with the file's warnings, round-trip losses and AIF dialogue layer."""
    documents: list[DebateDocument] = []
    for index, ids in enumerate(parts_of(document)):
        mine = set(ids)
        citations = [c for c in document.citations if c.claim in mine]
        cited = {c.source for c in citations}
        interchange = dict(document.interchange)
        if index and "aif" in interchange:
            kept = interchange["aif"]
            interchange["aif"] = {k: v for k, v in kept.items() if k not in DIALOGUE_KEYS}
        documents.append(
            replace(
                document,
                title="",  # each part asks its own question: its thesis, or the importer's
                claims=[claim for claim in document.claims if claim.id in mine],
                relations=[r for r in document.relations if r.child in mine],
                citations=citations,
                sources=[source for source in document.sources if source.id in cited],
                annotations=[note for note in document.annotations if note.claim in mine],
                interchange=interchange,
                problems=[] if index else list(document.problems),
                losses={} if index else dict(document.losses),
            )
        )
    return documents
