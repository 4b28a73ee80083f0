"""The report's voice: sentences that tell people not to worry, and a text without
them (what is said while a warning sign is present or unchecked)."""

from __future__ import annotations

import functools

from .reading import sentences, words
from .sealed import lexicon


def reassuring(sentence: str) -> bool:
    """Whether a sentence tells people not to worry (harmless, common, nothing needs a
    doctor)."""
    t = [w.text for w in words(sentence)]
    return bool(lexicon().reassurance.find(t))


@functools.lru_cache(maxsize=16384)
def calm(text: str) -> str:
    """``text`` without its reassuring sentences ("" when nothing else is left)."""
    kept = [s for s in sentences(text) if not reassuring(s)]
    return " ".join(kept)
