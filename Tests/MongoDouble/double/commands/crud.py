"""Write commands: insert, update, delete, findAndModify.

Reply shapes are mongod's: ``n``, ``nModified``, ``upserted: [{index, _id}]`` and
``writeErrors: [{index, code, errmsg, ...}]`` (duplicate keys add ``keyPattern`` and
``keyValue``); ordered batches stop at the first error, unordered ones go on.
findAndModify answers ``{value, lastErrorObject: {n, updatedExisting, upserted?}}``
(mongomock_ng has no lastErrorObject - fault 3).
"""

from __future__ import annotations

import pymongo.errors
from bson import ObjectId
from mongomock_ng import helpers

from .. import indexes
from ..errors import MongoError, translate
from . import check_fields, command

UPDATE_OPERATORS = {'$currentDate', '$inc', '$min', '$max', '$mul', '$rename', '$set',
                    '$setOnInsert', '$unset', '$addToSet', '$pop', '$pull', '$push',
                    '$pullAll', '$bit'}


def namespace(db, name):
    return f'{db}.{name}'


def _writable_collection(ctx, db, name):
    if not isinstance(name, str):
        raise MongoError(2, f'collection name has invalid type {type(name).__name__}')
    if ctx.engine.is_view(db, name):
        raise MongoError(166, f'Namespace {db}.{name} is a view, not a collection')
    return ctx.engine.collection(db, name)


def _engine_error(exc, ns) -> MongoError:
    if isinstance(exc, pymongo.errors.DuplicateKeyError):
        return indexes.duplicate_key_error(exc, ns)
    return translate(exc)


def _batch(command_name, args, field):
    statements = args.get(field)
    if not isinstance(statements, list):
        raise MongoError(14 if field in args else 40414,
                         f"BSON field '{command_name}.{field}' is "
                         + ('the wrong type' if field in args else 'missing but a required field'))
    if not 1 <= len(statements) <= 100_000:
        raise MongoError(16, f'Write batch sizes must be between 1 and 100000. Got '
                             f'{len(statements)} operations.')
    return statements


def _with_id_first(document: dict) -> dict:
    if not isinstance(document, dict):
        raise MongoError(14, 'documents to insert must be objects')
    if '_id' not in document:
        return {'_id': ObjectId(), **document}
    _id = document['_id']
    if isinstance(_id, list):
        raise MongoError(53, "The '_id' value cannot be of type array")
    if next(iter(document)) != '_id':
        return {'_id': _id, **{k: v for k, v in document.items() if k != '_id'}}
    return document


@command('insert', fields=('insert', 'documents', 'ordered', 'bypassDocumentValidation'))
def _insert(ctx, db, args):
    name = args['insert']
    collection = _writable_collection(ctx, db, name)
    documents = _batch('insert', args, 'documents')
    ordered = args.get('ordered', True)
    validate = not args.get('bypassDocumentValidation', False)
    ns = namespace(db, name)
    inserted = 0
    write_errors = []
    ctx.engine.mark_created(db, name)
    for index, document in enumerate(documents):
        try:
            collection._insert(_with_id_first(document), validate=validate)
            inserted += 1
        except Exception as exc:  # noqa: BLE001 - becomes a writeError
            write_errors.append(_engine_error(exc, ns).to_write_error(index))
            if ordered:
                break
    reply = {'n': inserted}
    if write_errors:
        reply['writeErrors'] = write_errors
    return reply


def validate_update(u, multi: bool, where: str) -> None:
    if isinstance(u, list):
        return  # pipeline update: stages are validated by the engine
    if not isinstance(u, dict):
        raise MongoError(14, f"BSON field '{where}.u' is the wrong type, expected type object "
                             f"or array")
    operators = [k for k in u if k.startswith('$')]
    if operators:
        for key in u:
            if key not in UPDATE_OPERATORS:
                raise MongoError(9, f'Unknown modifier: {key}. Expected a valid update modifier '
                                    f'or pipeline-style update specified as an array')
        for key, value in u.items():
            if not isinstance(value, dict):
                raise MongoError(9, f'Modifiers operate on fields but we found type '
                                    f'{type(value).__name__} instead. For example: '
                                    f'{{$mod: {{<field>: ...}}}} not {{{key}: {value!r}}}')
    elif multi:
        raise MongoError(9, 'multi update is not supported for replacement-style update')


@command('update', fields=('update', 'updates', 'ordered', 'bypassDocumentValidation'),
         unsupported=('let',))
def _update(ctx, db, args):
    name = args['update']
    collection = _writable_collection(ctx, db, name)
    statements = _batch('update', args, 'updates')
    ordered = args.get('ordered', True)
    validate = not args.get('bypassDocumentValidation', False)
    ns = namespace(db, name)
    matched = modified = 0
    upserted = []
    write_errors = []
    for index, statement in enumerate(statements):
        try:
            if not isinstance(statement, dict):
                raise MongoError(14, 'update statements must be objects')
            check_fields('update', statement, {'q', 'u', 'upsert', 'multi', 'arrayFilters',
                                               'hint', 'upsertSupplied'},
                         unsupported={'collation', 'c', 'sort'}, where='update.updates')
            query = statement.get('q', {})
            if not isinstance(query, dict):
                raise MongoError(14, "BSON field 'update.updates.q' is the wrong type")
            if 'u' not in statement:
                raise MongoError(40414, "BSON field 'update.updates.u' is missing but a "
                                        "required field")
            multi = bool(statement.get('multi', False))
            validate_update(statement['u'], multi, 'update.updates')
            upsert = bool(statement.get('upsert', False))
            if upsert:
                ctx.engine.mark_created(db, name)
            result = collection._update(query, statement['u'], upsert=upsert, multi=multi,
                                        array_filters=statement.get('arrayFilters'),
                                        validate=validate)
            matched += result['n']
            modified += result['nModified']
            if result.get('upserted') is not None:
                upserted.append({'index': index, '_id': result['upserted']})
        except Exception as exc:  # noqa: BLE001 - becomes a writeError
            write_errors.append(_engine_error(exc, ns).to_write_error(index))
            if ordered:
                break
    reply = {'n': matched, 'nModified': modified}
    if upserted:
        reply['upserted'] = upserted
    if write_errors:
        reply['writeErrors'] = write_errors
    return reply


def delete_matching(collection, query, just_one: bool) -> int:
    """Delete without copying the matched documents (mongomock_ng's _delete copies them)."""
    store = collection._store
    ids = []
    for document in collection._iter_documents(query):
        ids.append(document['_id'])
        if just_one:
            break
    for _id in ids:
        del store[helpers.hashdict(_id) if isinstance(_id, dict) else _id]
    return len(ids)


@command('delete', fields=('delete', 'deletes', 'ordered'), unsupported=('let',))
def _delete(ctx, db, args):
    name = args['delete']
    collection = _writable_collection(ctx, db, name)
    statements = _batch('delete', args, 'deletes')
    ordered = args.get('ordered', True)
    ns = namespace(db, name)
    deleted = 0
    write_errors = []
    for index, statement in enumerate(statements):
        try:
            if not isinstance(statement, dict):
                raise MongoError(14, 'delete statements must be objects')
            check_fields('delete', statement, {'q', 'limit', 'hint'},
                         unsupported={'collation'}, where='delete.deletes')
            query = statement.get('q')
            if not isinstance(query, dict):
                raise MongoError(40414, "BSON field 'delete.deletes.q' is missing but a "
                                        "required field")
            limit = statement.get('limit')
            if limit not in (0, 1):
                raise MongoError(9, f'The limit field in delete objects must be 0 or 1. Got '
                                    f'{limit!r}')
            deleted += delete_matching(collection, query, just_one=limit == 1)
        except Exception as exc:  # noqa: BLE001 - becomes a writeError
            write_errors.append(_engine_error(exc, ns).to_write_error(index))
            if ordered:
                break
    reply = {'n': deleted}
    if write_errors:
        reply['writeErrors'] = write_errors
    return reply


def sort_list(sort):
    if sort is None:
        return None
    if not isinstance(sort, dict):
        raise MongoError(14, 'sort must be an object')
    result = []
    for key, direction in sort.items():
        if isinstance(direction, dict):
            raise MongoError(238, f'mongo-double does not implement sorting by {direction}')
        if direction not in (1, -1) or isinstance(direction, bool):
            raise MongoError(15975, '$sort key ordering must be 1 (for ascending) or -1 (for '
                                    'descending)')
        result.append((key, direction))
    return result or None


def project(collection, document, fields):
    if document is None or not fields:
        return document
    return collection._copy_only_fields(document, dict(fields), dict)


@command('findAndModify', 'findandmodify',
         fields=('query', 'sort', 'update', 'remove', 'new', 'upsert', 'fields',
                 'arrayFilters', 'bypassDocumentValidation', 'hint'),
         unsupported=('collation', 'let'))
def _find_and_modify(ctx, db, args):
    name = args.get('findAndModify', args.get('findandmodify'))
    collection = _writable_collection(ctx, db, name)
    query = args.get('query') or {}
    if not isinstance(query, dict):
        raise MongoError(14, "BSON field 'findAndModify.query' is the wrong type")
    update = args.get('update')
    remove = bool(args.get('remove', False))
    new = bool(args.get('new', False))
    upsert = bool(args.get('upsert', False))
    fields = args.get('fields')
    sort = sort_list(args.get('sort'))
    if remove and update is not None:
        raise MongoError(9, 'Cannot specify both an update and remove=true')
    if not remove and update is None:
        raise MongoError(9, 'Either an update or remove=true must be specified')
    if remove and upsert:
        raise MongoError(9, 'Cannot specify both upsert=true and remove=true')
    if remove and new:
        raise MongoError(9, "Cannot specify both new=true and remove=true; 'remove' always "
                            "returns the deleted document")
    if update is not None:
        validate_update(update, False, 'findAndModify')
    ns = namespace(db, name)
    try:
        old = next(collection._get_dataset(query, sort, None, dict), None)
        if old is None:
            if not upsert:
                return {'lastErrorObject': {'n': 0, 'updatedExisting': False}, 'value': None}
            ctx.engine.mark_created(db, name)
            result = collection._update(query, update, upsert=True,
                                        array_filters=args.get('arrayFilters'),
                                        validate=not args.get('bypassDocumentValidation'))
            upserted_id = result['upserted']
            value = None
            if new:
                value = next(collection._get_dataset({'_id': upserted_id}, None, None, dict))
            return {'lastErrorObject': {'n': 1, 'updatedExisting': False,
                                        'upserted': upserted_id},
                    'value': project(collection, value, fields)}
        if remove:
            delete_matching(collection, {'_id': old['_id']}, just_one=True)
            return {'lastErrorObject': {'n': 1}, 'value': project(collection, old, fields)}
        # Same query and sort as the lookup above, so the engine updates that document
        # (and positional $ operators see the original query).
        collection._update(query, update, multi=False, sort=sort,
                           array_filters=args.get('arrayFilters'),
                           validate=not args.get('bypassDocumentValidation'))
        value = old
        if new:
            value = next(collection._get_dataset({'_id': old['_id']}, None, None, dict), None)
        return {'lastErrorObject': {'n': 1, 'updatedExisting': True},
                'value': project(collection, value, fields)}
    except pymongo.errors.DuplicateKeyError as exc:
        raise indexes.duplicate_key_error(exc, ns) from None
