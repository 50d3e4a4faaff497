"""The fixed vocabulary of the contract: dimension slugs and the 1–5 scale."""

SERVICE_DIMENSIONS = ("willingness", "ownership", "responsiveness", "reliability", "courtesy", "communication")
EXPECTATION = "expectation"
ALL_DIMENSIONS = (*SERVICE_DIMENSIONS, EXPECTATION)
OVERALL = "overall"

SCALE = {1: "Very poor", 2: "Poor", 3: "Acceptable", 4: "Good", 5: "Excellent"}
EXPECTATION_SCALE = {1: "Very low", 2: "Low", 3: "Moderate", 4: "High", 5: "Very high"}
FAVORABLE_MIN = 4
