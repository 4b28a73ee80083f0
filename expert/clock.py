"""When a report is made: one moment, read once, in the forms the reports print.

``SOURCE_DATE_EPOCH`` (seconds, as reproducible builds use it) fixes the moment, shown
in UTC; otherwise it is now, in local time.  Plain ``time``, not ``datetime``: a
consultation's cold start pays for every module it imports.
"""

from __future__ import annotations

import os
import time
from typing import NamedTuple


class Moment(NamedTuple):
    seconds: int
    utc: bool = False

    def _parts(self) -> time.struct_time:
        return time.gmtime(self.seconds) if self.utc else time.localtime(self.seconds)

    def iso(self) -> str:
        """``2025-12-03T09:00:00+00:00``: ISO 8601 with the offset, as FHIR and JSON read it."""
        parts = self._parts()
        offset = 0 if self.utc else parts.tm_gmtoff or 0
        sign, offset = "+" if offset >= 0 else "-", abs(offset)
        return (time.strftime("%Y-%m-%dT%H:%M:%S", parts)
                + f"{sign}{offset // 3600:02d}:{offset % 3600 // 60:02d}")

    def spoken(self) -> str:
        """``03 December 2025, 09:00 UTC``: as a person reads it."""
        zone = "UTC" if self.utc else time.strftime("%Z", self._parts())
        return f"{time.strftime('%d %B %Y, %H:%M', self._parts())} {zone}".strip()

    def stamp(self) -> str:
        """``20251203-090000``: for file names, sorting as time does."""
        return time.strftime("%Y%m%d-%H%M%S", self._parts())


def now() -> Moment:
    fixed = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if fixed.isdigit():
        return Moment(int(fixed), True)
    return Moment(int(time.time()))
