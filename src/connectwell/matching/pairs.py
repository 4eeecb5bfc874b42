"""Pairs: a maximum-weight matching through its linear-programming relaxation.

The fractional matching polytope ``{x >= 0 : sum of x over the edges at each vertex <= 1}`` has
half-integral vertices, and its optimum equals half the optimum of an *assignment problem on the
bipartite double cover*: every person is a row and a column, edge ``{i, j}`` gives the two cells
``(i, j)`` and ``(j, i)``, and the diagonal cell ``(i, i)`` means "sits out" (weight 0). The
optimal permutation splits into cycles: fixed points (unmatched), 2-cycles (matched edges),
even cycles (two alternating perfect matchings, we keep the heavier) and odd cycles (the
half-integral part, ``x = 1/2`` on every edge). An odd cycle is rounded exactly: every choice of
the one vertex to leave out is weighed in O(length) with prefix sums, and the best is kept.
Left-out vertices are then matched greedily through augmenting paths of length one and three.

The assignment value is an upper bound on every matching of the graph, so
``weight / upper_bound`` certifies the result *on the candidate graph* it was given (for a
bound over all pairs of a roster see :mod:`connectwell.matching.bound`). The assignment
problems are solved with LAPJVsp (``scipy.sparse.csgraph.min_weight_full_bipartite_matching``),
per connected component, packed into batches of at most ``batch_size`` vertices because its cost
grows faster than linearly.

References
----------
.. [1] M. L. Balinski, "Integer programming: methods, uses, computation", Management Science
   12 (1965) 253-313 (half-integrality of the fractional matching polytope).
.. [2] A. Schrijver, *Combinatorial Optimization*, Springer 2003, ch. 30.
.. [3] R. Jonker, A. Volgenant, "A shortest augmenting path algorithm for dense and sparse
   linear assignment problems", Computing 38 (1987) 325-340.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components, min_weight_full_bipartite_matching

from connectwell.matching.candidates import CandidateGraph
from connectwell.matching.roster import IntArray, lookup


@dataclass(frozen=True)
class Matching:
    """``mate[i]`` is the partner of ``i`` or -1; ``upper_bound`` is the LP value."""

    mate: IntArray
    weight: int
    upper_bound: float
    odd_cycles: int

    def pairs(self) -> list[tuple[int, int]]:
        first = np.flatnonzero(self.mate > np.arange(len(self.mate)))
        return [(int(i), int(self.mate[i])) for i in first]


def max_weight_matching(graph: CandidateGraph, *, batch_size: int = 8192) -> Matching:
    """A maximum-weight matching of ``graph``, near-optimal, with a certified upper bound.

    Parameters
    ----------
    graph : CandidateGraph
        Positive integer weights; vertices ``0 .. graph.n - 1``.
    batch_size : int
        Connected components are solved together up to this many vertices.

    Returns
    -------
    Matching
        ``weight <= upper_bound``; equal whenever the LP optimum is integral.

    Complexity
    ----------
    One sparse assignment problem per batch: O(b · E_b · log) in the worst case for a batch of b
    vertices and E_b edges, far less in practice (the benchmarks measure it); the rounding is
    O(n + E).
    """
    n = graph.n
    mate = np.full(n, -1, dtype=np.int64)
    if n == 0 or len(graph) == 0:
        return Matching(mate, 0, 0.0, 0)
    lookup = _EdgeLookup(graph)
    adjacency = sp.csr_matrix(
        (np.ones(len(graph)), (graph.u, graph.v)), shape=(n, n), dtype=np.int8
    )
    count, label = connected_components(adjacency, directed=False)
    sizes = np.bincount(label, minlength=count)
    order = np.argsort(label, kind="stable")
    starts = np.r_[0, np.cumsum(sizes)]
    lp_total = 0.0
    odd_cycles = 0
    batch: list[IntArray] = []
    batch_len = 0
    components = [c for c in np.argsort(-sizes, kind="stable") if sizes[c] > 1]
    for position, component in enumerate(components):
        batch.append(order[starts[component] : starts[component + 1]])
        batch_len += int(sizes[component])
        last = position == len(components) - 1
        if batch_len >= batch_size or last:
            nodes = np.sort(np.concatenate(batch))
            value, odd = _solve_batch(nodes, graph, lookup, mate)
            lp_total += value
            odd_cycles += odd
            batch, batch_len = [], 0
    _augment(graph, lookup, mate)
    matched = np.flatnonzero(mate > np.arange(n))
    weight = int(lookup.weights(matched, mate[matched]).sum())
    return Matching(mate, weight, lp_total, odd_cycles)


def augment(graph: CandidateGraph, mate: IntArray) -> None:
    """Grow the matching ``mate`` (changed in place) along augmenting paths of ``graph``, for
    example after adding edges across blocks (see :func:`_augment`)."""
    _augment(graph, _EdgeLookup(graph), mate)


class _EdgeLookup:
    """Weights of edges by key, for arbitrary vertex pairs (absent edges weigh -1)."""

    def __init__(self, graph: CandidateGraph) -> None:
        self.n = graph.n
        self.keys = graph.u * graph.n + graph.v
        self.weight = graph.weight

    def weights(self, i: IntArray, j: IntArray) -> IntArray:
        low = np.minimum(i, j).astype(np.int64)
        high = np.maximum(i, j).astype(np.int64)
        pos, found = lookup(self.keys, low * self.n + high)
        return np.where(found, self.weight[pos], -1)


def _solve_batch(
    nodes: IntArray, graph: CandidateGraph, lookup: _EdgeLookup, mate: IntArray
) -> tuple[float, int]:
    """Solve the assignment problem of the vertices ``nodes``; write the rounding into ``mate``."""
    size = len(nodes)
    local = np.full(graph.n, -1, dtype=np.int64)
    local[nodes] = np.arange(size)
    inside = (local[graph.u] >= 0) & (local[graph.v] >= 0)
    a, b, w = local[graph.u[inside]], local[graph.v[inside]], graph.weight[inside]
    ceiling = float(w.max()) + 1.0
    rows = np.concatenate([a, b, np.arange(size)])
    cols = np.concatenate([b, a, np.arange(size)])
    cost = np.concatenate([ceiling - w, ceiling - w, np.full(size, ceiling)])
    matrix = sp.csr_matrix((cost, (rows, cols)), shape=(size, size))
    _, perm = min_weight_full_bipartite_matching(matrix)
    perm = np.asarray(perm, dtype=np.int64)
    here = np.arange(size)
    moved = perm != here
    value = float(lookup.weights(nodes[here[moved]], nodes[perm[moved]]).sum()) / 2.0
    two = moved & (perm[perm] == here)
    mate[nodes[two]] = nodes[perm[two]]
    odd = 0
    seen = ~moved | two
    for start in np.flatnonzero(~seen):
        if seen[start]:
            continue
        cycle = [int(start)]
        seen[start] = True
        nxt = int(perm[start])
        while nxt != start:
            cycle.append(nxt)
            seen[nxt] = True
            nxt = int(perm[nxt])
        odd += len(cycle) % 2
        _round_cycle(nodes[np.array(cycle)], lookup, mate)
    return value, odd


def _round_cycle(cycle: IntArray, lookup: _EdgeLookup, mate: IntArray) -> None:
    """Match the heaviest alternating edges of a cycle; an odd one leaves its best vertex out."""
    length = len(cycle)
    nxt = np.roll(cycle, -1)
    w = lookup.weights(cycle, nxt)  # w[t] is the edge (cycle[t], cycle[t + 1])
    if length % 2 == 0:
        pick = 0 if w[0::2].sum() >= w[1::2].sum() else 1
        chosen = np.arange(pick, length, 2)
    else:
        # Leaving out cycle[s] matches the edges s+1, s+3, ..., s+length-2 (mod length).
        # On the doubled sequence, stride[t + 2] = w2[t] + w2[t - 2] + ... sums every other edge.
        doubled = np.r_[w, w].astype(np.int64)
        stride = np.zeros(len(doubled) + 2, dtype=np.int64)
        for parity in (0, 1):
            stride[2 + parity :: 2] = np.cumsum(doubled[parity::2])
        starts = np.arange(length)
        totals = stride[starts + length] - stride[starts + 1]
        best_s = int(np.argmax(totals))
        chosen = (best_s + 1 + 2 * np.arange((length - 1) // 2)) % length
    for t in chosen:
        i, j = int(cycle[t]), int(nxt[t])
        mate[i], mate[j] = j, i


def _augment(
    graph: CandidateGraph, lookup: _EdgeLookup, mate: IntArray, *, max_visits: int = 4000
) -> None:
    """Grow the matching by augmenting paths from each free vertex, best gain first.

    From a free vertex ``u`` an alternating tree is grown breadth-first (each vertex entered at
    most once, so blossoms are not shrunk and some paths are missed), remembering the gain
    ``sum(new edges) - sum(old edges)`` to each outer vertex; the best path that ends at another
    free vertex with positive gain is flipped. The search stops after the level in which it
    entered ``max_visits`` vertices. Each level is one vectorised step: the edges out of the
    frontier in order, where the first edge to reach a matched pair enters it (as a
    vertex-by-vertex search would), and the heaviest first edge to a free vertex ends a path.
    Complexity: O(max_visits · degree) per free vertex.
    """
    free = np.flatnonzero(mate < 0)
    if len(free) < 2:
        return
    n = graph.n
    matrix = sp.csr_matrix(
        (
            np.r_[graph.weight, graph.weight],
            (np.r_[graph.u, graph.v], np.r_[graph.v, graph.u]),
        ),
        shape=(n, n),
    )
    indptr = matrix.indptr.astype(np.int64)
    indices = matrix.indices.astype(np.int64)
    data = matrix.data.astype(np.int64)
    matched = mate >= 0
    mate_weight = np.zeros(n, dtype=np.int64)
    mate_weight[matched] = lookup.weights(np.flatnonzero(matched), mate[matched])
    gain = np.zeros(n, dtype=np.int64)
    stamp = np.full(n, -1, dtype=np.int64)  # stamp[v] == search: v is in the current tree
    parent_x = np.zeros(n, dtype=np.int64)  # outer z -> (outer x, inner y, w(x, y))
    parent_y = np.zeros(n, dtype=np.int64)
    parent_w = np.zeros(n, dtype=np.int64)
    for search, u in enumerate(free.tolist()):
        if mate[u] >= 0 or indptr[u] == indptr[u + 1]:
            continue
        stamp[u] = search
        gain[u] = 0
        frontier = np.array([u], dtype=np.int64)
        best_gain, best_end = 0, None
        visits = 0
        while len(frontier) and visits < max_visits:
            starts, counts = indptr[frontier], indptr[frontier + 1] - indptr[frontier]
            total = int(counts.sum())
            first = np.cumsum(counts) - counts
            edge = np.repeat(starts - first, counts) + np.arange(total)
            x = np.repeat(frontier, counts)
            y, w = indices[edge], data[edge]
            fresh = stamp[y] != search
            x, y, w = x[fresh], y[fresh], w[fresh]
            reach = gain[x] + w
            z = mate[y]
            ends = np.flatnonzero(z < 0)
            if len(ends):
                k = ends[int(np.argmax(reach[ends]))]
                if reach[k] > best_gain:
                    best_gain, best_end = int(reach[k]), (int(x[k]), int(y[k]), int(w[k]))
            inner = np.flatnonzero(z >= 0)
            _, once = np.unique(np.minimum(y[inner], z[inner]), return_index=True)
            chosen = inner[np.sort(once)]
            x, y, z, w, reach = x[chosen], y[chosen], z[chosen], w[chosen], reach[chosen]
            stamp[y] = stamp[z] = search
            gain[y] = reach
            gain[z] = reach - mate_weight[y]
            parent_x[z], parent_y[z], parent_w[z] = x, y, w
            visits += len(z)
            frontier = z
        if best_end is None:
            continue
        px, py, pw = best_end
        while True:  # flip the path back to u
            mate[px], mate[py] = py, px
            mate_weight[px] = mate_weight[py] = pw
            if px == u:
                break
            px, py, pw = int(parent_x[px]), int(parent_y[px]), int(parent_w[px])
