"""Date expression operators, implemented as MongoDB 7 documents and computes them.

mongomock_ng 7.11.1 rejects ``timezone`` on $dateTrunc/$dateToString (NotImplementedError),
lacks $dateToParts, truncates weeks only Sunday-based without ``binSize``, and its $dateDiff
counts whole elapsed units where MongoDB counts unit *boundaries crossed* (fault 4). The
algorithms below follow mongod's date_time_support.cpp:

* $dateTrunc: bins are aligned to a reference point 2000-01-01T00:00 *in the timezone*
  (for weeks: the first ``startOfWeek`` day on or after it). Units up to an hour are
  truncated in milliseconds from that reference; day and larger units count calendar
  units in local time and add them back in local time (so DST days work).
* $dateDiff: local calendar differences for day and larger units (weeks counted between
  ``startOfWeek`` boundaries), UTC-offset-corrected differences for hour/minute/second.
* $dateAdd/$dateSubtract: day and larger units in local wall time, clamping the day of
  month; smaller units on the UTC instant.

Dates are naive UTC ``datetime`` objects with millisecond precision.
"""

from __future__ import annotations

import calendar
import datetime

import bson

from ..errors import MongoError
from ..numeric import as_long
from . import MISSING, evaluate, is_nullish, named_arguments, operator, single_argument, type_name
from .timezones import TimeZone, from_millis, to_millis

UNITS = ('year', 'quarter', 'month', 'week', 'day', 'hour', 'minute', 'second', 'millisecond')
UNIT_MILLIS = {'millisecond': 1, 'second': 1000, 'minute': 60_000, 'hour': 3_600_000,
               'day': 86_400_000, 'week': 604_800_000}
# ISO numbering, as mongod's DayOfWeek: monday=1 ... sunday=7.
DAYS_OF_WEEK = {'monday': 1, 'mon': 1, 'tuesday': 2, 'tue': 2, 'wednesday': 3, 'wed': 3,
                'thursday': 4, 'thu': 4, 'friday': 5, 'fri': 5, 'saturday': 6, 'sat': 6,
                'sunday': 7, 'sun': 7}
REFERENCE_UTC_MILLIS = 946_684_800_000  # 2000-01-01T00:00:00Z


# -- argument coercion -------------------------------------------------------------------

def coerce_date(name: str, value) -> datetime.datetime:
    """A BSON date, Timestamp or ObjectId as a naive UTC datetime (else mongod's error)."""
    if isinstance(value, datetime.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(datetime.timezone.utc).replace(tzinfo=None)
        return value
    if isinstance(value, bson.ObjectId):
        return value.generation_time.replace(tzinfo=None)
    if isinstance(value, bson.Timestamp):
        return value.as_datetime().replace(tzinfo=None)
    raise MongoError(16006, f"{name}: can't convert from BSON type {type_name(value)} to Date")


def parse_unit(name: str, value) -> str:
    if not isinstance(value, str):
        raise MongoError(5439013, f"{name} requires 'unit' to be a string, but got "
                                  f"{type_name(value)}")
    if value not in UNITS:
        raise MongoError(5439014, f"{name} parameter 'unit' value cannot be recognized as a "
                                  f"time unit: {value}")
    return value


def parse_start_of_week(name: str, value) -> int:
    if not isinstance(value, str):
        raise MongoError(5439015, f"{name} requires 'startOfWeek' to be a string, but got "
                                  f"{type_name(value)}")
    day = DAYS_OF_WEEK.get(value.lower())
    if day is None:
        raise MongoError(5439016, f"{name} parameter 'startOfWeek' value cannot be "
                                  f"recognized as a day of a week: {value}")
    return day


def integral_value(name: str, field: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, float, bson.Decimal128)):
        raise MongoError(5439017, f"{name} requires '{field}' to be a 64-bit integer, but got "
                                  f"value '{value!r}' of type {type_name(value)}")
    if isinstance(value, bson.Decimal128):
        value = value.to_decimal()
    if int(value) != value:
        raise MongoError(5439017, f"{name} requires '{field}' to be a 64-bit integer, but got "
                                  f"value '{value!r}' of type {type_name(value)}")
    return int(value)


def parse_timezone(parser, args):
    if 'timezone' not in args:
        return TimeZone(None)
    value = evaluate(parser, args['timezone'])
    if is_nullish(value):
        return None
    return TimeZone(value)


# -- calendar arithmetic (mongod's date_time_support.cpp) --------------------------------

def _trunc_div(a: int, b: int) -> int:
    """C++ integer division (truncates toward zero)."""
    q = abs(a) // abs(b)
    return q if (a >= 0) == (b > 0) else -q


def iso_day_of_week(d: datetime.date) -> int:
    return d.isoweekday()


def day_of_week_from(d: datetime.date, start_of_week: int) -> int:
    """0 for the first day of a week starting on ``start_of_week``, 6 for the last."""
    return (d.isoweekday() - start_of_week + 7) % 7


def diff_days(start: datetime.date, end: datetime.date) -> int:
    return (end - start).days


def diff_calendar(unit: str, start: datetime.datetime, end: datetime.datetime,
                  start_of_week: int = 7) -> int:
    if unit == 'year':
        return end.year - start.year
    if unit == 'quarter':
        return ((end.month - 1) // 3 - (start.month - 1) // 3) + (end.year - start.year) * 4
    if unit == 'month':
        return end.month - start.month + (end.year - start.year) * 12
    if unit == 'day':
        return diff_days(start.date(), end.date())
    if unit == 'week':
        return _trunc_div(diff_days(start.date(), end.date())
                          + day_of_week_from(start.date(), start_of_week)
                          - day_of_week_from(end.date(), start_of_week), 7)
    raise AssertionError(unit)


def date_diff(start: datetime.datetime, end: datetime.datetime, unit: str, tz: TimeZone,
              start_of_week: int = 7) -> int:
    if unit == 'millisecond':
        return to_millis(end) - to_millis(start)
    local_start, local_end = tz.to_local(start), tz.to_local(end)
    if unit in ('year', 'quarter', 'month', 'week', 'day'):
        return diff_calendar(unit, local_start, local_end, start_of_week)
    # hour/minute/second: wall-clock difference corrected by the change of UTC offset.
    offset_start = int(tz.utc_offset(start).total_seconds())
    offset_end = int(tz.utc_offset(end).total_seconds())
    hours = local_end.hour - local_start.hour + diff_days(local_start.date(),
                                                         local_end.date()) * 24
    if unit == 'hour':
        return hours + _trunc_div(offset_start - offset_end, 3600)
    minutes = local_end.minute - local_start.minute + hours * 60
    if unit == 'minute':
        return minutes + _trunc_div(offset_start - offset_end, 60)
    return local_end.second - local_start.second + minutes * 60 + (offset_start - offset_end)


def _add_months_local(local: datetime.datetime, months: int) -> datetime.datetime:
    total = local.year * 12 + (local.month - 1) + months
    year, month = divmod(total, 12)
    month += 1
    if not 1 <= year <= 9999:
        raise MongoError(5166406, 'dateAdd overflowed')
    day = min(local.day, calendar.monthrange(year, month)[1])
    return local.replace(year=year, month=month, day=day)


def date_add(date: datetime.datetime, unit: str, amount: int, tz: TimeZone) -> datetime.datetime:
    try:
        if unit in UNIT_MILLIS and unit not in ('day', 'week'):
            return date + datetime.timedelta(milliseconds=amount * UNIT_MILLIS[unit])
        local = tz.to_local(date)
        if unit == 'day':
            local = local + datetime.timedelta(days=amount)
        elif unit == 'week':
            local = local + datetime.timedelta(days=7 * amount)
        elif unit == 'month':
            local = _add_months_local(local, amount)
        elif unit == 'quarter':
            local = _add_months_local(local, 3 * amount)
        elif unit == 'year':
            local = _add_months_local(local, 12 * amount)
        return tz.from_local(local)
    except OverflowError:
        raise MongoError(5166406, 'dateAdd overflowed') from None


def date_trunc(date: datetime.datetime, unit: str, bin_size: int, tz: TimeZone,
               start_of_week: int = 7) -> datetime.datetime:
    """mongod's truncateDate with its default reference point."""
    reference_local = datetime.datetime(2000, 1, 1)
    reference_millis = REFERENCE_UTC_MILLIS - int(
        tz.utc_offset(from_millis(REFERENCE_UTC_MILLIS)).total_seconds() * 1000)
    if unit == 'week':
        saturday = 6  # 2000-01-01 was a Saturday
        position = (saturday - start_of_week + 7) % 7
        adjust = (7 - position) % 7
        reference_millis += adjust * UNIT_MILLIS['day']
        reference_local += datetime.timedelta(days=adjust)
    if unit in ('millisecond', 'second', 'minute', 'hour'):
        bin_millis = bin_size * UNIT_MILLIS[unit]
        millis = to_millis(date)
        return from_millis(millis - (millis - reference_millis) % bin_millis)
    if bin_size > 100_000_000_000:
        raise MongoError(5439006, 'dateTrunc unsupported binSize value')
    distance = diff_calendar(unit, reference_local, tz.to_local(date), start_of_week)
    lower = distance - distance % bin_size  # Python's % is the non-negative remainder
    return date_add(from_millis(reference_millis), unit, lower, tz)


# -- operators -----------------------------------------------------------------------------

@operator('$dateTrunc')
def _date_trunc(parser, args):
    name = '$dateTrunc'
    named_arguments(name, args, required=('date', 'unit'),
                    optional=('binSize', 'timezone', 'startOfWeek'))
    date = evaluate(parser, args['date'])
    unit = evaluate(parser, args['unit'])
    bin_size = evaluate(parser, args['binSize']) if 'binSize' in args else 1
    tz = parse_timezone(parser, args)
    if is_nullish(date) or is_nullish(unit) or is_nullish(bin_size) or tz is None:
        return None
    date = coerce_date(name, date)
    unit = parse_unit(name, unit)
    bin_size = integral_value(name, 'binSize', bin_size)
    if bin_size <= 0:
        raise MongoError(5439018, f"{name} requires 'binSize' to be greater than 0, but got "
                                  f"value {bin_size}")
    start_of_week = 7
    if unit == 'week':
        if 'startOfWeek' in args:
            value = evaluate(parser, args['startOfWeek'])
            if is_nullish(value):
                return None
            start_of_week = parse_start_of_week(name, value)
    return date_trunc(date, unit, bin_size, tz, start_of_week)


@operator('$dateDiff')
def _date_diff(parser, args):
    name = '$dateDiff'
    named_arguments(name, args, required=('startDate', 'endDate', 'unit'),
                    optional=('timezone', 'startOfWeek'))
    start = evaluate(parser, args['startDate'])
    end = evaluate(parser, args['endDate'])
    unit = evaluate(parser, args['unit'])
    tz = parse_timezone(parser, args)
    if is_nullish(start) or is_nullish(end) or is_nullish(unit) or tz is None:
        return None
    start = coerce_date(name, start)
    end = coerce_date(name, end)
    unit = parse_unit(name, unit)
    start_of_week = 7
    if unit == 'week' and 'startOfWeek' in args:
        value = evaluate(parser, args['startOfWeek'])
        if is_nullish(value):
            return None
        start_of_week = parse_start_of_week(name, value)
    return as_long(date_diff(start, end, unit, tz, start_of_week))


def _date_add_or_subtract(name: str, sign: int):
    def handler(parser, args):
        named_arguments(name, args, required=('startDate', 'unit', 'amount'),
                        optional=('timezone',))
        start = evaluate(parser, args['startDate'])
        unit = evaluate(parser, args['unit'])
        amount = evaluate(parser, args['amount'])
        tz = parse_timezone(parser, args)
        if is_nullish(start) or is_nullish(unit) or is_nullish(amount) or tz is None:
            return None
        start = coerce_date(name, start)
        unit = parse_unit(name, unit)
        amount = integral_value(name, 'amount', amount)
        return date_add(start, unit, sign * amount, tz)

    return handler


operator('$dateAdd')(_date_add_or_subtract('$dateAdd', 1))
operator('$dateSubtract')(_date_add_or_subtract('$dateSubtract', -1))


def _date_and_timezone(parser, name: str, args):
    """Arguments of $year & co: ``date``, ``[date]`` or ``{date, timezone}``."""
    if isinstance(args, dict) and 'date' in args and all(
            key in ('date', 'timezone') for key in args):
        date = evaluate(parser, args['date'])
        tz = parse_timezone(parser, args)
    else:
        date = evaluate(parser, single_argument(name, args))
        tz = TimeZone(None)
    if is_nullish(date) or tz is None:
        return None, None
    return tz.to_local(coerce_date(name, date)), tz


def _week_of_year(local: datetime.datetime) -> int:
    # mongod: weeks start on Sunday; days before the first Sunday are week 0 (= %U).
    year_day = local.timetuple().tm_yday - 1
    week_day = (local.isoweekday() % 7)
    return (year_day - week_day + 7) // 7


DATE_PARTS = {
    '$year': lambda d: d.year,
    '$month': lambda d: d.month,
    '$dayOfMonth': lambda d: d.day,
    '$hour': lambda d: d.hour,
    '$minute': lambda d: d.minute,
    '$second': lambda d: d.second,
    '$millisecond': lambda d: d.microsecond // 1000,
    '$dayOfYear': lambda d: d.timetuple().tm_yday,
    '$dayOfWeek': lambda d: d.isoweekday() % 7 + 1,
    '$week': _week_of_year,
    '$isoWeek': lambda d: d.isocalendar()[1],
    '$isoWeekYear': lambda d: as_long(d.isocalendar()[0]),
    '$isoDayOfWeek': lambda d: d.isoweekday(),
}


def _date_part(name):
    extract = DATE_PARTS[name]

    def handler(parser, args):
        local, _ = _date_and_timezone(parser, name, args)
        if local is None:
            return None
        return extract(local)

    return handler


for _name in DATE_PARTS:
    operator(_name)(_date_part(_name))


@operator('$dateToParts')
def _date_to_parts(parser, args):
    name = '$dateToParts'
    named_arguments(name, args, required=('date',), optional=('timezone', 'iso8601'))
    date = evaluate(parser, args['date'])
    tz = parse_timezone(parser, args)
    iso = evaluate(parser, args['iso8601']) if 'iso8601' in args else False
    if is_nullish(date) or tz is None or is_nullish(iso):
        return None
    if not isinstance(iso, bool):
        raise MongoError(40521, f"iso8601 must evaluate to a bool, found {type_name(iso)}")
    local = tz.to_local(coerce_date(name, date))
    if iso:
        iso_year, iso_week, iso_day = local.isocalendar()
        head = {'isoWeekYear': iso_year, 'isoWeek': iso_week, 'isoDayOfWeek': iso_day}
    else:
        head = {'year': local.year, 'month': local.month, 'day': local.day}
    head.update({'hour': local.hour, 'minute': local.minute, 'second': local.second,
                 'millisecond': local.microsecond // 1000})
    return head


FORMAT_SPECIFIERS = set('bBdGHjLmMSwuUVYzZ%')  # %b/%B: MongoDB 7.0
MONTH_NAMES = ('January', 'February', 'March', 'April', 'May', 'June', 'July', 'August',
               'September', 'October', 'November', 'December')


def validate_format(fmt: str) -> None:
    i = 0
    while i < len(fmt):
        if fmt[i] == '%':
            if i + 1 >= len(fmt):
                raise MongoError(18535, "Unmatched '%' at end of format string")
            if fmt[i + 1] not in FORMAT_SPECIFIERS:
                raise MongoError(18536, f"Invalid format character '%{fmt[i + 1]}' in format "
                                        f"string")
            i += 2
        else:
            i += 1


def _padded(number: int, width: int) -> str:
    if not 0 <= number <= 9999:
        raise MongoError(18537, f'Could not convert date to string: date component was outside '
                                f'the supported range of 0-9999: {number}')
    return str(number).zfill(width)


def format_date(fmt: str, date: datetime.datetime, tz: TimeZone) -> str:
    local = tz.to_local(date)
    offset_minutes = int(tz.utc_offset(date).total_seconds() // 60)
    out = []
    i = 0
    while i < len(fmt):
        ch = fmt[i]
        if ch != '%':
            out.append(ch)
            i += 1
            continue
        spec = fmt[i + 1]
        i += 2
        if spec == '%':
            out.append('%')
        elif spec == 'b':
            out.append(MONTH_NAMES[local.month - 1][:3])
        elif spec == 'B':
            out.append(MONTH_NAMES[local.month - 1])
        elif spec == 'd':
            out.append(_padded(local.day, 2))
        elif spec == 'G':
            out.append(_padded(local.isocalendar()[0], 4))
        elif spec == 'H':
            out.append(_padded(local.hour, 2))
        elif spec == 'j':
            out.append(_padded(local.timetuple().tm_yday, 3))
        elif spec == 'L':
            out.append(_padded(local.microsecond // 1000, 3))
        elif spec == 'm':
            out.append(_padded(local.month, 2))
        elif spec == 'M':
            out.append(_padded(local.minute, 2))
        elif spec == 'S':
            out.append(_padded(local.second, 2))
        elif spec == 'w':
            out.append(_padded(local.isoweekday() % 7 + 1, 1))
        elif spec == 'u':
            out.append(_padded(local.isoweekday(), 1))
        elif spec == 'U':
            out.append(_padded(_week_of_year(local), 2))
        elif spec == 'V':
            out.append(_padded(local.isocalendar()[1], 2))
        elif spec == 'Y':
            out.append(_padded(local.year, 4))
        elif spec == 'z':
            sign = '-' if offset_minutes < 0 else '+'
            out.append(sign + str(abs(offset_minutes) // 60).zfill(2)
                       + str(abs(offset_minutes) % 60).zfill(2))
        elif spec == 'Z':
            out.append(str(offset_minutes))
    return ''.join(out)


@operator('$dateToString')
def _date_to_string(parser, args):
    name = '$dateToString'
    named_arguments(name, args, required=('date',), optional=('format', 'timezone', 'onNull'))
    fmt = None
    if 'format' in args:
        fmt = evaluate(parser, args['format'])
        if is_nullish(fmt):
            return None
        if not isinstance(fmt, str):
            raise MongoError(18533, f'$dateToString requires that \'format\' be a string, '
                                    f'found: {type_name(fmt)} with value {fmt!r}')
        validate_format(fmt)
    date = evaluate(parser, args['date'])
    tz = parse_timezone(parser, args)
    if is_nullish(date):
        if 'onNull' in args:
            value = evaluate(parser, args['onNull'])
            return None if value is MISSING else value
        return None
    if tz is None:
        return None
    date = coerce_date(name, date)
    if fmt is None:
        fmt = '%Y-%m-%dT%H:%M:%S.%LZ' if tz.is_utc else '%Y-%m-%dT%H:%M:%S.%L'
    return format_date(fmt, date, tz)


@operator('$dateFromParts')
def _date_from_parts(parser, args):
    name = '$dateFromParts'
    calendar_fields = ('year', 'month', 'day')
    iso_fields = ('isoWeekYear', 'isoWeek', 'isoDayOfWeek')
    time_fields = ('hour', 'minute', 'second', 'millisecond')
    named_arguments(name, args, optional=calendar_fields + iso_fields + time_fields
                    + ('timezone',))
    if ('year' in args) == ('isoWeekYear' in args):
        raise MongoError(40516, f"{name} requires either 'year' or 'isoWeekYear' to be present")
    iso = 'isoWeekYear' in args
    if iso and any(f in args for f in calendar_fields):
        raise MongoError(40489, f"{name} does not allow mixing natural dates with ISO dates")
    if not iso and any(f in args for f in iso_fields):
        raise MongoError(40525, f"{name} does not allow mixing natural dates with ISO dates")
    values = {}
    defaults = {'month': 1, 'day': 1, 'isoWeek': 1, 'isoDayOfWeek': 1, 'hour': 0,
                'minute': 0, 'second': 0, 'millisecond': 0}
    for field in (iso_fields if iso else calendar_fields) + time_fields:
        if field in args:
            value = evaluate(parser, args[field])
            if is_nullish(value):
                return None
            values[field] = integral_value(name, field, value)
        else:
            values[field] = defaults.get(field)
    tz = parse_timezone(parser, args)
    if tz is None:
        return None
    try:
        if iso:
            base = datetime.datetime.fromisocalendar(values['isoWeekYear'], 1, 1)
            local = base + datetime.timedelta(weeks=values['isoWeek'] - 1,
                                              days=values['isoDayOfWeek'] - 1)
        else:
            local = _add_months_local(datetime.datetime(values['year'], 1, 1),
                                      values['month'] - 1)
            local += datetime.timedelta(days=values['day'] - 1)
        local += datetime.timedelta(hours=values['hour'], minutes=values['minute'],
                                    seconds=values['second'],
                                    milliseconds=values['millisecond'])
    except (ValueError, OverflowError) as exc:
        raise MongoError(40523, f"{name}: date out of range: {exc}") from None
    return tz.from_local(local)
