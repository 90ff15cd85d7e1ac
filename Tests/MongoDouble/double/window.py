"""$setWindowFields windows for the accumulator window operators.

mongomock_ng 7.11.1 ignores ``window: {range: ...}`` and silently computes over the whole
partition (fault 4), and sums with Python's ``sum`` (mixed types raise). Here every output
field whose operator is an accumulator ($sum, $avg, $min, $max, $count, $push, $addToSet,
$first, $last) is computed by the double for ``documents`` windows, ``range`` windows
(numeric, or dates with ``unit``) and no window; the other window operators ($rank,
$shift, $documentNumber, ...) stay with mongomock_ng. A range window over a descending sort
is not implemented and fails loudly.
"""

from __future__ import annotations

import datetime

from mongomock_ng import aggregate, helpers
from sentinels import NOTHING

from . import bsonvalues
from .accumulators import ACCUMULATORS
from .errors import MongoError, not_implemented
from .operators.conversions import bson_type_name
from .operators.dates import UNITS, date_add
from .operators.timezones import TimeZone

WINDOW_ACCUMULATORS = {'$sum', '$avg', '$min', '$max', '$count', '$push', '$addToSet',
                       '$first', '$last'}

_original_accumulate = aggregate._accumulate_set_window_fields


def _operator_of(field, spec):
    if not isinstance(spec, dict):
        raise MongoError(40414, f"The field '{field}' must be an object")
    operators = [key for key in spec if key.startswith('$')]
    if len(operators) != 1:
        raise MongoError(5371601, f"Expected exactly one window function for field '{field}'")
    extra = set(spec) - {operators[0], 'window'}
    if extra:
        raise MongoError(5371602, f"'window' field is the only allowed field besides the "
                                  f"window function, found: {sorted(extra)[0]}")
    return operators[0]


def _document_bounds(bounds, index, length):
    lower, upper = bounds

    def position(bound, is_lower):
        if bound == 'unbounded':
            return 0 if is_lower else length - 1
        if bound == 'current':
            return index
        if bsonvalues.is_number(bound) and int(bound) == bound and not isinstance(bound, bool):
            return index + int(bound)
        raise MongoError(5371605, f"Numeric document-based bounds must be an integer, "
                                  f"'unbounded' or 'current', got {bound!r}")

    start = max(0, position(lower, True))
    end = min(length - 1, position(upper, False))
    return start, end + 1


def _range_keys(partition, sort_by, unit):
    if not isinstance(sort_by, dict) or len(sort_by) != 1:
        raise MongoError(5339902, 'Range-based window require sortBy a single field')
    field, direction = next(iter(sort_by.items()))
    if direction != 1:
        raise not_implemented('range-based $setWindowFields windows over a descending sortBy')
    keys = []
    for doc in partition:
        value = helpers.get_value_by_dot(doc, field)
        if unit is not None:
            if not isinstance(value, datetime.datetime):
                raise MongoError(5429513, f"Invalid range: Expected the sortBy field to be a "
                                          f"Date, but it was {bson_type_name(value)}")
        elif not bsonvalues.is_number(value):
            raise MongoError(5429414, f"Invalid range: Expected the sortBy field to be a "
                                      f"number, but it was {bson_type_name(value)}")
        keys.append(value)
    return keys


def _range_bound(key, bound, unit, is_lower):
    if bound == 'unbounded':
        return None
    if bound == 'current':
        return key
    if not bsonvalues.is_number(bound) or isinstance(bound, bool):
        raise MongoError(5339900, f"Range-based bounds must be a number, 'unbounded' or "
                                  f"'current', got {bound!r}")
    if unit is not None:
        if int(bound) != bound:
            raise MongoError(5429413, 'With unit, range-based bounds must be an integer')
        return date_add(key, unit, int(bound), TimeZone(None))
    return key + bound


def _window_indices(window, partition, options):
    """(start, end) slices per document; None for the whole partition."""
    length = len(partition)
    if not window:
        return [(0, length)] * length
    if not isinstance(window, dict):
        raise MongoError(5371603, "'window' field must be an object")
    unknown = set(window) - {'documents', 'range', 'unit'}
    if unknown:
        raise MongoError(5371604, f"'window' has an unexpected field: {sorted(unknown)[0]}")
    if 'documents' in window and 'range' in window:
        raise MongoError(5371606, "Window bounds can specify either 'documents' or 'range', "
                                  "not both")
    if 'documents' in window:
        bounds = window['documents']
        if not isinstance(bounds, list) or len(bounds) != 2:
            raise MongoError(5371607, "'documents' window bounds must be an array of length 2")
        return [_document_bounds(bounds, i, length) for i in range(length)]
    if 'range' in window:
        bounds = window['range']
        if not isinstance(bounds, list) or len(bounds) != 2:
            raise MongoError(5371608, "'range' window bounds must be an array of length 2")
        unit = window.get('unit')
        if unit is not None and unit not in UNITS:
            raise MongoError(5429414, f"unknown time unit value: {unit}")
        keys = _range_keys(partition, options.get('sortBy'), unit)
        result = []
        for i, key in enumerate(keys):
            low = _range_bound(key, bounds[0], unit, True)
            high = _range_bound(key, bounds[1], unit, False)
            members = [j for j, other in enumerate(keys)
                       if (low is None or bsonvalues.compare(other, low) >= 0)
                       and (high is None or bsonvalues.compare(other, high) <= 0)]
            result.append((members[0], members[-1] + 1) if members else (0, 0))
        return result
    if 'unit' in window:
        raise MongoError(5371609, "'unit' is only valid with a 'range' window")
    return [(0, length)] * length


def accumulate_set_window_fields(output_fields, partition, options):
    """Replacement for mongomock_ng.aggregate._accumulate_set_window_fields."""
    ours = {}
    theirs = {}
    for field, spec in output_fields.items():
        op = _operator_of(field, spec)
        (ours if op in WINDOW_ACCUMULATORS else theirs)[field] = (op, spec)
    if theirs:
        processed = _original_accumulate({f: s for f, (_, s) in theirs.items()}, partition,
                                         options)
    else:
        processed = [dict(doc) for doc in partition]
    for field, (op, spec) in ours.items():
        expr = spec[op]
        if op == '$count':
            if expr != {}:
                raise MongoError(4544702, '$count takes no arguments, i.e. $count:{}')
            values = [1] * len(partition)
        else:
            values = [aggregate._parse_expression(expr, doc) for doc in partition]
        indices = _window_indices(spec.get('window'), partition, options)
        combine = ACCUMULATORS['$sum'] if op == '$count' else ACCUMULATORS[op]
        for i, (start, end) in enumerate(indices):
            window_values = values[start:end]
            if op in ('$sum', '$count') and not window_values:
                result = 0
            else:
                result = combine(window_values)
            processed[i][field] = None if result is NOTHING else result
    return processed
