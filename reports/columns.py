"""Names and encodings shared by the roll-up's frames, its SQL and the selectors that read the
snapshot. No heavy imports: the roll-up's queries run before numpy is loaded."""

# The figure columns of every snapshot row, in order: the roll-up's frames produce them, selectors read them.
FIGURE_FIELDS = (
    "respondents",
    "ratings",
    "mean",
    "favorable_pct",
    "ci_low",
    "ci_high",
    "expectation_mean",
    "gap",
    "delta",
    "delta_p_value",
    "delta_significant",
    "rank",
    "suppressed",
)

# An answer set packs one respondent's scores for one provider into one integer: the score (1–5, 0 for
# no answer) of the k-th dimension of ALL_DIMENSIONS (the six service dimensions, then expectation,
# then outcome) in bits 3k to 3k + 2. The SQL sums `score * PACK_BASE ** k` per respondent and provider: a
# respondent answers each (provider, dimension) at most once (a database constraint), so no field overflows.
PACK_BASE = 8


def answer_set_array(rows):
    """Answer sets as one (sets × 4) int64 numpy array: rater department, provider department,
    respondent key, packed scores. `rows` is that array already (the roll-up reads it so) or a
    sequence of 4-tuples (tests)."""
    import numpy as np  # here, not at the top: see this module's docstring

    if isinstance(rows, np.ndarray):
        return rows.reshape(-1, 4).astype("int64", copy=False)
    return np.array(rows, dtype="int64").reshape(-1, 4)
