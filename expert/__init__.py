"""twitchdx's engine: knowledge loading, rule compilation, consultations, explanations.

Kept import-free on purpose: ``import expert`` costs nothing, and each command
imports only the modules it uses.
"""

__version__ = "0.1.0"
