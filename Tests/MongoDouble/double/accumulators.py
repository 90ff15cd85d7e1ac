"""$group (and $count) stages with MongoDB's accumulator semantics.

mongomock_ng's $group differs from mongod in ways a condition pipeline notices:

* over an empty input, ``{$group: {_id: null, ...}}`` returns one document (mongod: none),
  and so does ``{$count: "n"}``;
* ``$first``/``$last`` skip documents where the field is missing (mongod: null);
* ``$min``/``$max`` use Python ordering (mixed types raise) instead of BSON order;
* ``$sum`` loses int64 (fixed globally by numeric.py, but sums are done here anyway);
* the group key comes last in the output document (mongod: ``_id`` first).

The accumulator functions are shared with $setWindowFields (window.py).
"""

from __future__ import annotations

import functools
import heapq
import statistics

from mongomock_ng import aggregate, helpers
from sentinels import NOTHING

from . import bsonvalues
from .errors import MongoError, not_implemented


def _first(values):
    return None if not values or values[0] is NOTHING else values[0]


def _last(values):
    return None if not values or values[-1] is NOTHING else values[-1]


def _push(values):
    return [v for v in values if v is not NOTHING]


def _add_to_set(values):
    seen = set()
    result = []
    for value in values:
        if value is NOTHING:
            continue
        key = bsonvalues.hashable(value)
        if key not in seen:
            seen.add(key)
            result.append(value)
    return result


def _merge_objects(values):
    merged = {}
    for value in values:
        if value is None or value is NOTHING:
            continue
        if not isinstance(value, dict):
            raise MongoError(40400, f'$mergeObjects requires object inputs, but input '
                                    f'{value!r} is of type {type(value).__name__}')
        merged.update(value)
    return merged


def _std_dev(sample: bool):
    def compute(values):
        numbers = [float(v) for v in values if bsonvalues.is_number(v)]
        if len(numbers) < (2 if sample else 1):
            return None
        return statistics.stdev(numbers) if sample else statistics.pstdev(numbers)

    return compute


ACCUMULATORS = {
    '$sum': bsonvalues.sum_numbers,
    '$avg': bsonvalues.average,
    '$min': bsonvalues.minimum,
    '$max': bsonvalues.maximum,
    '$first': _first,
    '$last': _last,
    '$push': _push,
    '$addToSet': _add_to_set,
    '$mergeObjects': _merge_objects,
    '$stdDevPop': _std_dev(False),
    '$stdDevSamp': _std_dev(True),
    '$count': len,
}

# Valid in MongoDB 7 but not implemented here: fail loudly rather than guess.
UNSUPPORTED_ACCUMULATORS = {'$accumulator', '$firstN', '$lastN', '$maxN', '$minN', '$median',
                            '$percentile'}

# $top/$topN/$bottom/$bottomN (MongoDB 5.2+): the first or last n documents of the group in
# `sortBy` order, each reduced to `output`. They read whole documents, not one value each.
TOP_BOTTOM = {'$top', '$topN', '$bottom', '$bottomN'}


def _validate_top_bottom(op, spec):
    if not isinstance(spec, dict):
        raise MongoError(5788001, f'specification must be an object; found {spec!r}')
    takes_n = op.endswith('N')
    allowed = {'sortBy', 'output', 'n'} if takes_n else {'sortBy', 'output'}
    for name in spec:
        if name not in allowed:
            raise MongoError(5788002, f"Unknown argument for '{op}': {name}")
    if 'output' not in spec:
        raise MongoError(5788004, f"Missing value for 'output' in '{op}'")
    if 'sortBy' not in spec:
        raise MongoError(5788005, f"Missing value for 'sortBy' in '{op}'")
    if takes_n and 'n' not in spec:
        raise MongoError(5787906, f"Missing value for 'n' in '{op}'")
    sort_by = spec['sortBy']
    if not isinstance(sort_by, dict) or not sort_by:
        raise MongoError(5788003, f"'sortBy' of '{op}' must be a non-empty object")
    for direction in sort_by.values():
        if direction not in (1, -1) or isinstance(direction, bool):
            raise MongoError(15975, '$sort key ordering must be 1 (for ascending) or -1 (for descending)')


def _top_bottom(op, spec, documents, user_vars):
    """The output of the first (top) or last (bottom) n documents in `sortBy` order, in that
    order; $top/$bottom give one value (null for an empty group), the N forms an array."""
    takes_n = op.endswith('N')
    n = 1
    if takes_n:
        n = aggregate._parse_expression(spec['n'], documents[0] if documents else {}, user_vars=user_vars)
        if not bsonvalues.is_number(n) or int(n) != n:
            raise MongoError(5787902, f"Value for 'n' must be of integral type, but found {n!r}")
        if n < 1:
            raise MongoError(5787908, f"'n' must be greater than 0, found {n!r}")
        n = int(n)
    keys = list(spec['sortBy'].items())

    def compare_documents(a, b):
        for path, direction in keys:
            left = helpers.get_value_by_dot(a, path) if isinstance(a, dict) else None
            right = helpers.get_value_by_dot(b, path) if isinstance(b, dict) else None
            result = bsonvalues.compare(left, right)
            if result:
                return result * direction
        return 0

    key = functools.cmp_to_key(compare_documents)
    if op.startswith('$top'):
        chosen = heapq.nsmallest(n, documents, key=key)
    else:
        chosen = list(reversed(heapq.nlargest(n, reversed(documents), key=key)))
    outputs = []
    for document in chosen:
        value = aggregate._parse_expression(spec['output'], document, user_vars=user_vars)
        outputs.append(None if value is NOTHING else value)
    if takes_n:
        return outputs
    return outputs[0] if outputs else None


def parse_accumulator(field: str, spec, context: str = '$group'):
    """Validate ``{ $op: expr }`` and return (op, expr)."""
    if not isinstance(spec, dict) or len(spec) != 1:
        raise MongoError(40234, f"The field '{field}' must be an accumulator object")
    op, expr = next(iter(spec.items()))
    if op in UNSUPPORTED_ACCUMULATORS:
        raise not_implemented(f'the {op} accumulator')
    if op in TOP_BOTTOM:
        _validate_top_bottom(op, expr)
        return op, expr
    if op not in ACCUMULATORS:
        raise MongoError(15952, f"unknown group operator '{op}'")
    if op == '$count' and expr != {}:
        raise MongoError(4544702, "$count takes no arguments, i.e. $count:{}")
    return op, expr


def evaluate_accumulator(op, expr, documents, user_vars=None):
    if op == '$count':
        return len(documents)
    if op in TOP_BOTTOM:
        return _top_bottom(op, expr, documents, user_vars)
    values = [aggregate._parse_expression(expr, doc, user_vars=user_vars) for doc in documents]
    return ACCUMULATORS[op](values)


def handle_group_stage(in_collection, database, options, user_vars):
    if not isinstance(options, dict):
        raise MongoError(15947, "a group's fields must be specified in an object")
    if '_id' not in options:
        raise MongoError(15955, 'a group specification must include an _id')
    fields = []
    for field, spec in options.items():
        if field == '_id':
            continue
        if '.' in field:
            raise MongoError(40235, f"The field name '{field}' cannot contain '.'")
        fields.append((field, *parse_accumulator(field, spec)))

    groups: dict = {}
    for doc in in_collection:
        key = aggregate._parse_expression(options['_id'], doc, user_vars=user_vars)
        if key is NOTHING:
            key = None
        entry = groups.setdefault(bsonvalues.hashable(key), (key, []))
        entry[1].append(doc)

    out = []
    for key, documents in groups.values():
        result = {'_id': key}
        for field, op, expr in fields:
            result[field] = evaluate_accumulator(op, expr, documents, user_vars)
        out.append(result)
    return out


def handle_count_stage(in_collection, database, options, user_vars):
    if not isinstance(options, str) or not options:
        raise MongoError(40156, 'the count field must be a non-empty string')
    if options.startswith('$'):
        raise MongoError(40158, 'the count field cannot be a $-prefixed path')
    if '.' in options:
        raise MongoError(40160, "the count field cannot contain '.'")
    count = len(in_collection)
    return [{options: count}] if count else []
