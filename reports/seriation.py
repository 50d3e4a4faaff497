"""Orders of a heatmap's rows and columns that put alike rows side by side and the weak ones first,
so that at 200 departments weak regions gather into blocks instead of a wall of colour.

Pure numpy (loaded on first use). The input is the matrix of figures *as published* (None where a
cell is hidden or was never rated): an order is a function of shown figures only, so it tells
nothing that the cells themselves do not.
"""

from collections.abc import Sequence


def cluster_order(matrix: Sequence[Sequence[float | None]]) -> list[int]:
    """The rows of `matrix` in dendrogram order: average-linkage clustering (UPGMA) on the RMS
    difference of two rows over the columns both show; at each merge the weaker branch (lower mean
    of its shown figures) comes first. Rows with no shown figure go last, in their given order.
    Deterministic: ties go to the lower index."""
    import numpy as np

    x = np.array([[np.nan if v is None else float(v) for v in row] for row in matrix], dtype=float)
    if x.ndim != 2 or x.shape[0] == 0:
        return list(range(len(matrix)))
    shown = ~np.isnan(x)
    has_any = shown.any(axis=1)
    rows = np.flatnonzero(has_any)
    empty = [int(i) for i in np.flatnonzero(~has_any)]
    if len(rows) <= 1:
        return [int(i) for i in rows] + empty
    x, shown = x[rows], shown[rows]
    values = np.where(shown, x, 0.0)
    mask = shown.astype(float)
    squares = values * values
    # Sum over the columns both rows show of (a - b)^2, and how many columns that is.
    common = mask @ mask.T
    total = squares @ mask.T + mask @ squares.T - 2.0 * (values @ values.T)
    means = values.sum(axis=1) / mask.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        distance = np.sqrt(np.clip(total, 0.0, None) / common)
    # Rows that share no column: as far apart as the farthest pair that does, plus their means' gap.
    apart = common == 0
    if apart.any():
        far = np.nanmax(np.where(apart, np.nan, distance)) if (~apart).any() else 0.0
        distance[apart] = far + np.abs(means[:, None] - means[None, :])[apart]
    n = len(rows)
    np.fill_diagonal(distance, np.inf)
    size = np.ones(n)
    weight = means.copy()  # a cluster's mean figure, weighted by its rows
    members: list[list[int]] = [[i] for i in range(n)]
    alive = np.ones(n, dtype=bool)
    for _ in range(n - 1):
        flat = int(np.argmin(distance))
        i, j = divmod(flat, n)
        if j < i:
            i, j = j, i
        first, second = (members[i], members[j]) if weight[i] <= weight[j] else (members[j], members[i])
        members[i] = first + second
        members[j] = []
        merged = (size[i] * distance[i] + size[j] * distance[j]) / (size[i] + size[j])
        weight[i] = (size[i] * weight[i] + size[j] * weight[j]) / (size[i] + size[j])
        size[i] += size[j]
        alive[j] = False
        distance[i, :] = merged
        distance[:, i] = merged
        distance[j, :] = np.inf
        distance[:, j] = np.inf
        distance[i, i] = np.inf
        distance[~alive, i] = np.inf
        distance[i, ~alive] = np.inf
    root = members[int(np.flatnonzero(alive)[0])]
    return [int(rows[k]) for k in root] + empty


def heatmap_order(mean: Sequence[Sequence[float | None]]) -> dict[str, list[int]]:
    """Row (rater) and column (provider) orders of a link matrix of shown means."""
    columns = [list(column) for column in zip(*mean, strict=True)] if mean else []
    return {"rows": cluster_order(mean), "cols": cluster_order(columns)}
