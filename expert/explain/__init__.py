"""Explanations of a consultation: HOW proof trees, WHY-NOT with counterfactuals,
rule status, and what-if."""
