"""Arithmetic expression operators with MongoDB's result types.

mongomock_ng returns Python's types: ``$floor: 2.5`` gives int 2 (MongoDB: double 2.0),
``$mod`` always a double (math.fmod), ``$pow`` always a double, ``$subtract`` of two dates an
int32-sized int (MongoDB: long milliseconds), ``$round`` without a place an int, and
``$divide`` by zero crashes. These handlers return what mongod returns; int64 stickiness
itself comes from ``numeric.py``.
"""

from __future__ import annotations

import datetime
import decimal
import math

import bson

from .. import bsonvalues
from ..errors import MongoError
from ..numeric import INT32_MAX, INT32_MIN, as_long, is_long
from . import MISSING, evaluate, is_nullish, operator, single_argument, type_name


def _args(name: str, args, count=None):
    if not isinstance(args, list):
        args = [args]
    if count is not None and len(args) not in (count if isinstance(count, tuple) else (count,)):
        raise MongoError(16020, f'Expression {name} takes exactly {count} arguments. '
                                f'{len(args)} were passed in.')
    return args


def _to_decimal(value) -> decimal.Decimal:
    if isinstance(value, bson.Decimal128):
        return value.to_decimal()
    if isinstance(value, float):
        return decimal.Decimal(repr(value))
    return decimal.Decimal(int(value))


def _integral_result(value: int, operands) -> object:
    """Type of an integer result: long if any operand was long, else int32 or long by size."""
    if any(is_long(v) for v in operands):
        return as_long(value)
    if INT32_MIN <= value <= INT32_MAX:
        return int(value)
    return as_long(value)


def _numeric_result(raw, operands):
    if any(isinstance(v, bson.Decimal128) for v in operands):
        return bson.Decimal128(raw if isinstance(raw, decimal.Decimal) else _to_decimal(raw))
    if any(isinstance(v, float) for v in operands):
        return float(raw)
    return _integral_result(int(raw), operands)


@operator('$add')
def _add(parser, args):
    values = [evaluate(parser, a) for a in _args('$add', args)]
    if any(is_nullish(v) for v in values):
        return None
    dates = [v for v in values if isinstance(v, datetime.datetime)]
    if len(dates) > 1:
        raise MongoError(16612, 'only one date allowed in an $add expression')
    numbers = []
    for value in values:
        if isinstance(value, datetime.datetime):
            continue
        if not bsonvalues.is_number(value):
            raise MongoError(16554, f'$add only supports numeric or date types, not '
                                    f'{type_name(value)}')
        numbers.append(value)
    if dates:
        millis = sum(_to_decimal(n) for n in numbers)
        return dates[0] + datetime.timedelta(milliseconds=int(millis.to_integral_value(
            rounding=decimal.ROUND_HALF_EVEN)))
    if any(isinstance(v, bson.Decimal128) for v in numbers):
        return bson.Decimal128(sum((_to_decimal(v) for v in numbers), decimal.Decimal(0)))
    if any(isinstance(v, float) for v in numbers):
        return float(math.fsum(float(v) for v in numbers))
    return _integral_result(sum(int(v) for v in numbers), numbers)


@operator('$multiply')
def _multiply(parser, args):
    values = [evaluate(parser, a) for a in _args('$multiply', args)]
    if any(is_nullish(v) for v in values):
        return None
    for value in values:
        if not bsonvalues.is_number(value):
            raise MongoError(16555, f'$multiply only supports numeric types, not '
                                    f'{type_name(value)}')
    if any(isinstance(v, bson.Decimal128) for v in values):
        product = decimal.Decimal(1)
        for v in values:
            product *= _to_decimal(v)
        return bson.Decimal128(product)
    if any(isinstance(v, float) for v in values):
        product = 1.0
        for v in values:
            product *= float(v)
        return product
    product = 1
    for v in values:
        product *= int(v)
    return _integral_result(product, values)


@operator('$subtract')
def _subtract(parser, args):
    a, b = (evaluate(parser, x) for x in _args('$subtract', args, 2))
    if is_nullish(a) or is_nullish(b):
        return None
    if isinstance(a, datetime.datetime):
        if isinstance(b, datetime.datetime):
            return as_long((a - b) // datetime.timedelta(milliseconds=1))
        if bsonvalues.is_number(b):
            millis = _to_decimal(b).to_integral_value(rounding=decimal.ROUND_HALF_EVEN)
            return a - datetime.timedelta(milliseconds=int(millis))
    elif bsonvalues.is_number(a) and bsonvalues.is_number(b):
        if isinstance(a, bson.Decimal128) or isinstance(b, bson.Decimal128):
            return bson.Decimal128(_to_decimal(a) - _to_decimal(b))
        if isinstance(a, float) or isinstance(b, float):
            return float(a) - float(b)
        return _integral_result(int(a) - int(b), (a, b))
    elif isinstance(b, datetime.datetime):
        raise MongoError(16556, f"cant $subtract a date from a {type_name(a)}")
    raise MongoError(16556, f"cant $subtract a {type_name(b)} from a {type_name(a)}")


@operator('$divide')
def _divide(parser, args):
    a, b = (evaluate(parser, x) for x in _args('$divide', args, 2))
    if is_nullish(a) or is_nullish(b):
        return None
    if not (bsonvalues.is_number(a) and bsonvalues.is_number(b)):
        raise MongoError(16609, f'$divide only supports numeric types, not {type_name(a)} and '
                                f'{type_name(b)}')
    if isinstance(a, bson.Decimal128) or isinstance(b, bson.Decimal128):
        if _to_decimal(b) == 0:
            raise MongoError(2, "can't $divide by zero")
        return bson.Decimal128(_to_decimal(a) / _to_decimal(b))
    if float(b) == 0:
        raise MongoError(2, "can't $divide by zero")
    return float(a) / float(b)


@operator('$mod')
def _mod(parser, args):
    a, b = (evaluate(parser, x) for x in _args('$mod', args, 2))
    if is_nullish(a) or is_nullish(b):
        return None
    if not (bsonvalues.is_number(a) and bsonvalues.is_number(b)):
        raise MongoError(16611, f'$mod only supports numeric types, not {type_name(a)} and '
                                f'{type_name(b)}')
    if isinstance(a, bson.Decimal128) or isinstance(b, bson.Decimal128):
        if _to_decimal(b) == 0:
            raise MongoError(16610, "can't $mod by zero")
        return bson.Decimal128(_to_decimal(a) % _to_decimal(b))
    if isinstance(a, float) or isinstance(b, float):
        if float(b) == 0:
            raise MongoError(16610, "can't $mod by zero")
        return math.fmod(float(a), float(b))
    if int(b) == 0:
        raise MongoError(16610, "can't $mod by zero")
    remainder = abs(int(a)) % abs(int(b))
    return _integral_result(-remainder if int(a) < 0 else remainder, (a, b))


@operator('$pow')
def _pow(parser, args):
    base, exponent = (evaluate(parser, x) for x in _args('$pow', args, 2))
    if is_nullish(base) or is_nullish(exponent):
        return None
    if not (bsonvalues.is_number(base) and bsonvalues.is_number(exponent)):
        raise MongoError(28762, f'$pow only supports numeric types, not {type_name(base)} and '
                                f'{type_name(exponent)}')
    if isinstance(base, bson.Decimal128) or isinstance(exponent, bson.Decimal128):
        return bson.Decimal128(_to_decimal(base) ** _to_decimal(exponent))
    if isinstance(base, float) or isinstance(exponent, float):
        try:
            return math.pow(float(base), float(exponent))
        except (OverflowError, ValueError):
            return float('inf') if float(base) > 0 else float('nan')
    base_i, exp_i = int(base), int(exponent)
    if base_i == 0 and exp_i < 0:
        raise MongoError(28764, '$pow cannot take a base of 0 and a negative exponent')
    if exp_i < 0:
        if base_i in (1, -1):
            return _integral_result(base_i ** exp_i if base_i == 1 else (-1) ** (-exp_i),
                                    (base, exponent))
        return math.pow(base_i, exp_i)
    result = base_i ** exp_i
    if result.bit_length() > 63:
        return float(result)
    return _integral_result(result, (base, exponent))


def _place_operator(name: str, mode: str):
    def handler(parser, args):
        args = _args(name, args, (1, 2))
        number = evaluate(parser, args[0])
        place = evaluate(parser, args[1]) if len(args) > 1 else 0
        if is_nullish(number) or is_nullish(place):
            return None
        if not bsonvalues.is_number(number):
            raise MongoError(51081, f'{name} only supports numeric types, not '
                                    f'{type_name(number)}')
        if not bsonvalues.is_number(place) or int(place) != place or not -20 <= place < 100:
            raise MongoError(51083, f"cannot apply {name} with precision value {place} value "
                                    f"must be in [-20, 100]")
        place = int(place)
        rounding = decimal.ROUND_HALF_EVEN if mode == 'round' else decimal.ROUND_DOWN
        quantum = decimal.Decimal(1).scaleb(-place)
        if isinstance(number, bson.Decimal128):
            return bson.Decimal128(number.to_decimal().quantize(quantum, rounding=rounding)
                                   if place >= 0 else
                                   (number.to_decimal() / quantum).quantize(
                                       decimal.Decimal(1), rounding=rounding) * quantum)
        if isinstance(number, float):
            if math.isnan(number) or math.isinf(number):
                return number
            value = decimal.Decimal(repr(number))
            if place >= 0:
                result = value.quantize(quantum, rounding=rounding)
            else:
                result = (value / quantum).quantize(decimal.Decimal(1), rounding=rounding) \
                    * quantum
            return float(result)
        if place >= 0:
            return number
        value = decimal.Decimal(int(number))
        result = (value / quantum).quantize(decimal.Decimal(1), rounding=rounding) * quantum
        return _integral_result(int(result), (number,))

    return handler


operator('$round')(_place_operator('$round', 'round'))
operator('$trunc')(_place_operator('$trunc', 'trunc'))


def _floor_or_ceil(name: str, function):
    def handler(parser, args):
        value = evaluate(parser, single_argument(name, args))
        if is_nullish(value):
            return None
        if not bsonvalues.is_number(value):
            raise MongoError(28765, f'{name} only supports numeric types, not '
                                    f'{type_name(value)}')
        if isinstance(value, float):
            if math.isnan(value) or math.isinf(value):
                return value
            return float(function(value))
        if isinstance(value, bson.Decimal128):
            rounding = decimal.ROUND_FLOOR if function is math.floor else decimal.ROUND_CEILING
            return bson.Decimal128(value.to_decimal().to_integral_value(rounding=rounding))
        return value

    return handler


operator('$floor')(_floor_or_ceil('$floor', math.floor))
operator('$ceil')(_floor_or_ceil('$ceil', math.ceil))


@operator('$abs')
def _abs(parser, args):
    value = evaluate(parser, single_argument('$abs', args))
    if is_nullish(value):
        return None
    if not bsonvalues.is_number(value):
        raise MongoError(28765, f'$abs only supports numeric types, not {type_name(value)}')
    if isinstance(value, bson.Decimal128):
        return bson.Decimal128(abs(value.to_decimal()))
    if isinstance(value, float):
        return abs(value)
    return _integral_result(abs(int(value)), (value,))


def _accumulator_expression(name: str, combine):
    """$sum/$avg/$min/$max used as expressions (not as $group accumulators).

    One operand that evaluates to an array is traversed; with several operands arrays are
    values in their own right (mongod's ExpressionFromAccumulator).
    """

    def handler(parser, args):
        if isinstance(args, list):
            values = [evaluate(parser, a) for a in args]
            if len(values) == 1 and isinstance(values[0], list):
                values = values[0]
        else:
            value = evaluate(parser, args)
            values = value if isinstance(value, list) else [value]
        values = [None if v is MISSING else v for v in values]
        return combine(values)

    return handler


operator('$sum')(_accumulator_expression('$sum', bsonvalues.sum_numbers))
operator('$avg')(_accumulator_expression('$avg', bsonvalues.average))
operator('$min')(_accumulator_expression('$min', bsonvalues.minimum))
operator('$max')(_accumulator_expression('$max', bsonvalues.maximum))
