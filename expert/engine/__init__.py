"""The experta engine: facts, compiled rules, the matcher and agenda, and what a
firing concludes.  Importing this package makes experta importable first."""

from . import compat  # noqa: F401  (restores collections.Mapping before experta loads)
