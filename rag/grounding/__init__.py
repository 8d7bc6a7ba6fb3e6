"""Grounding, shared by answers and summaries: the passages as numbered (:mod:`.passages`),
sentence similarity (:mod:`.similarity`), the citation check (:mod:`.citations`), when to
abstain (:mod:`.abstain`), passage sentences quoted as answers (:mod:`.quotes`), sentences
that address the model (:mod:`.directives`), disagreement between sentences
(:mod:`.disagreement`), figures as numbers (:mod:`.numbers`) and text helpers (:mod:`.text`).
Pure functions, given a similarity function."""
