"""Personal stage: per-patient plans, sheets stamped on cached pages, and batches."""
