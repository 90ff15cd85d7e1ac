"""Collection, view and index commands: create, drop, listCollections, createIndexes,
listIndexes, dropIndexes.

MongoDB 7 semantics: ``drop`` of a namespace that does not exist succeeds; ``create`` of an
existing one is NamespaceExists (48); createIndexes is idempotent for an identical spec and
raises IndexKeySpecsConflict (86) / IndexOptionsConflict (85) otherwise (see indexes.py).
"""

from __future__ import annotations

from mongomock_ng import filtering

from .. import indexes
from ..engine_fixes import validate_pipeline
from ..errors import MongoError, not_implemented
from . import command

COLLECTION_OPTIONS = {'validator', 'validationLevel', 'validationAction'}


@command('create', fields=('create', 'viewOn', 'pipeline', 'validator', 'validationLevel',
                           'validationAction', 'capped', 'storageEngine',
                           'indexOptionDefaults', 'idIndex', 'autoIndexId'),
         unsupported=('collation', 'size', 'max', 'timeseries', 'expireAfterSeconds',
                      'clusteredIndex', 'changeStreamPreAndPostImages', 'encryptedFields'))
def _create(ctx, db, args):
    name = args['create']
    engine = ctx.engine
    engine.collection(db, name)  # validates the name
    if engine.namespace_exists(db, name):
        raise MongoError(48, f'Collection {db}.{name} already exists.')
    if args.get('capped'):
        raise not_implemented('capped collections')
    if 'viewOn' in args:
        view_on = args['viewOn']
        if not isinstance(view_on, str) or not view_on:
            raise MongoError(14, "'viewOn' option must be a non-empty string")
        if any(k in args for k in COLLECTION_OPTIONS):
            raise MongoError(2, 'View does not support the validator option(s)')
        pipeline = args.get('pipeline', [])
        validate_pipeline(pipeline)
        for stage in pipeline:
            if set(stage) & {'$out', '$merge'}:
                raise MongoError(2, f'{next(iter(stage))} cannot be used in a view definition')
        engine.create_view(db, name, view_on, pipeline)
        return {}
    if 'pipeline' in args:
        raise MongoError(2, "'pipeline' requires 'viewOn' to also be specified")
    options = {k: args[k] for k in COLLECTION_OPTIONS if k in args}
    engine.collection(db, name)._store.create(**options)
    engine.mark_created(db, name)
    return {}


@command('drop')
def _drop(ctx, db, args):
    name = args['drop']
    was = ctx.engine.drop_collection(db, name)
    ctx.cursors.drop_namespace(f'{db}.{name}')
    if was is None:
        return {}  # MongoDB 7: dropping a missing namespace succeeds
    return {'nIndexesWas': was, 'ns': f'{db}.{name}'}


def _collection_entry(ctx, db, name):
    store = ctx.engine.collection(db, name)._store
    return {
        'name': name,
        'type': 'collection',
        'options': dict(store.options),
        'info': {'readOnly': False, 'uuid': ctx.engine.collection_uuid(db, name)},
        'idIndex': dict(indexes.ID_INDEX),
    }


def _view_entry(ctx, db, name):
    view = ctx.engine.views[(db, name)]
    return {
        'name': name,
        'type': 'view',
        'options': {'viewOn': view['viewOn'], 'pipeline': view['pipeline']},
        'info': {'readOnly': True},
    }


@command('listCollections', fields=('listCollections', 'filter', 'nameOnly',
                                    'authorizedCollections', 'cursor'),
         collection_of=lambda args: None)
def _list_collections(ctx, db, args):
    filter_ = args.get('filter') or {}
    if not isinstance(filter_, dict):
        raise MongoError(14, "BSON field 'listCollections.filter' is the wrong type")
    name_only = bool(args.get('nameOnly'))
    entries = [_collection_entry(ctx, db, n) for n in ctx.engine.collection_names(db)]
    entries += [_view_entry(ctx, db, n) for n in ctx.engine.view_names(db)]
    entries.sort(key=lambda e: e['name'])
    if name_only:
        entries = [{'name': e['name'], 'type': e['type']} for e in entries]
    entries = [e for e in entries if filtering.filter_applies(filter_, e)]
    cursor_options = args.get('cursor') or {}
    cursor = ctx.cursors.open(f'{db}.$cmd.listCollections', entries,
                              cursor_options.get('batchSize'))
    return {'cursor': cursor}


def _existing_collection(ctx, db, name, command_name):
    if not isinstance(name, str):
        raise MongoError(14, f"BSON field '{command_name}' is the wrong type")
    if ctx.engine.is_view(db, name):
        raise MongoError(166, f'Namespace {db}.{name} is a view, not a collection')
    return ctx.engine.collection(db, name)


@command('createIndexes', fields=('createIndexes', 'indexes', 'commitQuorum'))
def _create_indexes(ctx, db, args):
    name = args['createIndexes']
    collection = _existing_collection(ctx, db, name, 'createIndexes')
    specs = args.get('indexes')
    if not isinstance(specs, list) or not specs:
        raise MongoError(2, 'Must specify at least one index to create')
    created_automatically = not ctx.engine.collection_exists(db, name)
    if created_automatically:
        ctx.engine.mark_created(db, name)
    before, after = indexes.create_indexes(collection, specs)
    reply = {'numIndexesBefore': before, 'numIndexesAfter': after,
             'createdCollectionAutomatically': created_automatically}
    if before == after:
        reply['note'] = 'all indexes already exist'
    return reply


@command('listIndexes', fields=('listIndexes', 'cursor', 'includeBuildUUIDs'))
def _list_indexes(ctx, db, args):
    name = args['listIndexes']
    collection = _existing_collection(ctx, db, name, 'listIndexes')
    if not ctx.engine.collection_exists(db, name):
        raise MongoError(26, f'ns does not exist: {db}.{name}')
    cursor_options = args.get('cursor') or {}
    cursor = ctx.cursors.open(f'{db}.{name}', indexes.list_indexes(collection),
                              cursor_options.get('batchSize'))
    return {'cursor': cursor}


@command('dropIndexes', 'deleteIndexes', fields=('dropIndexes', 'deleteIndexes', 'index'))
def _drop_indexes(ctx, db, args):
    name = args.get('dropIndexes', args.get('deleteIndexes'))
    collection = _existing_collection(ctx, db, name, 'dropIndexes')
    if not ctx.engine.collection_exists(db, name):
        raise MongoError(26, f'ns not found {db}.{name}')
    if 'index' not in args:
        raise MongoError(40414, "BSON field 'dropIndexes.index' is missing but a required field")
    was = indexes.drop_indexes(collection, args['index'])
    reply = {'nIndexesWas': was}
    if args['index'] == '*':
        reply['msg'] = 'non-_id indexes dropped for collection'
    return reply
