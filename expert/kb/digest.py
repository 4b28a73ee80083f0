"""SHA-256 and BLAKE2b without loading OpenSSL.

``import hashlib`` loads OpenSSL's libcrypto (4 to 8 ms on this project's machines)
for a cold consultation to hash a few kilobytes of knowledge into the cache's key;
without it a cold start took 0.98x as long (paired, 60 runs).  CPython ships SHA-256
in a module of its own as well (``_sha2`` from 3.12, ``_sha256`` before), and its
own ``random`` module imports that one first for the same reason.  The digests are
the same (tests/test_loader.py).

The knowledge cache's key is a BLAKE2b (``_blake2``, which hashlib imports as well):
it hashes the knowledge files on every start, at three times SHA-256's speed here
(0.12 against 0.46 ms for the shipped files).  SHA-256 stays the report's knowledge
hash, which other programs compare.
"""

from __future__ import annotations

import functools
from typing import Any

try:
    from _blake2 import blake2b  # type: ignore[import-not-found]
except ImportError:  # pragma: no cover - a build without it
    from hashlib import blake2b  # type: ignore[assignment]

__all__ = ["blake2b", "sha256"]


def sha256(data: bytes = b"") -> Any:
    """A SHA-256 hash of ``data`` (``update`` and ``hexdigest`` as hashlib's), its module
    imported when first asked for: a start that finds its base cached never is."""
    return _sha256()(data)


@functools.cache
def _sha256() -> Any:
    try:
        from _sha2 import sha256  # type: ignore[import-not-found]  # Python 3.12 and later
    except ImportError:
        try:
            from _sha256 import sha256  # type: ignore[import-not-found,no-redef]
        except ImportError:  # pragma: no cover - a build without it: OpenSSL's, as ever
            from hashlib import sha256  # type: ignore[assignment]
    return sha256
