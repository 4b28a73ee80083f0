"""The report's voice: sentences that tell people not to worry, and a text without
them (what is said while a warning sign is present or unchecked)."""

from __future__ import annotations

import functools

from .reading import sentences
from .sealed import lexicon
from .sentence import plainly_lacks, read


@functools.lru_cache(maxsize=16384)  # texts are written of the same sentences
def reassuring(sentence: str) -> bool:
    """Whether a sentence tells people not to worry (harmless, common, nothing needs a
    doctor)."""
    reassurance = lexicon().reassurance
    return not plainly_lacks(sentence, (reassurance,)) and bool(
        read(sentence).find(reassurance))


@functools.lru_cache(maxsize=16384)
def calm(text: str) -> str:
    """``text`` without its reassuring sentences ("" when nothing else is left)."""
    kept = [s for s in sentences(text) if not reassuring(s)]
    return " ".join(kept)
