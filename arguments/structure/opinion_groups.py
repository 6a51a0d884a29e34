"""Opinion groups from a debate's votes, as Pol.is finds them, over every point of the tree.

Pure: votes in, a JSON-ready dict out (kept in `OpinionMap.result`); no database, no lens.
Only the task worker imports it (arguments/tasks/opinions.py): scikit-learn costs a second
and 80 MB to import, which no web process should pay.

**The method.** The vote matrix has a row per participant and a column per point (a
relation's impact, a thesis's truth; 0 to 4). Participants with fewer than `MIN_VOTES` votes
are left out (they would sit in the middle and say nothing) and counted; points with fewer
than two remaining voters are dropped. A missing vote is read as the point's mean (mean
imputation, as Pol.is does), so the centred matrix is sparse: the voted cells hold
`value - mean`, the others 0, and its columns' means are already 0. PCA (scikit-learn,
ARPACK on the sparse matrix for large debates, the full SVD on small ones) projects it to two
dimensions; each participant's position is then stretched by sqrt(points / points voted on),
Pol.is's correction that keeps people who voted on few points from crowding the centre.
k-means (k = 2..5, `n_init=10`, fixed `random_state`) groups the positions, k chosen by the
best silhouette (ties: the fewer groups). Same votes in, same groups out.

**What the groups say.** Per group and point: the group's mean vote and how many of it voted.
- *Defining points* of a group: where its mean differs most from everyone else's (at least
  one step of the scale), with at least `GROUP_VOTES` votes on each side.
- *Consensus points*: every group shown rates it `CONSENSUS_FLOOR` (Strong) or more.
- *Divisive points*: the groups' means lie `DIVIDE_FLOOR` (two steps) or more apart; the
  spread (highest group mean minus lowest) also ranks the crux finder's "between groups"
  order, for which the first `SPLIT_KEPT` points by spread are kept.
Only groups of `MIN_GROUP` people or more are shown, and only they count in the consensus
and divisive points: a group of one or two would be a person's votes.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any

import numpy as np
from scipy import sparse
from sklearn.cluster import KMeans
from sklearn.decomposition import PCA
from sklearn.metrics import silhouette_score
from threadpoolctl import threadpool_limits

from arguments.models import OpinionMap

FORMAT = 1
MIN_VOTES = OpinionMap.MIN_VOTES
MIN_GROUP = OpinionMap.MIN_GROUP
GROUP_VOTES = 2  # votes of a group (and of the rest) on a point to compare it
DEFINING_FLOOR = 1.0  # one step of the scale between a group and the rest
CONSENSUS_FLOOR = 3.0  # "Strong" or more in every group shown
DIVIDE_FLOOR = 2.0  # two steps between the highest and the lowest group
KEPT = 20  # of each list (the page filters them through the reader's lens, then shows fewer)
SPLIT_KEPT = 200  # points ranked by the spread between groups, for the crux finder
K_RANGE = range(2, 6)
SEED = 0
SILHOUETTE_SAMPLE = 2000  # participants the silhouette is measured on (all, below that)
DENSE_CELLS = 4_000_000  # below this many cells the matrix is made dense for the full SVD
LABELS = "ABCDE"

Vote = tuple[int, str, int, int]  # (user id, point "r<relation>"/"c<thesis>", claim id, 0-4)


def empty(voters: int = 0, left_out: int = 0) -> dict[str, Any]:
    """The result when there is nobody (or too few) to group."""
    return {
        "format": FORMAT,
        "voters": voters,
        "left_out": left_out,
        "points": 0,
        "k": 0,
        "silhouette": None,
        "dots": [],
        "groups": [],
        "consensus": [],
        "divisive": [],
        "split": [],
        "seconds": 0.0,
    }


def _choose_k(coords: np.ndarray) -> tuple[int, np.ndarray, float | None]:
    """k-means for each k, the labels of the best silhouette."""
    distinct = len(np.unique(coords.round(9), axis=0))
    best: tuple[float, int, np.ndarray] | None = None
    for k in K_RANGE:
        if k >= distinct:
            break
        labels = KMeans(n_clusters=k, n_init=10, random_state=SEED).fit_predict(coords)
        if len(set(labels.tolist())) < 2:
            continue
        sample = min(len(coords), SILHOUETTE_SAMPLE)
        score = float(
            silhouette_score(
                coords,
                labels,
                sample_size=sample if sample < len(coords) else None,
                random_state=SEED,
            )
        )
        if best is None or score > best[0] + 1e-9:
            best = (score, k, labels)
    if best is None:
        return 1, np.zeros(len(coords), dtype=int), None
    return best[1], best[2], best[0]


def _project(centred: sparse.csr_matrix) -> np.ndarray:
    """Two principal components of the centred matrix (columns' means already 0)."""
    rows, cols = centred.shape
    if min(rows, cols) < 3 or rows * cols <= DENSE_CELLS:
        dense = centred.toarray()
        components = min(2, rows, cols)
        coords = PCA(n_components=components, svd_solver="full").fit_transform(dense)
    else:
        pca = PCA(n_components=2, svd_solver="arpack", random_state=SEED)
        coords = pca.fit_transform(centred)
    if coords.shape[1] < 2:
        coords = np.hstack([coords, np.zeros((rows, 2 - coords.shape[1]))])
    # A component's sign is arbitrary: fix it so that the largest coordinate is positive.
    for axis in range(2):
        column = coords[:, axis]
        if column.size and column[np.argmax(np.abs(column))] < 0:
            coords[:, axis] = -column
    return coords


def compute(votes: Iterable[Vote]) -> dict[str, Any]:
    """The opinion groups of these votes (see the module's docstring)."""
    # One thread: k-means on a few thousand 2-D points is tiny work, and OpenMP's threads
    # spinning for cores a busy machine's other processes hold made it 20 times slower
    # (measured: 8.7 s against 0.4 s for 1,000 voters over 20,000 points on two cores).
    with threadpool_limits(limits=1):
        return _compute(votes)


def _compute(votes: Iterable[Vote]) -> dict[str, Any]:
    started = time.perf_counter()
    by_user: dict[int, int] = {}
    rows_of: list[Vote] = list(votes)
    for user_id, _point, _claim, _value in rows_of:
        by_user[user_id] = by_user.get(user_id, 0) + 1
    kept_users = sorted(u for u, n in by_user.items() if n >= MIN_VOTES)
    left_out = len(by_user) - len(kept_users)
    if len(kept_users) < 2 * MIN_GROUP:
        return empty(len(kept_users), left_out) | {"seconds": time.perf_counter() - started}
    user_index = {u: i for i, u in enumerate(kept_users)}
    voters_of: dict[str, int] = {}
    claim_of: dict[str, int] = {}
    for user_id, point, claim_id, _value in rows_of:
        if user_id in user_index:
            voters_of[point] = voters_of.get(point, 0) + 1
            claim_of[point] = claim_id
    points = sorted(p for p, n in voters_of.items() if n >= 2)
    point_index = {p: j for j, p in enumerate(points)}
    r, c, v = [], [], []
    for user_id, point, _claim, value in rows_of:
        i, j = user_index.get(user_id), point_index.get(point)
        if i is not None and j is not None:
            r.append(i)
            c.append(j)
            v.append(float(value))
    n, p = len(kept_users), len(points)
    if not p:
        return empty(n, left_out) | {"seconds": time.perf_counter() - started}
    row, col, val = np.array(r), np.array(c), np.array(v)
    counts = np.bincount(col, minlength=p)
    means = np.bincount(col, weights=val, minlength=p) / np.maximum(counts, 1)
    centred = sparse.csr_matrix((val - means[col], (row, col)), shape=(n, p))
    coords = _project(centred)
    answered = np.bincount(row, minlength=n)
    coords *= np.sqrt(p / np.maximum(answered, 1))[:, None]
    k, labels, silhouette = _choose_k(coords)

    # Groups ordered by size (A the largest), then by their first member for ties.
    sizes = np.bincount(labels, minlength=k)
    order = sorted(range(k), key=lambda g: (-sizes[g], int(np.argmax(labels == g))))
    relabel = np.empty(k, dtype=int)
    relabel[order] = np.arange(k)
    labels = relabel[labels]
    sizes = np.bincount(labels, minlength=k)

    # Per group and point: votes and their sum (k by p, dense: at most 5 rows).
    member = sparse.csr_matrix((np.ones(n), (labels, np.arange(n))), shape=(k, n))
    voted = sparse.csr_matrix((np.ones(len(val)), (row, col)), shape=(n, p))
    values = sparse.csr_matrix((val, (row, col)), shape=(n, p))
    g_counts = np.asarray((member @ voted).todense())
    g_sums = np.asarray((member @ values).todense())
    with np.errstate(invalid="ignore", divide="ignore"):
        g_means = np.where(g_counts > 0, g_sums / np.maximum(g_counts, 1), np.nan)
    shown = [g for g in range(k) if sizes[g] >= MIN_GROUP]

    def point_row(j: int) -> list[Any]:
        return [points[j], claim_of[points[j]], int(counts[j])]

    groups = []
    for g in range(k):
        rest_counts = counts - g_counts[g]
        rest_sums = means * counts - g_sums[g]
        defining = []
        if g in shown:
            for j in range(p):
                if g_counts[g, j] < GROUP_VOTES or rest_counts[j] < GROUP_VOTES:
                    continue
                rest_mean = rest_sums[j] / rest_counts[j]
                diff = g_means[g, j] - rest_mean
                if abs(diff) >= DEFINING_FLOOR:
                    defining.append((-abs(diff), -g_counts[g, j], j, rest_mean))
            defining.sort()
        groups.append(
            {
                "label": LABELS[g],
                "size": int(sizes[g]),
                "defining": [
                    [*point_row(j), round(float(g_means[g, j]), 3), round(float(rest), 3)]
                    for _d, _c, j, rest in defining[:KEPT]
                ],
            }
        )

    consensus, split = [], []
    if len(shown) >= 2:
        sub_counts, sub_means = g_counts[shown], g_means[shown]
        every = (sub_counts >= GROUP_VOTES).all(axis=0)
        compared = (sub_counts >= GROUP_VOTES).sum(axis=0) >= 2
        with np.errstate(invalid="ignore"):
            lowest = np.where(sub_counts >= GROUP_VOTES, sub_means, np.inf).min(axis=0)
            highest = np.where(sub_counts >= GROUP_VOTES, sub_means, -np.inf).max(axis=0)
        for agreed in np.flatnonzero(every & (lowest >= CONSENSUS_FLOOR)).tolist():
            consensus.append((-lowest[agreed], -counts[agreed], agreed))
        for apart in np.flatnonzero(compared).tolist():
            split.append((-(highest[apart] - lowest[apart]), -counts[apart], apart))
        consensus.sort()
        split.sort()

    def with_means(j: int) -> list[Any]:
        group_means = [
            None if g_counts[g, j] < GROUP_VOTES else round(float(g_means[g, j]), 3) for g in shown
        ]
        return [*point_row(j), group_means]

    dots = [
        [kept_users[i], round(float(coords[i, 0]), 4), round(float(coords[i, 1]), 4), int(g)]
        for i, g in enumerate(labels)
    ]
    return {
        "format": FORMAT,
        "voters": n,
        "left_out": left_out,
        "points": p,
        "k": k,
        "silhouette": None if silhouette is None else round(silhouette, 4),
        "shown": shown,  # the groups (indexes) shown; the means in point lists follow them
        "dots": dots,
        "groups": groups,
        "consensus": [with_means(j) for _m, _c, j in consensus[:KEPT]],
        "divisive": [with_means(j) for spread, _c, j in split[:KEPT] if -spread >= DIVIDE_FLOOR],
        "split": [[*point_row(j), round(-spread, 3)] for spread, _c, j in split[:SPLIT_KEPT]],
        "seconds": round(time.perf_counter() - started, 3),
    }
