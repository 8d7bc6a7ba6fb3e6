"""Regression question sets: load them, run them, score them, keep a history, compare
with a baseline (``rag eval``)."""
