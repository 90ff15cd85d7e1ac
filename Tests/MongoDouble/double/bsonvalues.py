"""BSON value semantics shared by the operators, accumulators and indexes.

MongoDB compares values across types in a fixed order (null < numbers < strings < objects
< arrays < binData < ObjectId < bool < date < ...) and numbers by value regardless of their
BSON type; sums follow the numeric promotion rules of ``numeric.py``. Python's own ``min``,
``max``, ``sorted`` and ``==`` do neither (``True == 1``; ``min([1, 'a'])`` raises), so
everything that must order or deduplicate values goes through here. Ordering reuses
mongomock_ng's ``filtering.bson_compare``.
"""

from __future__ import annotations

import decimal
import functools
import operator

import bson
from mongomock_ng import filtering
from sentinels import NOTHING

from .numeric import normalize_int


def is_number(value) -> bool:
    return (isinstance(value, (int, float, bson.Decimal128))
            and not isinstance(value, bool))


def compare(a, b) -> int:
    """-1, 0 or 1 in MongoDB's comparison order (missing sorts as null)."""
    a = None if a is NOTHING else a
    b = None if b is NOTHING else b
    if filtering.bson_compare(operator.lt, a, b):
        return -1
    if filtering.bson_compare(operator.gt, a, b):
        return 1
    return 0


sort_key = functools.cmp_to_key(compare)


def equal(a, b) -> bool:
    """MongoDB value equality: numbers by value (not bool), documents and arrays deeply."""
    if is_number(a) and is_number(b):
        return _as_comparable_number(a) == _as_comparable_number(b)
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return (list(a.keys()) == list(b.keys())
                and all(equal(a[k], b[k]) for k in a))
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(equal(x, y) for x, y in zip(a, b))
    if type(a) is not type(b) and not (isinstance(a, bytes) and isinstance(b, bytes)):
        return False
    return a == b


def _as_comparable_number(value):
    if isinstance(value, bson.Decimal128):
        return value.to_decimal()
    return value


def hashable(value):
    """A hashable key such that equal() values get equal keys (for dedup and grouping)."""
    if is_number(value):
        number = _as_comparable_number(value)
        if isinstance(number, float) and number.is_integer():
            number = int(number)
        return ('n', number)
    if isinstance(value, bool):
        return ('b', value)
    if isinstance(value, dict):
        return ('o', tuple((k, hashable(v)) for k, v in value.items()))
    if isinstance(value, (list, tuple)):
        return ('a', tuple(hashable(v) for v in value))
    if value is NOTHING:
        return ('null', None)
    try:
        hash(value)
    except TypeError:
        return ('r', repr(value))
    return (type(value).__name__, value)


def sum_numbers(values):
    """$sum: numeric values only (others ignored), with MongoDB's type promotion."""
    total = 0
    use_decimal = False
    for value in values:
        if not is_number(value):
            continue
        if isinstance(value, bson.Decimal128):
            use_decimal = True
            value = value.to_decimal()
        if use_decimal and isinstance(total, float):
            total = decimal.Decimal(repr(total))
        if isinstance(value, float) and isinstance(total, decimal.Decimal):
            value = decimal.Decimal(repr(value))
        total = total + value
    if use_decimal:
        return bson.Decimal128(decimal.Decimal(total))
    return normalize_int(total)


def average(values):
    numbers = [v for v in values if is_number(v)]
    if not numbers:
        return None
    if any(isinstance(v, bson.Decimal128) for v in numbers):
        total = sum(decimal.Decimal(str(_as_comparable_number(v))) for v in numbers)
        return bson.Decimal128(total / len(numbers))
    return float(sum(float(v) for v in numbers)) / len(numbers)


def minimum(values):
    present = [v for v in values if v is not None and v is not NOTHING]
    if not present:
        return None
    return min(present, key=sort_key)


def maximum(values):
    present = [v for v in values if v is not None and v is not NOTHING]
    if not present:
        return None
    return max(present, key=sort_key)
