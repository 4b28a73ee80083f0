"""The rule language: conditions, certainty factors, and the knowledge base as data.

The lowest layer: nothing here knows about files, experta or the terminal.
"""
