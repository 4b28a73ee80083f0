"""Whether a printed text is in the knowledge's language: letters of another alphabet,
or words of another language that English does not use."""

from __future__ import annotations

import functools

from .reading import fold, other_scripts
from .sealed import lexicon


@functools.lru_cache(maxsize=16384)
def foreign(text: str, language: str = "en") -> str | None:
    """Why ``text`` is not in ``language``, or None.  Only English is read by the lexicon,
    so any other declared language is refused where it is declared."""
    scripts = other_scripts(text)
    if scripts:
        return f"it has {', '.join(s.title() for s in scripts)} letters"
    lex = lexicon()
    t = fold(text).replace("'", " ").split()
    hits = [w.strip(".,;:!?()\"") for w in t]
    hits = [w for w in hits if w in lex.foreign]
    if len(hits) >= 2 or (hits and len(t) <= 4):
        languages = sorted({lex.foreign[w] for w in hits})
        names = {"fr": "French", "de": "German", "es": "Spanish", "it": "Italian",
                 "pt": "Portuguese", "nl": "Dutch", "sv": "Swedish", "pl": "Polish"}
        quoted = ", ".join(repr(w) for w in dict.fromkeys(hits))
        return f"{quoted} {'is' if len(hits) == 1 else 'are'} " + \
            " or ".join(names.get(lang, lang) for lang in languages)
    return None
