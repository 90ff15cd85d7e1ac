"""Time zones as MongoDB's date operators understand them.

MongoDB accepts an Olson/IANA identifier ("America/New_York", "UTC", "GMT") or a UTC
offset written ``+/-hh``, ``+/-hhmm`` or ``+/-hh:mm``; anything else is error 40485. Dates
in the engine are naive ``datetime`` objects in UTC (pymongo's default decoding), so this
module converts between those UTC instants and local wall-clock times.
"""

from __future__ import annotations

import datetime
import re
import zoneinfo

from ..errors import MongoError

UTC = datetime.timezone.utc
EPOCH = datetime.datetime(1970, 1, 1)
_OFFSET_RE = re.compile(r'^([+-])(\d\d)(?::?(\d\d))?$')


class TimeZone:
    """A parsed MongoDB timezone argument."""

    def __init__(self, spec=None):
        self.spec = spec
        self.is_utc = False
        if spec is None or spec == 'UTC':
            self.zone = UTC
            self.is_utc = True
            return
        if not isinstance(spec, str):
            raise MongoError(40517, f"timezone must evaluate to a string, found {type(spec).__name__}")
        match = _OFFSET_RE.match(spec)
        if match and (len(spec) in (3, 5, 6)) and (len(spec) != 5 or ':' not in spec):
            sign = 1 if match.group(1) == '+' else -1
            hours = int(match.group(2))
            minutes = int(match.group(3) or 0)
            offset = datetime.timedelta(hours=hours, minutes=minutes) * sign
            self.zone = datetime.timezone(offset)
            self.is_utc = offset == datetime.timedelta(0)
            return
        try:
            if spec.startswith('/') or '..' in spec:
                raise ValueError(spec)
            self.zone = zoneinfo.ZoneInfo(spec)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
            raise MongoError(40485, f'unrecognized time zone identifier: "{spec}"') from None

    # -- conversions -------------------------------------------------------------------
    def to_local(self, utc_naive: datetime.datetime) -> datetime.datetime:
        """Wall-clock time (naive) of a UTC instant in this zone."""
        if self.is_utc:
            return utc_naive
        return utc_naive.replace(tzinfo=UTC).astimezone(self.zone).replace(tzinfo=None)

    def utc_offset(self, utc_naive: datetime.datetime) -> datetime.timedelta:
        if self.is_utc:
            return datetime.timedelta(0)
        return utc_naive.replace(tzinfo=UTC).astimezone(self.zone).utcoffset()

    def from_local(self, local_naive: datetime.datetime) -> datetime.datetime:
        """UTC instant (naive) of a wall-clock time in this zone (first one if ambiguous)."""
        if self.is_utc:
            return local_naive
        aware = local_naive.replace(tzinfo=self.zone, fold=0)
        return aware.astimezone(UTC).replace(tzinfo=None)


def to_millis(value: datetime.datetime) -> int:
    return (value - EPOCH) // datetime.timedelta(milliseconds=1)


def from_millis(millis: int) -> datetime.datetime:
    return EPOCH + datetime.timedelta(milliseconds=int(millis))
