"""Read commands: find, getMore, killCursors, aggregate, count, distinct.

Reads on a view run the view's pipeline over its source first. Every query scans the
collection (mongomock_ng has no index-backed plans); to avoid copying whole collections,
documents are copied only after they matched the filter or a pipeline's leading $match
(and, before a $facet, only by the facet: see engine_fixes._facet_stage).
"""

from __future__ import annotations

import itertools

from mongomock_ng import aggregate, filtering, helpers
from sentinels import NOTHING

from .. import bsonvalues
from ..engine_fixes import validate_pipeline
from ..errors import MongoError, not_implemented
from . import command
from .crud import sort_list


def _non_negative(command_name, field, value):
    if value is None:
        return 0
    if not bsonvalues.is_number(value) or int(value) != value:
        raise MongoError(14, f"BSON field '{command_name}.{field}' is the wrong type")
    if value < 0:
        raise MongoError(51024, f"BSON field '{field}' value must be >= 0, actual value "
                                f"'{int(value)}'")
    return int(value)


def _batch_size(command_name, value):
    if value is None:
        return None
    return _non_negative(command_name, 'batchSize', value)


def run_pipeline(ctx, db, collection_name, pipeline, user_vars=None) -> list:
    """Run ``pipeline`` over a collection or view; returns the result documents."""
    validate_pipeline(pipeline)
    source, view_pipeline = ctx.engine.resolve_view(db, collection_name)
    pipeline = view_pipeline + list(pipeline)
    collection = ctx.engine.collection(db, source)
    if pipeline and '$match' in pipeline[0] and not user_vars:
        spec = pipeline[0]['$match']
        if not isinstance(spec, dict):
            raise MongoError(15959, 'the match filter must be an expression in an object')
        documents = list(collection._iter_documents(spec))
        pipeline = pipeline[1:]
        # $facet copies what each of its sub-pipelines keeps; every other stage gets copies.
        if not (pipeline and '$facet' in pipeline[0]):
            documents = [helpers._clone_document(doc) for doc in documents]
    else:
        documents = [helpers._clone_document(doc) for doc in collection._store._documents.values()]
    result = aggregate.process_pipeline(documents, ctx.engine.database(db), pipeline, None,
                                        user_vars=user_vars)
    return list(result)


def _find_as_pipeline(filter_, sort, projection, skip, limit) -> list:
    pipeline = [{'$match': filter_}]
    if sort:
        pipeline.append({'$sort': dict(sort)})
    if skip:
        pipeline.append({'$skip': skip})
    if limit:
        pipeline.append({'$limit': limit})
    if projection:
        pipeline.append({'$project': projection})
    return pipeline


@command('find', fields=('find', 'filter', 'sort', 'projection', 'skip', 'limit', 'batchSize',
                         'singleBatch', 'hint', 'noCursorTimeout', 'allowDiskUse',
                         'allowPartialResults', 'oplogReplay', 'readOnce'),
         unsupported=('collation', 'let', 'returnKey', 'showRecordId', 'tailable',
                      'awaitData', 'min', 'max', 'explain'))
def _find(ctx, db, args):
    name = args['find']
    if not isinstance(name, str):
        raise not_implemented('find by collection UUID')
    filter_ = args.get('filter') or {}
    if not isinstance(filter_, dict):
        raise MongoError(14, "BSON field 'find.filter' is the wrong type, expected type object")
    sort = sort_list(args.get('sort'))
    projection = args.get('projection')
    if projection is not None and not isinstance(projection, dict):
        raise MongoError(14, "BSON field 'find.projection' is the wrong type")
    skip = _non_negative('find', 'skip', args.get('skip'))
    limit = _non_negative('find', 'limit', args.get('limit'))
    batch_size = _batch_size('find', args.get('batchSize'))
    if ctx.engine.is_view(db, name):
        documents = run_pipeline(ctx, db, name, _find_as_pipeline(filter_, sort, projection,
                                                                  skip, limit))
    else:
        collection = ctx.engine.collection(db, name)
        results = collection._get_dataset(filter_, sort, dict(projection) if projection
                                          else None, dict)
        documents = list(itertools.islice(results, skip, skip + limit if limit else None))
    cursor = ctx.cursors.open(f'{db}.{name}', documents, batch_size,
                              single_batch=bool(args.get('singleBatch')))
    return {'cursor': cursor}


@command('getMore', fields=('getMore', 'collection', 'batchSize'),
         collection_of=lambda args: args.get('collection'))
def _get_more(ctx, db, args):
    cursor_id = args['getMore']
    if not isinstance(cursor_id, int) or isinstance(cursor_id, bool):
        raise MongoError(14, "BSON field 'getMore.getMore' is the wrong type, expected type long")
    collection = args.get('collection')
    if not isinstance(collection, str):
        raise MongoError(40414, "BSON field 'getMore.collection' is missing but a required field")
    batch_size = _batch_size('getMore', args.get('batchSize')) or None
    return {'cursor': ctx.cursors.get_more(cursor_id, f'{db}.{collection}', batch_size)}


@command('killCursors', fields=('killCursors', 'cursors'))
def _kill_cursors(ctx, db, args):
    cursor_ids = args.get('cursors')
    if not isinstance(cursor_ids, list):
        raise MongoError(40414, "BSON field 'killCursors.cursors' is missing but a required "
                                "field")
    killed, not_found = ctx.cursors.kill(cursor_ids)
    return {'cursorsKilled': killed, 'cursorsNotFound': not_found, 'cursorsAlive': [],
            'cursorsUnknown': []}


@command('aggregate', fields=('aggregate', 'pipeline', 'cursor', 'allowDiskUse', 'hint',
                              'let', 'bypassDocumentValidation'),
         unsupported=('collation', 'explain', 'fromMongos', 'needsMerge'))
def _aggregate(ctx, db, args):
    name = args['aggregate']
    if not isinstance(name, str):
        raise not_implemented('database-level aggregate ({aggregate: 1})')
    pipeline = args.get('pipeline')
    if not isinstance(pipeline, list):
        raise MongoError(14, "'pipeline' option must be specified as an array")
    cursor_options = args.get('cursor')
    if not isinstance(cursor_options, dict):
        raise MongoError(9, "The 'cursor' option is required, except for aggregate with the "
                            "explain argument")
    batch_size = _batch_size('aggregate', cursor_options.get('batchSize'))
    user_vars = None
    if args.get('let') is not None:
        if not isinstance(args['let'], dict):
            raise MongoError(14, "BSON field 'aggregate.let' is the wrong type")
        user_vars = {key: aggregate._parse_expression(value, {})
                     for key, value in args['let'].items()}
    documents = run_pipeline(ctx, db, name, pipeline, user_vars)
    cursor = ctx.cursors.open(f'{db}.{name}', documents, batch_size)
    return {'cursor': cursor}


@command('count', fields=('count', 'query', 'limit', 'skip', 'hint', 'fields'),
         unsupported=('collation',))
def _count(ctx, db, args):
    name = args['count']
    query = args.get('query') or {}
    if not isinstance(query, dict):
        raise MongoError(14, "BSON field 'count.query' is the wrong type")
    skip = _non_negative('count', 'skip', args.get('skip'))
    limit = args.get('limit') or 0
    if not bsonvalues.is_number(limit):
        raise MongoError(14, "BSON field 'count.limit' is the wrong type")
    limit = abs(int(limit))
    if ctx.engine.is_view(db, name):
        total = len(run_pipeline(ctx, db, name, [{'$match': query}]))
    else:
        total = sum(1 for _ in ctx.engine.collection(db, name)._iter_documents(query))
    total = max(0, total - skip)
    if limit:
        total = min(total, limit)
    return {'n': total}


@command('distinct', fields=('distinct', 'key', 'query', 'hint'), unsupported=('collation',))
def _distinct(ctx, db, args):
    name = args['distinct']
    key = args.get('key')
    if not isinstance(key, str):
        raise MongoError(14, "BSON field 'distinct.key' is the wrong type, expected type string")
    query = args.get('query') or {}
    if not isinstance(query, dict):
        raise MongoError(14, "BSON field 'distinct.query' is the wrong type")
    if ctx.engine.is_view(db, name):
        documents = run_pipeline(ctx, db, name, [{'$match': query}])
    else:
        documents = ctx.engine.collection(db, name)._iter_documents(query)
    seen = set()
    values = []
    for document in documents:
        for candidate in filtering.iter_key_candidates(key, document):
            if candidate is NOTHING:
                continue
            for value in candidate if isinstance(candidate, list) else [candidate]:
                marker = bsonvalues.hashable(value)
                if marker not in seen:
                    seen.add(marker)
                    values.append(value)
    return {'values': values}
