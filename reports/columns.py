"""Column names shared by the roll-up's pure frames and the selectors that read the snapshot."""

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
