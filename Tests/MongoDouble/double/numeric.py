"""MongoDB's numeric type promotion for int64 values.

pymongo's bson decodes BSON int64 as ``bson.int64.Int64``, a plain ``int`` subclass, and
encodes a plain ``int`` as int32 whenever it fits. ``Int64(5) + 1`` is a plain ``int``, so
every int64 that mongomock_ng does arithmetic on ($inc, $sum, $add, ...) came back as int32
(fault 2 of the design notes).

MongoDB's rules are: int32 op int32 -> int32, or int64 on overflow (pymongo already encodes
a Python int that does not fit in int32 as int64, so that half needs nothing); anything op
int64 -> int64, or double on overflow; anything op double -> double. Making ``Int64``
"sticky" under integer arithmetic gives exactly that everywhere the engine computes, rather
than patching each operator.

This changes the ``Int64`` class for the whole double process, which is only the double.
"""

from __future__ import annotations

import decimal

from bson.decimal128 import Decimal128
from bson.int64 import Int64

INT32_MIN, INT32_MAX = -(2 ** 31), 2 ** 31 - 1
INT64_MIN, INT64_MAX = -(2 ** 63), 2 ** 63 - 1


def as_long(value: int):
    """An integer result that must be int64: Int64, or a double if it overflows."""
    if INT64_MIN <= value <= INT64_MAX:
        return Int64(value)
    return float(value)


def normalize_int(value):
    """A plain int result of int32 arithmetic: int32 or int64 (by size), double beyond."""
    if isinstance(value, bool) or not isinstance(value, int) or isinstance(value, Int64):
        return value
    if INT32_MIN <= value <= INT32_MAX:
        return value
    return as_long(value)


def is_long(value) -> bool:
    return isinstance(value, Int64) or (
        isinstance(value, int) and not isinstance(value, bool)
        and not INT32_MIN <= value <= INT32_MAX)


def _sticky_binary(name):
    base = getattr(int, name)

    def op(self, other):
        result = base(self, other)
        if result is NotImplemented:
            return result
        if isinstance(other, int) and isinstance(result, int):
            return as_long(result)
        return result

    op.__name__ = name
    return op


def _sticky_unary(name):
    base = getattr(int, name)

    def op(self, *args):
        result = base(self, *args)
        if isinstance(result, int) and not isinstance(result, bool):
            return as_long(result)
        return result

    op.__name__ = name
    return op


_BINARY = ('__add__', '__radd__', '__sub__', '__rsub__', '__mul__', '__rmul__',
           '__floordiv__', '__rfloordiv__', '__mod__', '__rmod__', '__pow__', '__rpow__',
           '__and__', '__rand__', '__or__', '__ror__', '__xor__', '__rxor__',
           '__lshift__', '__rshift__')
_UNARY = ('__neg__', '__pos__', '__abs__', '__invert__', '__round__', '__floor__',
          '__ceil__', '__trunc__')

_installed = False


def install() -> None:
    """Make Int64 keep its type through integer arithmetic (idempotent)."""
    global _installed
    if _installed:
        return
    for name in _BINARY:
        setattr(Int64, name, _sticky_binary(name))
    for name in _UNARY:
        setattr(Int64, name, _sticky_unary(name))
    _installed = True


def _is_number(value) -> bool:
    return isinstance(value, (int, float, Decimal128)) and not isinstance(value, bool)


def _decimal(value) -> decimal.Decimal:
    if isinstance(value, Decimal128):
        return value.to_decimal()
    if isinstance(value, float):
        return decimal.Decimal(repr(value))
    return decimal.Decimal(int(value))


def _integral(result: int, operands):
    if any(is_long(v) for v in operands):
        return as_long(result)
    return normalize_int(result)


def add(a, b):
    """a + b with MongoDB's result type (used by $inc)."""
    if isinstance(a, Decimal128) or isinstance(b, Decimal128):
        return Decimal128(_decimal(a) + _decimal(b))
    if isinstance(a, float) or isinstance(b, float):
        return float(a) + float(b)
    return _integral(int(a) + int(b), (a, b))


def multiply(a, b):
    """a * b with MongoDB's result type (used by $mul)."""
    if isinstance(a, Decimal128) or isinstance(b, Decimal128):
        return Decimal128(_decimal(a) * _decimal(b))
    if isinstance(a, float) or isinstance(b, float):
        return float(a) * float(b)
    return _integral(int(a) * int(b), (a, b))


def zero_like(value):
    """The zero of ``value``'s numeric type ($mul on a missing field)."""
    if isinstance(value, Decimal128):
        return Decimal128('0')
    if isinstance(value, float):
        return 0.0
    if is_long(value):
        return Int64(0)
    return 0
