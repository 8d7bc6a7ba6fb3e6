"""Reading a question before retrieval: outlets and dates it names (:mod:`.hints`), dates
relative to now (:mod:`.relative_dates`), follow-ups made standalone (:mod:`.followup`).
Pure functions."""
