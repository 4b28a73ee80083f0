"""For knowledge authors: kb check, lint, knowledge cases and their coverage,
mutation analysis, and views of the rule base (list, show, graph)."""
