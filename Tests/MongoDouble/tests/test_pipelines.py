"""Aggregation stages and operators the product's condition pipelines use (item 6), the
$group/$count/$setWindowFields fixes, and loud failures for unknown stages/operators."""

from __future__ import annotations

import datetime

import pymongo
import pytest
from bson.int64 import Int64

D = datetime.datetime


def agg(collection, pipeline, **kwargs):
    return list(collection.aggregate(pipeline, **kwargs))


@pytest.fixture
def activities(db):
    docs = []
    for day in range(1, 8):
        if day == 4:
            continue  # a gap in the streak
        docs.append({'userId': 'u1', 'type': 'LOGIN', 'occurredAt': D(2024, 3, day, 23, 30)})
    docs += [
        {'userId': 'u1', 'type': 'FRIEND_INVITE', 'occurredAt': D(2024, 3, 2),
         'attributes': {'inviteeId': 'a'}},
        {'userId': 'u1', 'type': 'FRIEND_INVITE', 'occurredAt': D(2024, 3, 3),
         'attributes': {'inviteeId': 'b'}},
        {'userId': 'u1', 'type': 'FRIEND_INVITE', 'occurredAt': D(2024, 3, 3),
         'attributes': {'inviteeId': 'a'}},
        {'userId': 'u1', 'type': 'PURCHASE', 'occurredAt': D(2024, 3, 5),
         'attributes': {'amount': Int64(500)}},
        {'userId': 'u1', 'type': 'PURCHASE', 'occurredAt': D(2024, 3, 6),
         'attributes': {'amount': Int64(250)}},
        {'userId': 'u2', 'type': 'LOGIN', 'occurredAt': D(2024, 3, 1)},
        {'userId': 'u1', 'type': 'LOGIN', 'occurredAt': D(2024, 2, 1)},  # outside the window
    ]
    db.activities.insert_many(docs)
    return db.activities


def test_condition_pipeline_with_facet(activities):
    window = {'$gte': D(2024, 3, 1), '$lt': D(2024, 4, 1)}
    pipeline = [
        {'$match': {'userId': 'u1', 'type': {'$in': ['LOGIN', 'FRIEND_INVITE', 'PURCHASE']},
                    'occurredAt': window}},
        {'$facet': {
            'login': [
                {'$match': {'type': 'LOGIN'}},
                {'$group': {'_id': {'$dateTrunc': {'date': '$occurredAt', 'unit': 'day',
                                                   'timezone': 'Asia/Seoul'}}}},
                {'$sort': {'_id': 1}},
                {'$group': {'_id': None, 'days': {'$push': '$_id'}}},
                {'$project': {'_id': 0, 'streak': {'$reduce': {
                    'input': '$days',
                    'initialValue': {'best': 0, 'run': 0, 'prev': None},
                    'in': {'$let': {
                        'vars': {'continues': {'$and': [
                            {'$ne': ['$$value.prev', None]},
                            {'$eq': [{'$dateDiff': {'startDate': '$$value.prev',
                                                    'endDate': '$$this', 'unit': 'day'}}, 1]},
                        ]}},
                        'in': {'$let': {
                            'vars': {'run': {'$cond': ['$$continues',
                                                       {'$add': ['$$value.run', 1]}, 1]}},
                            'in': {'best': {'$max': ['$$value.best', '$$run']},
                                   'run': '$$run', 'prev': '$$this'}}},
                    }},
                }}}},
            ],
            'invites': [
                {'$match': {'type': 'FRIEND_INVITE'}},
                {'$group': {'_id': None, 'invitees': {'$addToSet': '$attributes.inviteeId'}}},
                {'$project': {'_id': 0, 'count': {'$size': '$invitees'}}},
            ],
            'spend': [
                {'$match': {'type': 'PURCHASE'}},
                {'$group': {'_id': None, 'total': {'$sum': '$attributes.amount'},
                            'max': {'$max': '$attributes.amount'}}},
            ],
            'nothing': [{'$match': {'type': 'NOPE'}}, {'$count': 'n'}],
        }},
    ]
    (result,) = agg(activities, pipeline)
    # Logins at 23:30Z are the next day in Seoul: Mar 2,3,4 then 6,7,8 -> best run 3.
    assert result['login'] == [{'streak': {'best': 3, 'run': 3, 'prev': D(2024, 3, 7, 15)}}]
    assert result['invites'] == [{'count': 2}]
    assert result['spend'] == [{'_id': None, 'total': 750, 'max': 500}]
    assert type(result['spend'][0]['total']) is Int64
    assert result['nothing'] == []


def test_count_documents_shape(activities):
    # libmongoc and pymongo count with $match + $group {_id: 1, n: {$sum: 1}}.
    assert activities.count_documents({'userId': 'u1'}) == 12
    assert activities.count_documents({'userId': 'nobody'}) == 0
    assert agg(activities, [{'$match': {'userId': 'nobody'}},
                            {'$group': {'_id': 1, 'n': {'$sum': 1}}}]) == []


def test_group_over_empty_input_returns_nothing(db):
    assert agg(db.empty, [{'$group': {'_id': None, 'total': {'$sum': '$x'}}}]) == []
    assert agg(db.empty, [{'$count': 'n'}]) == []


def test_group_accumulators(db):
    db.c.insert_many([
        {'g': 'a', 'v': 3, 't': D(2024, 1, 2), 'tag': 'x'},
        {'g': 'a', 'v': 1, 't': D(2024, 1, 1), 'tag': 'x'},
        {'g': 'a', 't': D(2024, 1, 3), 'tag': 'y'},
        {'g': 'b', 'v': 'text', 't': D(2024, 1, 5)},
    ])
    rows = {r['_id']: r for r in agg(db.c, [
        {'$sort': {'t': 1}},
        {'$group': {'_id': '$g', 'sum': {'$sum': '$v'}, 'max': {'$max': '$v'},
                    'min': {'$min': '$v'}, 'first': {'$first': '$v'}, 'last': {'$last': '$v'},
                    'push': {'$push': '$v'}, 'tags': {'$addToSet': '$tag'},
                    'latest': {'$max': '$t'}, 'n': {'$count': {}}, 'avg': {'$avg': '$v'}}},
    ])}
    a = rows['a']
    assert list(a)[0] == '_id'
    assert (a['sum'], a['max'], a['min'], a['first'], a['n'], a['avg']) == (4, 3, 1, 1, 3, 2.0)
    assert a['last'] is None  # the last document has no v: null, not skipped
    assert a['push'] == [1, 3]
    assert sorted(a['tags']) == ['x', 'y']
    assert a['latest'] == D(2024, 1, 3)
    b = rows['b']
    assert (b['sum'], b['max'], b['avg']) == (0, 'text', None)


def test_top_and_bottom_accumulators_pick_by_sort_order(db):
    db.c.insert_many([
        {'_id': 1, 'g': 'a', 'v': 5, 't': D(2024, 1, 3)},
        {'_id': 2, 'g': 'a', 'v': 9, 't': D(2024, 1, 1)},
        {'_id': 3, 'g': 'a', 't': D(2024, 1, 2)},
        {'_id': 4, 'g': 'a', 'v': 9, 't': D(2024, 1, 4)},
        {'_id': 5, 'g': 'b', 'v': 1, 't': D(2024, 1, 1)},
    ])
    rows = {r['_id']: r for r in agg(db.c, [
        {'$group': {
            '_id': '$g',
            'earliest3': {'$topN': {'n': 3, 'sortBy': {'t': 1, '_id': 1}, 'output': '$_id'}},
            'latest2': {'$bottomN': {'n': 2, 'sortBy': {'t': 1}, 'output': '$_id'}},
            'best': {'$top': {'sortBy': {'v': -1, 't': 1}, 'output': ['$v', '$_id']}},
            'worst': {'$bottom': {'sortBy': {'v': -1}, 'output': '$v'}},
            'many': {'$topN': {'n': 10, 'sortBy': {'_id': 1}, 'output': '$v'}},
        }},
    ])}
    a = rows['a']
    assert a['earliest3'] == [2, 3, 1]
    assert a['latest2'] == [1, 4]  # the last two in sort order, in that order
    assert a['best'] == [9, 2]  # v 9 twice: the earlier t wins
    assert a['worst'] is None  # a missing v sorts as null, below every number
    assert a['many'] == [5, 9, None, 9]  # fewer documents than n: all; missing output is null
    assert rows['b']['earliest3'] == [5]
    assert rows['b']['best'] == [1, 5]


def test_top_n_arguments_are_checked(db):
    db.c.insert_one({'v': 1})
    for spec, code in (({'n': 0, 'sortBy': {'v': 1}, 'output': '$v'}, 5787908),
                       ({'n': 1.5, 'sortBy': {'v': 1}, 'output': '$v'}, 5787902),
                       ({'sortBy': {'v': 1}, 'output': '$v'}, 5787906),
                       ({'n': 1, 'output': '$v'}, 5788005),
                       ({'n': 1, 'sortBy': {'v': 1}}, 5788004),
                       ({'n': 1, 'sortBy': {'v': 2}, 'output': '$v'}, 15975),
                       ({'n': 1, 'sortBy': {'v': 1}, 'output': '$v', 'x': 1}, 5788002)):
        with pytest.raises(pymongo.errors.OperationFailure) as info:
            agg(db.c, [{'$group': {'_id': None, 'r': {'$topN': spec}}}])
        assert info.value.code == code, spec


def test_project_add_fields_set_unwind_replace_root(db):
    db.c.insert_one({'_id': 1, 'items': [{'sku': 'a', 'q': 2}, {'sku': 'b', 'q': 3}],
                     'meta': {'x': 1}})
    result = agg(db.c, [
        {'$unwind': '$items'},
        {'$addFields': {'double': {'$multiply': ['$items.q', 2]}}},
        {'$set': {'meta.y': 2}},
        {'$project': {'_id': 0, 'sku': '$items.sku', 'double': 1, 'meta': 1}},
        {'$replaceRoot': {'newRoot': {'$mergeObjects': ['$meta', {'sku': '$sku',
                                                                  'd': '$double'}]}}},
    ])
    assert result == [{'x': 1, 'y': 2, 'sku': 'a', 'd': 4}, {'x': 1, 'y': 2, 'sku': 'b', 'd': 6}]
    assert agg(db.c, [{'$unwind': {'path': '$nope', 'preserveNullAndEmptyArrays': True}},
                      {'$project': {'_id': 1}}]) == [{'_id': 1}]


def test_lookup_both_forms(db):
    db.events.insert_many([{'_id': 'e1', 'title': 'A'}, {'_id': 'e2', 'title': 'B'}])
    db.rewards.insert_many([{'eventId': 'e1', 'name': 'r1', 'stock': 0},
                            {'eventId': 'e1', 'name': 'r2', 'stock': 5},
                            {'eventId': 'e2', 'name': 'r3', 'stock': 1}])
    simple = agg(db.events, [{'$lookup': {'from': 'rewards', 'localField': '_id',
                                          'foreignField': 'eventId', 'as': 'rewards'}},
                             {'$project': {'n': {'$size': '$rewards'}}},
                             {'$sort': {'_id': 1}}])
    assert simple == [{'_id': 'e1', 'n': 2}, {'_id': 'e2', 'n': 1}]
    piped = agg(db.events, [
        {'$lookup': {'from': 'rewards', 'let': {'event': '$_id'}, 'as': 'inStock',
                     'pipeline': [{'$match': {'$expr': {'$and': [
                         {'$eq': ['$eventId', '$$event']}, {'$gt': ['$stock', 0]}]}}},
                         {'$project': {'_id': 0, 'name': 1}}]}},
        {'$sort': {'_id': 1}},
    ])
    assert [d['inStock'] for d in piped] == [[{'name': 'r2'}], [{'name': 'r3'}]]


def test_expression_operators(db):
    db.c.insert_one({'_id': 1, 'a': [3, 1, 2], 'n': None, 'x': 7, 'start': D(2024, 1, 1),
                     'end': D(2024, 1, 2), 'docs': [{'k': 2, 'v': 'b'}, {'k': 1, 'v': 'a'}]})
    (doc,) = agg(db.c, [{'$project': {
        '_id': 0,
        'cond': {'$cond': {'if': {'$gt': ['$x', 5]}, 'then': 'big', 'else': 'small'}},
        'cond_list': {'$cond': [False, 1, 2]},
        'size': {'$size': '$a'},
        'ms': {'$subtract': ['$end', '$start']},
        'div': {'$divide': ['$x', 2]},
        'round': {'$round': [{'$divide': [2, 3]}, 2]},
        'long': {'$toLong': '$x'},
        'ifnull': {'$ifNull': ['$n', '$missing', 'fallback']},
        'elem': {'$arrayElemAt': ['$a', -1]},
        'elem_out': {'$arrayElemAt': ['$a', 10]},
        'map': {'$map': {'input': '$a', 'as': 'v', 'in': {'$multiply': ['$$v', 10]}}},
        'filter': {'$filter': {'input': '$a', 'cond': {'$gte': ['$$this', 2]}}},
        'filter_limit': {'$filter': {'input': '$a', 'cond': True, 'limit': 1}},
        'filter_null': {'$filter': {'input': '$missing', 'cond': True}},
        'concat': {'$concatArrays': ['$a', [4], []]},
        'max_arr': {'$max': '$a'},
        'min_arr': {'$min': '$a'},
        'max_list': {'$max': ['$x', 9, None]},
        'sum_arr': {'$sum': '$a'},
        'sorted': {'$sortArray': {'input': '$a', 'sortBy': 1}},
        'sorted_desc': {'$sortArray': {'input': '$a', 'sortBy': -1}},
        'sorted_docs': {'$sortArray': {'input': '$docs', 'sortBy': {'k': 1}}},
        'reduce': {'$reduce': {'input': '$a', 'initialValue': 0,
                               'in': {'$add': ['$$value', '$$this']}}},
        'let': {'$let': {'vars': {'y': {'$add': ['$x', 1]}}, 'in': {'$multiply': ['$$y', 2]}}},
        'in': {'$in': [2, '$a']},
    }}])
    assert doc == {
        'cond': 'big', 'cond_list': 2, 'size': 3, 'ms': 86_400_000, 'div': 3.5, 'round': 0.67,
        'long': 7, 'ifnull': 'fallback', 'elem': 2, 'map': [30, 10, 20], 'filter': [3, 2],
        'filter_limit': [3], 'filter_null': None, 'concat': [3, 1, 2, 4], 'max_arr': 3,
        'min_arr': 1, 'max_list': 9, 'sum_arr': 6, 'sorted': [1, 2, 3], 'sorted_desc': [3, 2, 1],
        'sorted_docs': [{'k': 1, 'v': 'a'}, {'k': 2, 'v': 'b'}], 'reduce': 6, 'let': 16,
        'in': True}
    assert type(doc['ms']) is Int64 and type(doc['long']) is Int64


def test_sort_limit_skip_count(db):
    db.c.insert_many([{'i': i, 'g': i % 2} for i in range(10)])
    assert agg(db.c, [{'$sort': {'g': -1, 'i': 1}}, {'$skip': 2}, {'$limit': 3},
                      {'$project': {'_id': 0, 'i': 1}}]) == [{'i': 5}, {'i': 7}, {'i': 9}]
    assert agg(db.c, [{'$match': {'g': 1}}, {'$count': 'odd'}]) == [{'odd': 5}]
    with pytest.raises(pymongo.errors.OperationFailure) as info:
        agg(db.c, [{'$limit': 0}])
    assert info.value.code == 15958


def test_match_on_dates_and_in(db):
    db.c.insert_many([{'t': D(2024, 1, d), 'k': k} for d in range(1, 11) for k in 'ab'])
    assert len(agg(db.c, [{'$match': {'t': {'$gte': D(2024, 1, 3), '$lt': D(2024, 1, 5)},
                                      'k': {'$in': ['a', 'z']}}}])) == 2


def test_set_window_fields_range_windows(db):
    """Fault 4: mongomock_ng ignored range windows and summed the whole partition."""
    db.c.insert_many([{'u': 'a', 'x': x, 'v': 1} for x in (1, 2, 3, 10, 11)] +
                     [{'u': 'b', 'x': 1, 'v': 5}])
    result = agg(db.c, [
        {'$setWindowFields': {'partitionBy': '$u', 'sortBy': {'x': 1}, 'output': {
            'near': {'$sum': '$v', 'window': {'range': [-1, 1]}},
            'before': {'$count': {}, 'window': {'range': ['unbounded', 'current']}},
            'docs': {'$push': '$x', 'window': {'documents': [-1, 0]}},
            'all': {'$sum': '$v'},
        }}},
        {'$project': {'_id': 0, 'u': 1, 'x': 1, 'near': 1, 'before': 1, 'docs': 1, 'all': 1}},
    ])
    by_key = {(r['u'], r['x']): r for r in result}
    assert [by_key[('a', x)]['near'] for x in (1, 2, 3, 10, 11)] == [2, 3, 2, 2, 2]
    assert [by_key[('a', x)]['before'] for x in (1, 2, 3, 10, 11)] == [1, 2, 3, 4, 5]
    assert [by_key[('a', x)]['docs'] for x in (1, 2, 3, 10, 11)] == [[1], [1, 2], [2, 3],
                                                                    [3, 10], [10, 11]]
    assert by_key[('a', 1)]['all'] == 5 and by_key[('b', 1)]['all'] == 5


def test_set_window_fields_time_range(db):
    db.c.insert_many([{'t': D(2024, 1, d), 'v': 1} for d in (1, 2, 5, 6, 7)])
    result = agg(db.c, [
        {'$setWindowFields': {'sortBy': {'t': 1}, 'output': {
            'lastTwoDays': {'$sum': '$v', 'window': {'range': [-1, 'current'],
                                                     'unit': 'day'}}}}},
        {'$project': {'_id': 0, 'lastTwoDays': 1}},
    ])
    assert [r['lastTwoDays'] for r in result] == [1, 2, 1, 2, 2]


def test_set_window_fields_descending_range_fails_loudly(db):
    db.c.insert_many([{'x': 1}, {'x': 2}])
    with pytest.raises(pymongo.errors.OperationFailure) as info:
        agg(db.c, [{'$setWindowFields': {'sortBy': {'x': -1}, 'output': {
            's': {'$sum': '$x', 'window': {'range': [-1, 0]}}}}}])
    assert info.value.code == 238


def test_unknown_stage_and_operator(db):
    db.c.insert_one({'a': 1})
    with pytest.raises(pymongo.errors.OperationFailure) as info:
        agg(db.c, [{'$frobnicate': {}}])
    assert info.value.code == 40324
    assert "Unrecognized pipeline stage name: '$frobnicate'" in str(info.value)
    with pytest.raises(pymongo.errors.OperationFailure) as info:
        agg(db.c, [{'$project': {'x': {'$frobnicate': 1}}}])
    assert info.value.code == 168
    assert info.value.details['codeName'] == 'InvalidPipelineOperator'
    with pytest.raises(pymongo.errors.OperationFailure) as info:
        agg(db.c, [{'$match': {'a': {'$frobnicate': 1}}}])
    assert info.value.code == 2
    with pytest.raises(pymongo.errors.OperationFailure) as info:
        agg(db.c, [{'$match': {}, '$limit': 1}])
    assert info.value.code == 40323


def test_valid_but_unimplemented_fails_loudly(db):
    db.c.insert_one({'a': 'x'})
    for pipeline in ([{'$out': 'other'}], [{'$merge': 'other'}], [{'$densify': {}}],
                     [{'$project': {'r': {'$regexFind': {'input': '$a', 'regex': 'x'}}}}],
                     [{'$group': {'_id': None, 'm': {'$median': {'input': '$a', 'method': 'approximate'}}}}]):
        with pytest.raises(pymongo.errors.OperationFailure) as info:
            agg(db.c, pipeline)
        assert info.value.code == 238, pipeline
        assert info.value.details['codeName'] == 'NotImplemented'


def test_aggregate_let(db):
    db.c.insert_many([{'v': 1}, {'v': 5}])
    assert agg(db.c, [{'$match': {'$expr': {'$gt': ['$v', '$$min']}}},
                      {'$project': {'_id': 0, 'v': 1}}], let={'min': 2}) == [{'v': 5}]


def test_add_fields_merges_embedded_documents(db):
    db.c.insert_one({'_id': 1, 'specs': {'doors': 4, 'wheels': 4}, 'x': 2,
                     'items': [{'a': 1}, {'a': 2}]})
    (doc,) = agg(db.c, [{'$addFields': {'specs': {'fuel': 'unleaded', 'w': '$x'}}},
                        {'$set': {'items.flag': True, 'specs.doors': '$$REMOVE'}}])
    assert doc == {'_id': 1, 'specs': {'wheels': 4, 'fuel': 'unleaded', 'w': 2}, 'x': 2,
                   'items': [{'a': 1, 'flag': True}, {'a': 2, 'flag': True}]}
    # The stored document is untouched.
    assert db.c.find_one({'_id': 1})['specs'] == {'doors': 4, 'wheels': 4}


def test_facet_sub_pipelines_write_only_their_own_copies(db):
    # After a leading $match, $facet gets the stored documents themselves (the double copies
    # only what each sub-pipeline's own leading $match keeps), and mongomock_ng's $lookup
    # writes into its input: neither the stored documents nor the other facets may see it.
    db.c.insert_many([{'_id': 1, 'k': 'a', 'specs': {'doors': 4}},
                      {'_id': 2, 'k': 'b', 'specs': {'doors': 2}}])
    db.other.insert_one({'_id': 9, 'k': 'a'})
    join = {'$lookup': {'from': 'other', 'localField': 'k', 'foreignField': 'k', 'as': 'joined'}}
    (result,) = agg(db.c, [
        {'$match': {'k': {'$in': ['a', 'b']}}},
        {'$facet': {
            'filteredJoin': [{'$match': {'k': 'a'}}, join, {'$project': {'joined': 1}}],
            'join': [join, {'$set': {'specs.wheels': 4}}, {'$project': {'specs': 1, 'joined': 1}}],
            'read': [{'$project': {'doors': '$specs.doors', 'wheels': '$specs.wheels',
                                   'joined': 1}}],
            'filteredRead': [{'$match': {'k': 'a'}}],
        }},
    ])
    assert result == {
        'filteredJoin': [{'_id': 1, 'joined': [{'_id': 9, 'k': 'a'}]}],
        'join': [{'_id': 1, 'specs': {'doors': 4, 'wheels': 4}, 'joined': [{'_id': 9, 'k': 'a'}]},
                 {'_id': 2, 'specs': {'doors': 2, 'wheels': 4}, 'joined': []}],
        'read': [{'_id': 1, 'doors': 4}, {'_id': 2, 'doors': 2}],
        'filteredRead': [{'_id': 1, 'k': 'a', 'specs': {'doors': 4}}],
    }
    assert list(db.c.find()) == [{'_id': 1, 'k': 'a', 'specs': {'doors': 4}},
                                 {'_id': 2, 'k': 'b', 'specs': {'doors': 2}}]


def test_facet_checks_every_stage_before_matching(db):
    # The facet runs a sub-pipeline's leading $match itself, before the rest; the double
    # still reports unknown stage names before any other stage's error (40324, not the bad
    # $match's 15959), as everywhere else in it. (mongod reports the first bad stage in
    # order, 15959 here: a known difference, see the README.)
    db.c.insert_one({'k': 'a'})
    with pytest.raises(pymongo.errors.OperationFailure) as info:
        agg(db.c, [{'$match': {'k': 'a'}},
                   {'$facet': {'f': [{'$match': 5}, {'$frobnicate': {}}]}}])
    assert info.value.code == 40324
