"""Type and conversion operators: $type, $convert and the $toX shorthands.

mongomock_ng's versions lose types ($toLong gives an int32-sized int), misformat dates in
$toString (no seconds when they are zero), keep timezone-aware datetimes from $toDate, report
``int``/``long`` by magnitude in $type, and evaluate $convert's input twice (so a string
value that starts with ``$`` is re-read as a field path). These follow the conversion table
of MongoDB's $convert manual page.
"""

from __future__ import annotations

import datetime
import decimal
import math
import re

import bson
from bson.int64 import Int64

from .. import bsonvalues
from ..errors import MongoError
from ..numeric import INT32_MAX, INT32_MIN, INT64_MAX, INT64_MIN, as_long
from . import MISSING, evaluate, is_nullish, named_arguments, operator, single_argument
from .timezones import EPOCH, from_millis, to_millis


def bson_type_name(value) -> str:
    """The BSON type alias $type reports for a value."""
    if value is MISSING:
        return 'missing'
    if value is None:
        return 'null'
    if isinstance(value, bool):
        return 'bool'
    if isinstance(value, Int64):
        return 'long'
    if isinstance(value, int):
        return 'int' if INT32_MIN <= value <= INT32_MAX else 'long'
    if isinstance(value, float):
        return 'double'
    if isinstance(value, bson.Decimal128):
        return 'decimal'
    if isinstance(value, str):
        return 'string'
    if isinstance(value, bson.DBRef):
        return 'object'
    if isinstance(value, dict):
        return 'object'
    if isinstance(value, (list, tuple)):
        return 'array'
    if isinstance(value, bson.ObjectId):
        return 'objectId'
    if isinstance(value, datetime.datetime):
        return 'date'
    if isinstance(value, bson.Timestamp):
        return 'timestamp'
    if isinstance(value, (bson.Regex, re.Pattern)):
        return 'regex'
    if isinstance(value, bson.Code):
        return 'javascriptWithScope' if value.scope else 'javascript'
    if isinstance(value, (bytes, bson.Binary)):
        return 'binData'
    if isinstance(value, bson.MinKey):
        return 'minKey'
    if isinstance(value, bson.MaxKey):
        return 'maxKey'
    return type(value).__name__


@operator('$type')
def _type(parser, args):
    return bson_type_name(evaluate(parser, single_argument('$type', args)))


@operator('$isNumber')
def _is_number(parser, args):
    return bsonvalues.is_number(evaluate(parser, single_argument('$isNumber', args)))


class ConversionError(MongoError):
    def __init__(self, message):
        super().__init__(241, message)


def _unsupported(value, target):
    return ConversionError(f"Unsupported conversion from {bson_type_name(value)} to {target} "
                           f"in $convert with no onError value")


_INT_RE = re.compile(r'^[+-]?\d+$')
_FLOAT_RE = re.compile(r'^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$|^[+-]?(inf|infinity|nan)$',
                       re.IGNORECASE)


def to_double(value):
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, float):
        return value
    if isinstance(value, int):
        return float(value)
    if isinstance(value, bson.Decimal128):
        return float(value.to_decimal())
    if isinstance(value, str):
        if not _FLOAT_RE.match(value.strip()) or value != value.strip():
            raise ConversionError(f"Failed to parse number '{value}' in $convert with no "
                                  f"onError value: Did not consume whole string.")
        return float(value)
    if isinstance(value, datetime.datetime):
        return float(to_millis(value))
    raise _unsupported(value, 'double')


def _integral(value, target, low, high):
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        number = int(value)
    elif isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            raise ConversionError(f"Attempt to convert NaN or infinity value to integer type "
                                  f"in $convert with no onError value: {value}")
        number = int(value)
    elif isinstance(value, bson.Decimal128):
        dec = value.to_decimal()
        if not dec.is_finite():
            raise ConversionError(f"Attempt to convert NaN or infinity value to integer type "
                                  f"in $convert with no onError value: {dec}")
        number = int(dec)
    elif isinstance(value, str):
        if not _INT_RE.match(value):
            raise ConversionError(f"Failed to parse number '{value}' in $convert with no "
                                  f"onError value: Did not consume whole string.")
        number = int(value)
    elif isinstance(value, datetime.datetime) and target == 'long':
        number = to_millis(value)
    else:
        raise _unsupported(value, target)
    if not low <= number <= high:
        raise ConversionError(f"Conversion would overflow target type in $convert with no "
                              f"onError value: {value}")
    return number


def to_int(value):
    return int(_integral(value, 'int', INT32_MIN, INT32_MAX))


def to_long(value):
    return as_long(_integral(value, 'long', INT64_MIN, INT64_MAX))


def to_decimal(value):
    if isinstance(value, bool):
        return bson.Decimal128('1' if value else '0')
    if isinstance(value, bson.Decimal128):
        return value
    if isinstance(value, int):
        return bson.Decimal128(str(int(value)))
    if isinstance(value, float):
        return bson.Decimal128(decimal.Decimal(repr(value)))
    if isinstance(value, str):
        try:
            return bson.Decimal128(value)
        except (decimal.InvalidOperation, ValueError):
            raise ConversionError(f"Failed to parse number '{value}' in $convert with no "
                                  f"onError value: Failed to parse string to decimal") from None
    if isinstance(value, datetime.datetime):
        return bson.Decimal128(str(to_millis(value)))
    raise _unsupported(value, 'decimal')


def to_bool(value):
    if isinstance(value, bool):
        return value
    if bsonvalues.is_number(value):
        if isinstance(value, bson.Decimal128):
            return value.to_decimal() != 0
        return value != 0
    return True


def format_double(value: float) -> str:
    if math.isnan(value):
        return 'NaN'
    if math.isinf(value):
        return 'Infinity' if value > 0 else '-Infinity'
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value)


def format_date(value: datetime.datetime) -> str:
    return value.strftime('%Y-%m-%dT%H:%M:%S.') + f'{value.microsecond // 1000:03d}Z'


def to_string(value):
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return 'true' if value else 'false'
    if isinstance(value, float):
        return format_double(value)
    if isinstance(value, int):
        return str(int(value))
    if isinstance(value, bson.Decimal128):
        return str(value.to_decimal())
    if isinstance(value, bson.ObjectId):
        return str(value)
    if isinstance(value, datetime.datetime):
        return format_date(coerce_naive(value))
    raise _unsupported(value, 'string')


def to_object_id(value):
    if isinstance(value, bson.ObjectId):
        return value
    if isinstance(value, str):
        try:
            return bson.ObjectId(value)
        except (bson.errors.InvalidId, TypeError):
            raise ConversionError(f"Failed to parse objectId '{value}' in $convert with no "
                                  f"onError value: Invalid string length for parsing to "
                                  f"OID, expected 24 but found {len(value)}") from None
    raise _unsupported(value, 'objectId')


def coerce_naive(value: datetime.datetime) -> datetime.datetime:
    if value.tzinfo is not None:
        return value.astimezone(datetime.timezone.utc).replace(tzinfo=None)
    return value


_DATE_RE = re.compile(
    r'^(\d{4})-(\d{2})-(\d{2})'
    r'(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?'
    r'\s*(Z|[+-]\d{2}(?::?\d{2})?)?$')


def parse_date_string(value: str) -> datetime.datetime:
    match = _DATE_RE.match(value.strip())
    if not match:
        raise ConversionError(f"Error parsing date string '{value}'")
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    try:
        result = datetime.datetime(int(year), int(month), int(day), int(hour or 0),
                                   int(minute or 0), int(second or 0),
                                   int((fraction or '0').ljust(3, '0')[:3]) * 1000)
    except ValueError:
        raise ConversionError(f"Error parsing date string '{value}'") from None
    if zone and zone != 'Z':
        sign = 1 if zone[0] == '+' else -1
        digits = zone[1:].replace(':', '')
        offset = datetime.timedelta(hours=int(digits[:2]), minutes=int(digits[2:] or 0))
        result -= sign * offset
    return result


def to_date(value):
    if isinstance(value, datetime.datetime):
        return coerce_naive(value)
    if isinstance(value, bool):
        raise _unsupported(value, 'date')
    if isinstance(value, (Int64, float, bson.Decimal128)) or (
            isinstance(value, int) and not INT32_MIN <= value <= INT32_MAX):
        millis = value.to_decimal() if isinstance(value, bson.Decimal128) else value
        try:
            return from_millis(int(millis))
        except OverflowError:
            raise ConversionError(f'Conversion would overflow target type: {value}') from None
    if isinstance(value, str):
        return parse_date_string(value)
    if isinstance(value, bson.ObjectId):
        return value.generation_time.replace(tzinfo=None)
    if isinstance(value, bson.Timestamp):
        return EPOCH + datetime.timedelta(seconds=value.time)
    raise _unsupported(value, 'date')


CONVERTERS = {
    'double': to_double, 1: to_double,
    'string': to_string, 2: to_string,
    'objectId': to_object_id, 7: to_object_id,
    'bool': to_bool, 8: to_bool,
    'date': to_date, 9: to_date,
    'int': to_int, 16: to_int,
    'long': to_long, 18: to_long,
    'decimal': to_decimal, 19: to_decimal,
}


@operator('$convert')
def _convert(parser, args):
    named_arguments('$convert', args, required=('input', 'to'), optional=('onError', 'onNull'))
    target = evaluate(parser, args['to'])
    if isinstance(target, float) and target.is_integer():
        target = int(target)
    value = evaluate(parser, args['input'])
    if is_nullish(value):
        if 'onNull' in args:
            result = evaluate(parser, args['onNull'])
            return None if result is MISSING else result
        return None
    if is_nullish(target):
        return None
    converter = CONVERTERS.get(target)
    if converter is None:
        raise MongoError(2, f"Unknown type name: {target}")
    try:
        return converter(value)
    except MongoError:
        if 'onError' in args:
            result = evaluate(parser, args['onError'])
            return None if result is MISSING else result
        raise


def _shorthand(name: str, converter):
    def handler(parser, args):
        value = evaluate(parser, single_argument(name, args))
        if is_nullish(value):
            return None
        return converter(value)

    return handler


for _name, _converter in (('$toDouble', to_double), ('$toString', to_string),
                          ('$toObjectId', to_object_id), ('$toBool', to_bool),
                          ('$toDate', to_date), ('$toInt', to_int), ('$toLong', to_long),
                          ('$toDecimal', to_decimal)):
    operator(_name)(_shorthand(_name, _converter))
