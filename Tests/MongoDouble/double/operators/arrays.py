"""Array expression operators: $sortArray (absent from mongomock_ng 7.11.1), and $filter /
$arrayElemAt, whose mongomock_ng versions crash on a null input instead of returning null
and do not know $filter's ``limit``.
"""

from __future__ import annotations

import functools

from mongomock_ng import helpers

from .. import bsonvalues
from ..errors import MongoError
from . import MISSING, evaluate, is_nullish, named_arguments, operator, type_name


def _field_value(document, path):
    if not isinstance(document, dict):
        return None
    value = helpers.get_value_by_dot(document, path)
    return None if value is MISSING else value


@operator('$sortArray')
def _sort_array(parser, args):
    named_arguments('$sortArray', args, required=('input', 'sortBy'))
    values = evaluate(parser, args['input'])
    sort_by = args['sortBy']  # a constant, as in mongod
    if is_nullish(values):
        return None
    if not isinstance(values, list):
        raise MongoError(2942504, f'The input argument to $sortArray must be an array, but was '
                                  f'of type: {type_name(values)}')
    if isinstance(sort_by, dict):
        if not sort_by:
            raise MongoError(2942505, '$sortArray sortBy must not be an empty object')
        keys = list(sort_by.items())
        for _, direction in keys:
            if direction not in (1, -1):
                raise MongoError(2942506, '$sortArray sortBy values must be 1 or -1')

        def compare_documents(a, b):
            for path, direction in keys:
                result = bsonvalues.compare(_field_value(a, path), _field_value(b, path))
                if result:
                    return result * direction
            return 0

        return sorted(values, key=functools.cmp_to_key(compare_documents))
    if sort_by not in (1, -1) or isinstance(sort_by, bool):
        raise MongoError(2942506, '$sortArray sortBy must be either 1, -1 or an object')
    return sorted(values, key=bsonvalues.sort_key, reverse=sort_by == -1)


@operator('$filter')
def _filter(parser, args):
    named_arguments('$filter', args, required=('input', 'cond'), optional=('as', 'limit'))
    values = evaluate(parser, args['input'])
    variable = args.get('as', 'this')
    limit = None
    if 'limit' in args:
        limit = evaluate(parser, args['limit'])
        if not is_nullish(limit):
            if not bsonvalues.is_number(limit) or int(limit) != limit or limit < 1:
                raise MongoError(327391, f'$filter: limit must be a positive integer, got '
                                         f'{limit!r}')
            limit = int(limit)
        else:
            limit = None
    if is_nullish(values):
        return None
    if not isinstance(values, list):
        raise MongoError(28651, f'input to $filter must be an array not {type_name(values)}')
    result = []
    for item in values:
        scoped = type(parser)(parser._doc_dict, user_vars=dict(parser._user_vars,
                                                               **{variable: item}))
        if helpers.mongodb_to_bool(scoped.parse(args['cond'])):
            result.append(item)
            if limit is not None and len(result) >= limit:
                break
    return result


@operator('$arrayElemAt')
def _array_elem_at(parser, args):
    if not isinstance(args, list) or len(args) != 2:
        raise MongoError(16020, 'Expression $arrayElemAt takes exactly 2 arguments.')
    values = evaluate(parser, args[0])
    index = evaluate(parser, args[1])
    if is_nullish(values) or is_nullish(index):
        return None
    if not isinstance(values, list):
        raise MongoError(28689, f"$arrayElemAt's first argument must be an array, but is "
                                f"{type_name(values)}")
    if not bsonvalues.is_number(index) or int(index) != index:
        raise MongoError(28690, f"$arrayElemAt's second argument must be a numeric value, but "
                                f"is {type_name(index)}")
    index = int(index)
    if -len(values) <= index < len(values):
        return values[index]
    return MISSING
