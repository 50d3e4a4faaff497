"""An attacker's audit of published roll-up rows, written independently of `reports.differencing`.

Nodes are keyed ("L", rater, provider, dimension), ("D", department, dimension) for supplier rows
(a management row is its diagonal link, ("L", d, d, dimension)) and ("C", scope, dimension);
dimensions are slugs or "overall". For each node the audit knows whether it is hidden and, as
ground truth, the set of people whose ratings it holds. It rebuilds every "total = sum of parts"
relation a reader can use and reports:

* families whose total is shown while their hidden parts with ratings hold fewer than the minimum
  distinct raters (total minus the shown parts gives that small group away);
* hidden rows with ratings that any combination of additions and subtractions of shown rows pins
  down exactly (linear algebra: the row is zero in every solution of the homogeneous system).
"""

from collections import defaultdict

import numpy as np

from surveys.dimensions import OVERALL, ROW_DIMENSIONS, SCOPES, SERVICE_DIMENSIONS

DIMENSIONS = ROW_DIMENSIONS


def families(keys) -> list[tuple[tuple, list[tuple], str]]:
    """(total, parts, kind) for every relation among `keys` (a dict key → hidden, or a set). A
    company line pools the departments whose row is shown, and only those: where `keys` says which
    are hidden, those are not its parts."""
    hidden = keys if isinstance(keys, dict) else {}
    keys = set(keys)
    out = []
    links = {key[1:3] for key in keys if key[0] == "L"}
    for rater, provider in sorted(links):
        out.append((("L", rater, provider, OVERALL), [("L", rater, provider, d) for d in SERVICE_DIMENSIONS], "dims"))
    departments = {key[1] for key in keys if key[0] == "D"}
    for department in sorted(departments):
        out.append((("D", department, OVERALL), [("D", department, d) for d in SERVICE_DIMENSIONS], "dims"))
        for dimension in DIMENSIONS:
            parts = [("L", r, p, dimension) for r, p in sorted(links) if p == department and r != department]
            out.append((("D", department, dimension), parts, "links"))
    for scope in SCOPES:
        if ("C", scope, OVERALL) not in keys:
            continue
        out.append((("C", scope, OVERALL), [("C", scope, d) for d in SERVICE_DIMENSIONS], "company-dims"))
        for dimension in DIMENSIONS:
            if scope == "supplier":
                parts = [("D", d, dimension) for d in sorted(departments)]
            else:
                parts = [("L", d, d, dimension) for d, p in sorted(links) if d == p]
            parts = [part for part in parts if not hidden.get(part, False)]
            out.append((("C", scope, dimension), parts, "company"))
    return [(total, [p for p in parts if p in keys], kind) for total, parts, kind in out if total in keys]


def small_recoverable_groups(hidden: dict, raters: dict, minimum: int) -> list:
    """Families with a shown total whose hidden rated parts pool 1 to minimum − 1 distinct people."""
    problems = []
    for total, parts, kind in families(hidden):
        if hidden[total]:
            continue
        pooled = set().union(*(raters[p] for p in parts if hidden[p] and raters[p]))
        if 0 < len(pooled) < minimum:
            problems.append((kind, total, len(pooled)))
    return problems


def determined_hidden_rows(hidden: dict, raters: dict) -> list[tuple]:
    """Hidden rows with ratings whose figures follow exactly from the shown rows (any combination).

    Each relation is an equation total − Σ parts = 0 over the ratings (or score sums) of its rows;
    shown rows are constants. A hidden row is pinned down when it is zero in every solution of the
    homogeneous system over the hidden rows, solved per connected group of relations."""
    unknown = {key for key, is_hidden in hidden.items() if is_hidden and raters[key]}
    equations = []
    for total, parts, _ in families(hidden):
        row = defaultdict(float)
        for member, sign in ((total, 1.0), *((p, -1.0) for p in parts)):
            if member in unknown:
                row[member] += sign
        if row:
            equations.append(dict(row))
    determined = []
    for keys, rows in _components(unknown, equations):
        column = {key: i for i, key in enumerate(keys)}
        matrix = np.zeros((len(rows), len(keys)))
        for r, row in enumerate(rows):
            for key, value in row.items():
                matrix[r, column[key]] = value
        # Least squares: is e_key a combination of the equations? (residual of its projection ≈ 0)
        solution, *_ = np.linalg.lstsq(matrix.T, np.eye(len(keys)), rcond=None)
        residual = np.abs(matrix.T @ solution - np.eye(len(keys))).max(axis=0)
        determined += [key for key in keys if residual[column[key]] < 1e-6]
    return determined


def _components(unknown: set, equations: list[dict]):
    """Groups of hidden rows linked by equations, each with its equations (union-find)."""
    parent = {key: key for key in unknown}

    def find(key):
        while parent[key] != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    for row in equations:
        first, *rest = row
        for key in rest:
            parent[find(key)] = find(first)
    groups, rows = defaultdict(list), defaultdict(list)
    for key in sorted(unknown, key=str):
        groups[find(key)].append(key)
    for row in equations:
        rows[find(next(iter(row)))].append(row)
    # A hidden row in no equation with a shown total is free: nothing pins it down.
    return [(keys, rows[root]) for root, keys in groups.items() if rows[root]]
