"""The report: the JSON contract, and the text and Markdown drawn from it."""
