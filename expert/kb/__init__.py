"""Knowledge from files: safe YAML with lines, JSON Schemas, building and checking a
KnowledgeBase, ordering rules into strata, and loading (cached) from folders."""
