"""Consultations: checked answers in, conclusions out; sessions on disk, the
question planner and the interactive dialogue."""
