"""The dashboard: the read side of the five-year plan's targets, its API and its live stream."""
