"""What the survey app tells the apps above it, without importing them."""

from django.dispatch import Signal

# Sent once a cycle's results have been published, after the transaction commits; kwargs: cycle.
results_published = Signal()
