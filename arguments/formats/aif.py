"""AIF JSON, the Argument Interchange Format as AIFdb and OVA write it.

Read: the classic `{"nodes", "edges", "locutions"}` form and OVA3's wrapper `{"AIF": {…},
"text": …, "OVA": …}`. I-nodes (propositions) become claims. An RA node (inference) makes each
of its premises a pro of its conclusion, a CA node (conflict) makes them cons; when the
target of either is itself an RA or CA node (an undercut), the premises become pros or cons of
that node's premises, the claims whose inference is in question. An MA node (rephrase) is a
rephrase relation; or, when the importer asks, makes its two ends one claim, the other wording
kept in the elaboration, unless merging them would lose a support or conflict edge: then both
stay claims, each naming the other's wording. The dialogue layer (L, TA, YA nodes), preferences
(PA) and locutions are kept aside to be written back. Node ids are compared as strings; edges
to missing nodes are left out and reported.

Written: the classic form, I-nodes then one RA or CA node per relation.
"""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from arguments.formats.document import (
    Candidate,
    DebateDocument,
    DocClaim,
    FormatError,
    clean_claim_text,
    fold,
    settle_relations,
)
from arguments.formats.json_text import dumps_indented
from arguments.models import Relation, Stance

SCHEMES = {"RA": Stance.PRO, "CA": Stance.CON}
DEFAULT_NAMES = {"RA": "Default Inference", "CA": "Default Conflict", "MA": "Default Rephrase"}
# How a rephrase is kept in the elaboration of the claim it was merged into (or stands beside).
ALSO_PUT_AS, REPHRASES = "Also put as: ", "Rephrases: "
IGNORED = {"L", "TA", "YA", "PA"}  # dialogue nodes and preferences


def parse(text: str, *, merge_rephrases: bool = False) -> DebateDocument:
    """Read AIF JSON, classic or wrapped by OVA3. Each MA node is a rephrase relation, or
    with `merge_rephrases` its two wordings one claim wherever that loses no edge."""
    data = load_json(text)
    prefix = ""
    wrapped = isinstance(data, dict) and "AIF" in data
    if wrapped:
        data, prefix = data["AIF"], "AIF."
    if not isinstance(data, dict):
        raise FormatError(_("expected an object with 'nodes' and 'edges'"), path=prefix or "$")
    nodes = _list(data, "nodes", prefix)
    edges = _list(data, "edges", prefix)
    document = DebateDocument()

    kinds: dict[str, str] = {}
    texts: dict[str, tuple[str, str]] = {}
    for index, node in enumerate(nodes):
        path = f"{prefix}nodes[{index}]"
        if not isinstance(node, dict) or node.get("nodeID") is None:
            raise FormatError(_("a node needs a nodeID"), path=path)
        node_id, kind = str(node["nodeID"]), str(node.get("type", ""))
        if node_id in kinds:
            raise FormatError(
                _("the nodeID %(id)s is used twice") % {"id": repr(node_id)}, path=f"{path}.nodeID"
            )
        kinds[node_id] = kind
        if kind == "I":
            texts[node_id] = (str(node.get("text") or ""), f"{path}.text")
        elif kind not in SCHEMES and kind != "MA" and kind not in IGNORED:
            document.warn(path, _("a node of type %(type)s is ignored") % {"type": repr(kind)})

    into: dict[str, list[str]] = defaultdict(list)
    out_of: dict[str, list[str]] = defaultdict(list)
    for index, edge in enumerate(edges):
        path = f"{prefix}edges[{index}]"
        if not isinstance(edge, dict):
            raise FormatError(_("an edge is an object with fromID and toID"), path=path)
        start, end = str(edge.get("fromID")), str(edge.get("toID"))
        if start not in kinds or end not in kinds:
            document.warn(path, _("an edge to a missing node is left out"))
            continue
        out_of[start].append(end)
        into[end].append(start)

    def premises_of(node_id: str) -> list[str]:
        return [p for p in into[node_id] if kinds[p] == "I"]

    def claims_of(node_id: str) -> list[str]:
        """The I-nodes a node stands for: itself, or the premises of a scheme node."""
        if kinds[node_id] == "I":
            return [node_id]
        if kinds[node_id] in SCHEMES:
            return premises_of(node_id)
        return []

    edges_read: list[Candidate] = []
    groups = 0
    for index, node in enumerate(nodes):
        node_id = str(node["nodeID"])
        stance = SCHEMES.get(kinds[node_id])
        if stance is None:
            continue
        premises = premises_of(node_id)
        group = None
        if len(premises) > 1:
            # A linked argument: the premises support (or attack) only together.
            groups += 1
            group = groups
        for target in out_of[node_id]:
            kind = Relation.Kind.PLAIN
            parents = claims_of(target)
            if kinds[target] == "RA" and stance == Stance.CON:
                # An undercut: a conflict aimed at an inference attacks the step from its
                # (first) premise to its conclusion, not the premise's truth.
                kind, parents = Relation.Kind.UNDERCUT, parents[:1]
            for parent in parents:
                edges_read += [
                    Candidate(
                        parent,
                        premise,
                        stance,
                        path=f"{prefix}nodes[{index}]",
                        kind=kind,
                        group=group,
                    )
                    for premise in premises
                ]

    if merge_rephrases:
        same = _rephrasings(kinds, into, out_of, list(texts), edges_read, nodes, prefix, document)
        rephrases: list[Candidate] = []
    else:
        same = _Rephrasings(list(texts))  # nothing merged
        rephrases = _rephrase_relations(kinds, into, out_of, nodes, prefix)
    for node_id, (raw, path) in texts.items():
        if same.of(node_id) != node_id:
            continue
        claim = DocClaim(id=node_id, text=clean_claim_text(raw, path=path), path=path)
        others = [
            fold(texts[other][0])
            for other in texts
            if other != node_id
            and same.of(other) == node_id
            and fold(texts[other][0]) != claim.text
        ]
        notes = [f"{ALSO_PUT_AS}{wording}" for wording in others]
        apart = [other for member in same.members[node_id] for other in same.kept_apart[member]]
        notes += [
            f"{REPHRASES}{fold(texts[other][0])}"
            for other in dict.fromkeys(apart)
            if fold(texts[other][0]) != claim.text
        ]
        claim.elaboration = "\n".join(notes)
        document.claims.append(claim)
    if not document.claims:
        raise FormatError(_("the file has no I-nodes (propositions)"), path=f"{prefix}nodes")

    candidates = [
        Candidate(
            same.of(edge.parent),
            same.of(edge.child),
            edge.stance,
            path=edge.path,
            kind=edge.kind,
            group=edge.group,
        )
        for edge in edges_read
    ]
    # After the supports and conflicts: a wording's first place is where it is argued.
    settle_relations(document, candidates + rephrases)
    parts = len(document.theses)
    if parts > 1:
        # A fragmented nodeset: its parts are the theses of one debate, whose question says
        # so rather than being one part's text (the import form's title field gives another).
        document.title = f"An AIF nodeset of {parts} unconnected arguments"
    _keep_dialogue(data, kinds, texts, into, out_of, document)
    document.lose("ova", 1 if wrapped else 0)
    defaults = DEFAULT_NAMES
    document.lose(
        "scheme_names",
        sum(
            1
            for node in nodes
            if kinds[str(node["nodeID"])] in defaults
            and node.get("text") != defaults[kinds[str(node["nodeID"])]]
        ),
    )
    document.lose(
        "node_details",
        sum(1 for node in nodes if set(node) - {"nodeID", "text", "type"}),
    )
    # The dialogue layer's edges keep their ids; the others are numbered afresh.
    document.lose(
        "edge_ids",
        sum(
            1
            for edge in edges
            if isinstance(edge, dict)
            and "edgeID" in edge
            and kinds.get(str(edge.get("fromID"))) not in IGNORED
            and kinds.get(str(edge.get("toID"))) not in IGNORED
        ),
    )
    return document


def _rephrase_relations(
    kinds: dict[str, str],
    into: dict[str, list[str]],
    out_of: dict[str, list[str]],
    nodes: list[Any],
    prefix: str,
) -> list[Candidate]:
    """Each MA node as rephrase relations: the I-nodes pointing into it say again, in other
    words, the I-node it points to (an MA drawn without a direction: its first end's)."""
    relations: list[Candidate] = []
    for index, node in enumerate(nodes):
        node_id = str(node["nodeID"])
        if kinds[node_id] != "MA":
            continue
        said = [n for n in out_of[node_id] if kinds[n] == "I"]
        again = [n for n in into[node_id] if kinds[n] == "I"]
        if not said or not again:
            ends = list(
                dict.fromkeys(n for n in into[node_id] + out_of[node_id] if kinds[n] == "I")
            )
            said, again = ends[:1], ends[1:]
        relations += [
            Candidate(
                said[0],
                other,
                Stance.PRO,
                path=f"{prefix}nodes[{index}]",
                kind=Relation.Kind.REPHRASE,
            )
            for other in again
        ]
    return relations


def _signature(
    kind: str, premises: list[str], target: str, into: dict[str, list[str]], text: dict[str, str]
) -> str:
    """A scheme node told by what it joins (texts, not ids), to find it again on export."""

    def of(node_id: str) -> str:
        return text.get(node_id) or "|".join(sorted(text[p] for p in into[node_id] if p in text))

    # Only I-nodes count: the dialogue layer's own edges (a YA anchoring the node) are not
    # written yet when the export looks for the node.
    return json.dumps([kind, sorted(text[p] for p in premises if p in text), of(target)])


def _keep_dialogue(
    data: dict,
    kinds: dict[str, str],
    texts: dict[str, tuple[str, str]],
    into: dict[str, list[str]],
    out_of: dict[str, list[str]],
    document: DebateDocument,
) -> None:
    """Keep the dialogue layer (L, YA, TA nodes, their edges, locutions, participants) and the
    ids of the I-nodes and scheme nodes, so that the export writes them back where they were
    (a YA node anchors an RA node by its id)."""
    dialogue = {node_id for node_id, kind in kinds.items() if kind in IGNORED}
    nodes = [
        node for node in data["nodes"] if isinstance(node, dict) and str(node["nodeID"]) in dialogue
    ]
    edges = [
        edge
        for edge in data["edges"]
        if isinstance(edge, dict)
        and (str(edge.get("fromID")) in dialogue or str(edge.get("toID")) in dialogue)
        and str(edge.get("fromID")) in kinds
        and str(edge.get("toID")) in kinds
    ]
    folded = {node_id: fold(text) for node_id, (text, _) in texts.items()}
    kept: dict[str, Any] = {"inodes": [[node_id, text] for node_id, text in folded.items()]}
    if dialogue:
        kept["schemes"] = [
            [node_id, _signature(kind, into[node_id], out_of[node_id][0], into, folded)]
            for node_id, kind in kinds.items()
            if kind in SCHEMES and out_of[node_id]
        ]
    for key, value in (("nodes", nodes), ("edges", edges)):
        if value:
            kept[key] = value
    for key in ("locutions", "participants"):
        if isinstance(data.get(key), list) and data[key]:
            kept[key] = data[key]
    document.interchange["aif"] = kept


def load_json(text: str) -> Any:
    """Parse JSON, or a FormatError naming the line of the syntax error."""
    try:
        return json.loads(text.lstrip("\ufeff"))
    except json.JSONDecodeError as error:
        # The parser's own words stay English: Python's json has no catalog.
        message = _("not valid JSON: %(error)s") % {"error": error.msg}
        raise FormatError(message, error.lineno) from None
    except RecursionError:  # the parser's own limit, reached by a hostile file
        raise FormatError(_("JSON nested too deeply to read (no debate is that deep)")) from None


def _list(data: dict, key: str, prefix: str) -> list:
    value = data.get(key)
    if not isinstance(value, list):
        raise FormatError(_("expected a list"), path=f"{prefix}{key}")
    return value


class _Rephrasings:
    """Which I-node stands for which: rephrases merged, and those kept apart (MA nodes)."""

    def __init__(self, order: list[str]) -> None:
        self.rank = {node_id: index for index, node_id in enumerate(order)}
        self.parent = {node_id: node_id for node_id in order}
        self.members = {node_id: [node_id] for node_id in order}
        # A claim's rephrases that stay claims of their own (their texts are shown with it).
        self.kept_apart: dict[str, list[str]] = defaultdict(list)

    def of(self, node_id: str) -> str:
        while self.parent[node_id] != node_id:
            self.parent[node_id] = self.parent[self.parent[node_id]]
            node_id = self.parent[node_id]
        return node_id


def _rephrasings(
    kinds: dict[str, str],
    into: dict[str, list[str]],
    out_of: dict[str, list[str]],
    order: list[str],
    edges: list[Candidate],
    nodes: list[Any],
    prefix: str,
    document: DebateDocument,
) -> _Rephrasings:
    """Merge the two ends of each MA node into one claim, but only where that loses no edge.

    Merging A' into A loses an edge when one joins the two (it would become a self-attack) or
    when both relate to the same claim (two edges would become one, perhaps a support and a
    conflict). Then both claims stay, each naming the other's wording, and a warning says so.
    """
    same = _Rephrasings(order)
    touching: dict[str, list[Candidate]] = defaultdict(list)
    for edge in edges:
        touching[edge.parent].append(edge)
        touching[edge.child].append(edge)

    def pairs(group: list[str], mapping: dict[str, str]) -> list[tuple[str, str]]:
        """The (parent, child) claims of every edge touching the group, under `mapping`."""

        def claim(node_id: str) -> str:
            return mapping.get(same.of(node_id), same.of(node_id))

        seen: dict[int, tuple[str, str]] = {}
        for node_id in group:
            for edge in touching[node_id]:
                seen[id(edge)] = (claim(edge.parent), claim(edge.child))
        return list(seen.values())

    for index, node in enumerate(nodes):
        node_id = str(node["nodeID"])
        if kinds[node_id] != "MA":
            continue
        ends = list(dict.fromkeys(n for n in into[node_id] + out_of[node_id] if kinds[n] == "I"))
        for other in ends[1:]:
            first, second = sorted((same.of(ends[0]), same.of(other)), key=same.rank.__getitem__)
            if first == second:
                continue
            group = same.members[first] + same.members[second]
            before, after = set(pairs(group, {})), set(pairs(group, {second: first}))
            lost = sum(1 for p, c in before if p != c) - sum(1 for p, c in after if p != c)
            if lost:
                same.kept_apart[ends[0]].append(other)
                same.kept_apart[other].append(ends[0])
                document.warn(
                    f"{prefix}nodes[{index}]",
                    ngettext(
                        "the rephrase joining %(one)s and %(other)s keeps them two claims: "
                        "merging them would lose %(count)s support or conflict edge",
                        "the rephrase joining %(one)s and %(other)s keeps them two claims: "
                        "merging them would lose %(count)s support or conflict edges",
                        lost,
                    )
                    % {"one": repr(ends[0]), "other": repr(other), "count": lost},
                )
                continue
            same.parent[second] = first
            same.members[first] = group
    return same


def render(document: DebateDocument) -> str:
    """Write the classic AIF form: I-nodes, then an RA or CA node a relation (one for the
    premises of a linked argument, aimed at the inference for an undercut), MA nodes for the
    rephrases, and the dialogue layer an AIF import kept."""
    kept = document.interchange.get("aif", {})
    used: set[str] = {str(node.get("nodeID")) for node in kept.get("nodes", [])}
    original: dict[str, list[str]] = {}
    for node_id, text in kept.get("inodes", []):
        original.setdefault(text, []).append(str(node_id))
    schemes: dict[str, list[str]] = {}
    for node_id, signature in kept.get("schemes", []):
        schemes.setdefault(signature, []).append(str(node_id))
    fresh = _Ids(
        used
        | {node_id for ids in original.values() for node_id in ids}
        | {node_id for ids in schemes.values() for node_id in ids}
    )

    def i_node(text: str) -> str:
        # An imported proposition keeps its id, so the dialogue layer still points at it.
        ids = original.get(text)
        return ids.pop(0) if ids else fresh.next()

    ids = {claim.id: i_node(claim.text) for claim in document.claims}
    nodes: list[dict[str, Any]] = [
        {"nodeID": ids[claim.id], "text": claim.text, "type": "I"} for claim in document.claims
    ]
    edges: list[dict[str, Any]] = []
    edge_ids = _Ids({str(edge.get("edgeID")) for edge in kept.get("edges", [])})

    def edge(start: str, end: str) -> None:
        edges.append({"edgeID": edge_ids.next(), "fromID": start, "toID": end, "formEdgeID": None})

    def scheme(kind: str) -> str:
        node_id = fresh.next()
        nodes.append({"nodeID": node_id, "text": DEFAULT_NAMES[kind], "type": kind})
        return node_id

    # Originals first: a reader that takes a claim's first relation as the place where it was
    # written then puts every claim back where it was. Undercuts last: they aim at the
    # inference node of the relation they question.
    undercut = str(Relation.Kind.UNDERCUT)  # compared as plain strings: 20,000 times
    rephrase = str(Relation.Kind.REPHRASE)
    ordered = sorted(document.relations, key=lambda r: (r.kind == undercut, r.is_link))
    inference: dict[str, str] = {}  # a claim's first inference node, towards its parent
    grouped: dict[tuple[str, int, str], str] = {}
    for relation in ordered:
        if relation.kind == rephrase:
            node_id = scheme("MA")
            edge(ids[relation.child], node_id)
            edge(node_id, ids[relation.parent])
            continue
        if relation.kind == undercut and relation.parent in inference:
            node_id = scheme("CA")
            edge(ids[relation.child], node_id)
            edge(node_id, inference[relation.parent])
            continue
        if relation.group is None:
            node_id = scheme("RA" if relation.stance == "pro" else "CA")
            edge(node_id, ids[relation.parent])
        else:
            key = (relation.parent, relation.group, relation.stance)
            if key in grouped:
                node_id = grouped[key]  # one scheme node for all premises of a linked argument
            else:
                node_id = grouped[key] = scheme("RA" if relation.stance == "pro" else "CA")
                edge(node_id, ids[relation.parent])
        edge(ids[relation.child], node_id)
        if relation.child not in inference:
            inference[relation.child] = node_id

    by_text = {claim.text: claim.id for claim in document.claims}
    rephrased: set[frozenset[str]] = set()
    for claim in document.claims:
        if not claim.elaboration:
            continue
        for line in claim.elaboration.splitlines():
            if line.startswith(ALSO_PUT_AS):
                # A wording merged into this claim on import: its own I-node again.
                text = line[len(ALSO_PUT_AS) :]
                other = i_node(text)
                nodes.append({"nodeID": other, "text": text, "type": "I"})
            elif line.startswith(REPHRASES) and line[len(REPHRASES) :] in by_text:
                other = ids[by_text[line[len(REPHRASES) :]]]
                if frozenset((other, ids[claim.id])) in rephrased:
                    continue
            else:
                continue
            rephrased.add(frozenset((other, ids[claim.id])))
            node_id = scheme("MA")
            edge(other, node_id)
            edge(node_id, ids[claim.id])

    if schemes:
        _restore_scheme_ids(nodes, edges, schemes)
    written = {node["nodeID"] for node in nodes} | used
    nodes += kept.get("nodes", [])
    edges += [
        edge
        for edge in kept.get("edges", [])
        if str(edge.get("fromID")) in written and str(edge.get("toID")) in written
    ]
    aif = {
        "nodes": nodes,
        "edges": edges,
        "locutions": kept.get("locutions", []),
        "participants": kept.get("participants", []),
    }
    return dumps_indented(aif) + "\n"


def _restore_scheme_ids(
    nodes: list[dict[str, Any]], edges: list[dict[str, Any]], schemes: dict[str, list[str]]
) -> None:
    """Give each written scheme node the id it had in the imported file, found by what it
    joins, so that the dialogue layer's edges reach it again."""
    into: dict[str, list[str]] = defaultdict(list)
    out_of: dict[str, list[str]] = defaultdict(list)
    for edge in edges:
        into[edge["toID"]].append(edge["fromID"])
        out_of[edge["fromID"]].append(edge["toID"])
    text = {node["nodeID"]: node["text"] for node in nodes if node["type"] == "I"}
    renamed: dict[str, str] = {}
    for node in nodes:
        if node["type"] in SCHEMES and out_of[node["nodeID"]]:
            key = _signature(
                node["type"], into[node["nodeID"]], out_of[node["nodeID"]][0], into, text
            )
            if schemes.get(key):
                renamed[node["nodeID"]] = schemes[key].pop(0)
    for node in nodes:
        node["nodeID"] = renamed.get(node["nodeID"], node["nodeID"])
    for edge in edges:
        edge["fromID"] = renamed.get(edge["fromID"], edge["fromID"])
        edge["toID"] = renamed.get(edge["toID"], edge["toID"])


class _Ids:
    """Fresh ids "1", "2", … that no kept node or edge already uses."""

    def __init__(self, taken: set[str]) -> None:
        self.taken, self.counter = taken, 0

    def next(self) -> str:
        self.counter += 1
        if not self.taken:  # a debate made on the site: nothing kept, no id to skip
            return str(self.counter)
        while str(self.counter) in self.taken:
            self.counter += 1
        return str(self.counter)
