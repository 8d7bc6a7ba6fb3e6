"""Cited summaries of a topic, an article, a date range, an outlet or the whole corpus
(``rag summarize`` and the Summaries tab): map-reduce over the selected passages, every
sentence's citations checked as answers are."""
