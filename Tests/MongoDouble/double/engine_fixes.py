"""Patches to mongomock_ng 7.11.1 that make it behave like MongoDB 7 where the product
relies on it. Each patch names the mongod behaviour it restores; the pytest suite pins each
one (fault 1: tests/test_indexes.py, 2: test_numeric.py, 3: test_find_and_modify.py,
4 and 5: test_dates.py and test_pipelines.py).

``install()`` applies them all once per process, before the engine is used.
"""

from __future__ import annotations

import re
from collections.abc import MutableMapping

import bson
from bson.int64 import Int64
from mongomock_ng import aggregate, collection, filtering, helpers
from sentinels import NOTHING

from . import accumulators, bsonvalues, indexes, numeric, operators, window
from .errors import MongoError, not_implemented
from .numeric import INT32_MAX, INT32_MIN

# Every stage name of MongoDB 7. Outside this list: 40324 "Unrecognized pipeline stage
# name", as mongod; inside it but without a handler here: NotImplemented (238).
MONGODB_STAGES = frozenset('''
$addFields $bucket $bucketAuto $changeStream $changeStreamSplitLargeEvent $collStats $count
$currentOp $densify $documents $facet $fill $geoNear $graphLookup $group $indexStats $limit
$listLocalSessions $listSampledQueries $listSearchIndexes $listSessions $lookup $match
$merge $out $planCacheStats $project $redact $replaceRoot $replaceWith $sample $search
$searchMeta $set $setWindowFields $shardedDataDistribution $skip $sort $sortByCount
$unionWith $unset $unwind $vectorSearch
'''.split())

# Stages the double refuses although mongomock_ng has handlers: mongomock_ng's $out returns
# the documents instead of nothing and drops the target's indexes; $merge has similar gaps.
# The product does not need them, so they fail loudly instead of half-working.
REFUSED_STAGES = {'$out', '$merge'}

NOT_IN_FACET = {'$collStats', '$facet', '$geoNear', '$indexStats', '$out', '$merge',
                '$planCacheStats', '$search', '$searchMeta', '$changeStream',
                '$vectorSearch', '$documents', '$currentOp', '$listSessions',
                '$listLocalSessions'}


def validate_pipeline(pipeline) -> None:
    if not isinstance(pipeline, list):
        raise MongoError(14, "'pipeline' option must be specified as an array")
    for stage in pipeline:
        if not isinstance(stage, dict) or len(stage) != 1:
            raise MongoError(40323, 'A pipeline stage specification object must contain '
                                    'exactly one field.')
        name = next(iter(stage))
        if name not in MONGODB_STAGES:
            raise MongoError(40324, f"Unrecognized pipeline stage name: '{name}'")
        if name in REFUSED_STAGES or not aggregate._PIPELINE_HANDLERS.get(name):
            raise not_implemented(f'the aggregation stage {name}')


_original_process_pipeline = aggregate.process_pipeline


def process_pipeline(collection_docs, database, pipeline, session, user_vars=None):
    """Validates stage names first (mongomock_ng raises NotImplementedError for unknown
    stages, which must be 40324), then runs mongomock_ng's pipeline loop."""
    validate_pipeline(pipeline)
    return _original_process_pipeline(collection_docs, database, pipeline, session,
                                      user_vars=user_vars)


def _match_stage(in_collection, database, options, user_vars):
    """$match without mongomock_ng's per-document datetime rewrite (a full copy of every
    input document); stored dates are already naive UTC."""
    if not isinstance(options, dict):
        raise MongoError(15959, 'the match filter must be an expression in an object')
    return [doc for doc in in_collection
            if filtering.filter_applies(options, doc, user_vars=user_vars)]


def _facet_stage(in_collection, database, options, user_vars):
    """$facet whose sub-pipelines each get their own copy of the input: mongomock_ng's
    $lookup and dotted $set write into their input documents, which leaked from one
    facet into the next. A sub-pipeline's leading $match runs before the copy (it writes
    nothing), so only the documents it keeps are copied: the input itself may then be the
    stored documents (run_pipeline does not copy before a $facet)."""
    if not isinstance(options, dict) or not options:
        raise MongoError(40169, 'the $facet specification must be a non-empty object')
    out = {}
    for name, pipeline in options.items():
        if not isinstance(pipeline, list):
            raise MongoError(40170, f"arguments to $facet must be arrays, {name} is not")
        for stage in pipeline:
            if isinstance(stage, dict) and set(stage) & NOT_IN_FACET:
                raise MongoError(40600, f'{next(iter(stage))} is not allowed to be used within '
                                        f'a $facet stage')
        validate_pipeline(pipeline)
        selected = in_collection
        if pipeline and '$match' in pipeline[0]:
            selected = _match_stage(in_collection, database, pipeline[0]['$match'], user_vars)
            pipeline = pipeline[1:]
        documents = [helpers._clone_document(doc) for doc in selected]
        out[name] = list(aggregate.process_pipeline(documents, database, pipeline, None,
                                                    user_vars=user_vars))
    return [out]


def _is_literal_object(spec) -> bool:
    return isinstance(spec, dict) and bool(spec) and not any(
        isinstance(k, str) and k.startswith('$') for k in spec)


def _add_field(target: dict, parts: list, spec, root: dict, user_vars) -> None:
    """Set ``parts`` in ``target`` (a copy) like mongod's $addFields: dotted paths and
    nested object literals merge into existing embedded documents (and into each document
    of an array), expressions are evaluated against the whole input document, and a
    missing result removes the field."""
    head, rest = parts[0], parts[1:]
    if rest or _is_literal_object(spec):
        current = target.get(head, NOTHING)
        if isinstance(current, list) and any(isinstance(e, dict) for e in current):
            updated = []
            for element in current:
                if isinstance(element, dict):
                    element = dict(element)
                    _apply_nested(element, rest, spec, root, user_vars)
                updated.append(element)
            target[head] = updated
            return
        child = dict(current) if isinstance(current, dict) else {}
        _apply_nested(child, rest, spec, root, user_vars)
        target[head] = child
        return
    value = aggregate._parse_expression(spec, root, user_vars=user_vars)
    if value is NOTHING:
        target.pop(head, None)
    else:
        target[head] = value


def _apply_nested(target: dict, rest: list, spec, root, user_vars) -> None:
    if rest:
        _add_field(target, rest, spec, root, user_vars)
    else:
        for key, sub_spec in spec.items():
            _add_field(target, key.split('.'), sub_spec, root, user_vars)


def _add_fields_stage(in_collection, database, options, user_vars):
    if not isinstance(options, dict) or not options:
        raise MongoError(40177, 'Invalid $addFields :: caused by :: specification must have '
                                'at least one field')
    out = []
    for doc in in_collection:
        new = dict(doc)
        for field, spec in options.items():
            if field.startswith('$'):
                raise MongoError(16410, "FieldPath field names may not start with '$'. "
                                        "Consider using $getField or $setField.")
            _add_field(new, field.split('.'), spec, doc, user_vars)
        out.append(new)
    return out


def _limit_stage(in_collection, database, options, user_vars):
    if not bsonvalues.is_number(options) or int(options) != options:
        raise MongoError(15957, 'the limit must be specified as a number')
    if options <= 0:
        raise MongoError(15958, 'the limit must be positive')
    return in_collection[:int(options)]


def _skip_stage(in_collection, database, options, user_vars):
    if not bsonvalues.is_number(options) or int(options) != options:
        raise MongoError(15972, 'Argument to $skip must be a number')
    if options < 0:
        raise MongoError(15956, 'Argument to $skip cannot be negative')
    return in_collection[int(options):]


# Set by engine.Engine: is (database name, collection name) a view? mongomock_ng resolves
# $lookup/$unionWith/$graphLookup "from" names as plain collections, so a view would read
# as empty. Reading from a view there is refused loudly instead.
def view_lookup(db_name, name):  # replaced by engine.Engine
    return False


def _refuse_views(stage_name, handler, field):
    def wrapped(in_collection, database, options, user_vars):
        name = options.get(field) if isinstance(options, dict) else options
        if isinstance(name, str) and view_lookup(database.name, name):
            raise not_implemented(f'{stage_name} from a view ({name})')
        return handler(in_collection, database, options, user_vars)

    return wrapped


# -- update operators ------------------------------------------------------------------

def _numeric_updater(name, combine, missing):
    """$inc/$mul with numeric validation and MongoDB's result types (fault 2)."""

    def updater(doc, field_name, value, codec_options=None):
        if not bsonvalues.is_number(value):
            raise MongoError(14, f'Cannot {"increment" if name == "$inc" else "multiply"} '
                                 f'with non-numeric argument: {{{field_name}: '
                                 f'{indexes.format_value(value)}}}')
        if isinstance(doc, MutableMapping):
            if field_name not in doc:
                doc[field_name] = missing(value)
                return
            current = doc[field_name]
            target = field_name
        elif isinstance(doc, list):
            index = int(field_name)
            if index < 0:
                raise MongoError(2, 'Negative index provided')
            if index >= len(doc):
                doc.extend([None] * (index + 1 - len(doc)))
                doc[index] = missing(value)
                return
            current = doc[index]
            target = index
        else:
            raise MongoError(28, f"Cannot create field '{field_name}' in element "
                                 f"{indexes.format_value(doc)}")
        if not bsonvalues.is_number(current):
            raise MongoError(14, f"Cannot apply {name} to a value of non-numeric type. "
                                 f"Field '{field_name}' is of non-numeric type "
                                 f"{operators.type_name(current)}")
        doc[target] = combine(current, value)

    return updater


def _compare_updater(sign):
    """$max/$min with BSON comparison order (Python's max/min fail on mixed types)."""

    def updater(doc, field_name, value, codec_options=None):
        if isinstance(doc, MutableMapping):
            if field_name not in doc or bsonvalues.compare(value, doc[field_name]) * sign > 0:
                doc[field_name] = value
        elif isinstance(doc, list):
            index = int(field_name)
            if index >= len(doc):
                doc.extend([None] * (index + 1 - len(doc)))
                doc[index] = value
            elif bsonvalues.compare(value, doc[index]) * sign > 0:
                doc[index] = value

    return updater


def _is_int32(value) -> bool:
    return (isinstance(value, int) and not isinstance(value, (bool, Int64))
            and INT32_MIN <= value <= INT32_MAX)


_installed = False


def install() -> None:
    global _installed
    if _installed:
        return
    numeric.install()
    operators.install()

    # Fault 1: partial unique indexes; mongod's E11000 messages.
    collection.Collection._ensure_uniques = (
        lambda self, new_data: indexes.ensure_uniques(self, new_data))

    # Pipeline stages.
    aggregate.process_pipeline = process_pipeline
    handlers = aggregate._PIPELINE_HANDLERS
    handlers['$group'] = accumulators.handle_group_stage
    handlers['$count'] = accumulators.handle_count_stage
    handlers['$match'] = _match_stage
    handlers['$facet'] = _facet_stage
    handlers['$addFields'] = _add_fields_stage
    handlers['$set'] = _add_fields_stage
    handlers['$limit'] = _limit_stage
    handlers['$skip'] = _skip_stage
    aggregate._accumulate_set_window_fields = window.accumulate_set_window_fields
    for stage_name, field in (('$lookup', 'from'), ('$graphLookup', 'from'),
                              ('$unionWith', 'coll')):
        handlers[stage_name] = _refuse_views(stage_name, handlers[stage_name], field)

    # Update operators ($mul is missing from mongomock_ng 7.11.1).
    collection._updaters['$inc'] = _numeric_updater('$inc', numeric.add, lambda v: v)
    collection._updaters['$mul'] = _numeric_updater('$mul', numeric.multiply,
                                                    numeric.zero_like)
    collection._updaters['$max'] = _compare_updater(1)
    collection._updaters['$min'] = _compare_updater(-1)

    # {$type: "int"} / {$type: "long"} by BSON type, not by magnitude.
    type_map = filtering.TYPE_MAP
    type_map['int'] = _is_int32
    type_map['long'] = lambda v: numeric.is_long(v)
    type_map['null'] = lambda v: v is None
    type_map['timestamp'] = lambda v: isinstance(v, bson.Timestamp)
    type_map['regex'] = lambda v: isinstance(v, (bson.Regex, re.Pattern))
    for code, name in {1: 'double', 2: 'string', 3: 'object', 4: 'array', 5: 'binData',
                       7: 'objectId', 8: 'bool', 9: 'date', 10: 'null', 11: 'regex',
                       16: 'int', 17: 'timestamp', 18: 'long', 19: 'decimal'}.items():
        type_map[code] = type_map[name]
    _installed = True
