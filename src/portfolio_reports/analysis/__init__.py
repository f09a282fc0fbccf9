"""Analysis layer: which rows belong to a report, and the summaries computed from them."""
