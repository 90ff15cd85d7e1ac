"""Date operators pinned to results documented in the MongoDB manual (fault 4 and 5)."""

from __future__ import annotations

import datetime

import pymongo
import pytest
from bson.int64 import Int64

D = datetime.datetime


def evaluate(db, expression, doc=None):
    """Evaluate one aggregation expression over one document."""
    db.eval.delete_many({})
    db.eval.insert_one(dict(doc or {}, _id=1))
    (result,) = db.eval.aggregate([{'$project': {'_id': 0, 'v': expression}}])
    return result.get('v', 'MISSING')


# -- $dateTrunc --------------------------------------------------------------------------

@pytest.mark.parametrize('date, expected', [
    # DST day in New York: local midnight was still EST (-5).
    (D(2024, 3, 10, 10, 30), D(2024, 3, 10, 5, 0)),
    # The day after, midnight is EDT (-4).
    (D(2024, 3, 11, 10, 30), D(2024, 3, 11, 4, 0)),
    # Before local midnight (still the previous local day).
    (D(2024, 3, 11, 3, 59, 59), D(2024, 3, 10, 5, 0)),
    # Fall back: 2024-11-03 local midnight was EDT.
    (D(2024, 11, 3, 23, 0), D(2024, 11, 3, 4, 0)),
])
def test_date_trunc_day_new_york(db, date, expected):
    assert evaluate(db, {'$dateTrunc': {'date': '$d', 'unit': 'day',
                                        'timezone': 'America/New_York'}}, {'d': date}) == expected


@pytest.mark.parametrize('date, expected', [
    (D(2024, 3, 10, 14, 59, 59), D(2024, 3, 9, 15, 0)),
    (D(2024, 3, 10, 15, 0, 0), D(2024, 3, 10, 15, 0)),
    (D(2024, 3, 10, 23, 0, 0), D(2024, 3, 10, 15, 0)),
])
def test_date_trunc_day_seoul(db, date, expected):
    """Asia/Seoul (+09:00, no DST): days start at 15:00Z of the previous UTC day."""
    assert evaluate(db, {'$dateTrunc': {'date': '$d', 'unit': 'day',
                                        'timezone': 'Asia/Seoul'}}, {'d': date}) == expected


@pytest.mark.parametrize('order_date, expected', [
    (D(2020, 5, 18, 14, 10, 30), D(2020, 5, 11, 7, 0)),
    (D(2021, 3, 20, 11, 30, 5), D(2021, 3, 15, 7, 0)),
    (D(2021, 1, 11, 6, 31, 15), D(2021, 1, 4, 8, 0)),
    (D(2020, 2, 8, 13, 13, 23), D(2020, 2, 3, 8, 0)),
    (D(2019, 5, 18, 16, 9, 1), D(2019, 5, 13, 7, 0)),
    (D(2019, 1, 8, 6, 12, 3), D(2019, 1, 7, 8, 0)),
])
def test_date_trunc_manual_two_week_example(db, order_date, expected):
    """The manual's cakeSales example: 2-week bins, Los Angeles, weeks from Monday."""
    assert evaluate(db, {'$dateTrunc': {'date': '$d', 'unit': 'week', 'binSize': 2,
                                        'timezone': 'America/Los_Angeles',
                                        'startOfWeek': 'Monday'}},
                    {'d': order_date}) == expected


@pytest.mark.parametrize('order_date, expected', [
    (D(2020, 5, 18, 14, 10, 30), D(2020, 1, 1)),
    (D(2021, 3, 20, 11, 30, 5), D(2021, 1, 1)),
    (D(2020, 2, 8, 13, 13, 23), D(2020, 1, 1)),
    (D(2019, 5, 18, 16, 9, 1), D(2019, 1, 1)),
])
def test_date_trunc_manual_six_month_example(db, order_date, expected):
    assert evaluate(db, {'$dateTrunc': {'date': '$d', 'unit': 'month', 'binSize': 6}},
                    {'d': order_date}) == expected


@pytest.mark.parametrize('unit, bin_size, expected', [
    ('hour', 1, D(2021, 3, 20, 11, 0)),
    ('hour', 2, D(2021, 3, 20, 10, 0)),
    ('minute', 15, D(2021, 3, 20, 11, 30)),
    ('second', 1, D(2021, 3, 20, 11, 30, 5)),
    ('year', 10, D(2020, 1, 1)),
    ('quarter', 1, D(2021, 1, 1)),
    ('week', 1, D(2021, 3, 14)),  # Sunday
])
def test_date_trunc_units_utc(db, unit, bin_size, expected):
    assert evaluate(db, {'$dateTrunc': {'date': '$d', 'unit': unit, 'binSize': bin_size}},
                    {'d': D(2021, 3, 20, 11, 30, 5)}) == expected


@pytest.mark.parametrize('timezone, expected', [
    ('+05:30', D(2024, 3, 9, 18, 30)),
    ('+0530', D(2024, 3, 9, 18, 30)),
    ('-03', D(2024, 3, 10, 3, 0)),
    ('UTC', D(2024, 3, 10)),
])
def test_date_trunc_offsets(db, timezone, expected):
    assert evaluate(db, {'$dateTrunc': {'date': '$d', 'unit': 'day', 'timezone': timezone}},
                    {'d': D(2024, 3, 10, 10, 30)}) == expected


def test_date_trunc_hour_with_half_hour_offset(db):
    # Bins are aligned to 2000-01-01T00:00 in the timezone, so hours start at :30 UTC.
    assert evaluate(db, {'$dateTrunc': {'date': '$d', 'unit': 'hour',
                                        'timezone': 'Asia/Kolkata'}},
                    {'d': D(2024, 3, 10, 10, 10)}) == D(2024, 3, 10, 9, 30)


def test_date_trunc_nulls_and_errors(db):
    assert evaluate(db, {'$dateTrunc': {'date': '$missing', 'unit': 'day'}}) is None
    assert evaluate(db, {'$dateTrunc': {'date': '$d', 'unit': 'week', 'startOfWeek': None}},
                    {'d': D(2024, 1, 1)}) is None
    with pytest.raises(pymongo.errors.OperationFailure) as info:
        evaluate(db, {'$dateTrunc': {'date': '$d', 'unit': 'day', 'timezone': 'Mars/Base'}},
                 {'d': D(2024, 1, 1)})
    assert info.value.code == 40485
    with pytest.raises(pymongo.errors.OperationFailure):
        evaluate(db, {'$dateTrunc': {'date': '$d', 'unit': 'fortnight'}}, {'d': D(2024, 1, 1)})


# -- $dateDiff (boundaries crossed, not elapsed units) -------------------------------------

@pytest.mark.parametrize('start, end, years, months, days', [
    (D(2010, 1, 1), D(2011, 1, 1), 1, 12, 365),
    (D(2010, 1, 1), D(2011, 7, 1), 1, 18, 546),
    (D(2010, 3, 1), D(2010, 4, 30), 0, 1, 60),
])
def test_date_diff_manual_precision_example(db, start, end, years, months, days):
    doc = {'s': start, 'e': end}
    for unit, expected in (('year', years), ('month', months), ('day', days)):
        value = evaluate(db, {'$dateDiff': {'startDate': '$s', 'endDate': '$e', 'unit': unit}},
                         doc)
        assert value == expected and type(value) is Int64


@pytest.mark.parametrize('start, end, sunday', [
    (D(2021, 1, 1), D(2021, 1, 31), 5),
    (D(2021, 2, 1), D(2021, 2, 28), 4),
    (D(2021, 3, 1), D(2021, 3, 31), 4),
])
def test_date_diff_manual_weeks_example(db, start, end, sunday):
    doc = {'s': start, 'e': end}
    assert evaluate(db, {'$dateDiff': {'startDate': '$s', 'endDate': '$e', 'unit': 'week'}},
                    doc) == sunday


def test_date_diff_manual_weeks_example_start_of_week(db):
    base = {'startDate': '$s', 'endDate': '$e', 'unit': 'week'}
    cases = [(D(2021, 1, 1), D(2021, 1, 31), 4, 4), (D(2021, 2, 1), D(2021, 2, 28), 3, 4),
             (D(2021, 3, 1), D(2021, 3, 31), 4, 4)]
    for start, end, monday, friday in cases:
        doc = {'s': start, 'e': end}
        assert evaluate(db, {'$dateDiff': dict(base, startOfWeek='Monday')}, doc) == monday
        assert evaluate(db, {'$dateDiff': dict(base, startOfWeek='fri')}, doc) == friday


def test_date_diff_counts_boundaries(db):
    doc = {'s': D(2024, 1, 1, 23, 59), 'e': D(2024, 1, 2, 0, 1)}
    assert evaluate(db, {'$dateDiff': {'startDate': '$s', 'endDate': '$e', 'unit': 'day'}},
                    doc) == 1
    assert evaluate(db, {'$dateDiff': {'startDate': '$s', 'endDate': '$e', 'unit': 'hour'}},
                    doc) == 1
    assert evaluate(db, {'$dateDiff': {'startDate': '$e', 'endDate': '$s', 'unit': 'day'}},
                    doc) == -1
    assert evaluate(db, {'$dateDiff': {'startDate': '$s', 'endDate': '$e',
                                       'unit': 'millisecond'}}, doc) == 120000


def test_date_diff_in_timezone(db):
    # 2024-01-01T20:00Z and 2024-01-02T02:00Z are the same day in New York.
    doc = {'s': D(2024, 1, 1, 20), 'e': D(2024, 1, 2, 2)}
    assert evaluate(db, {'$dateDiff': {'startDate': '$s', 'endDate': '$e', 'unit': 'day'}},
                    doc) == 1
    assert evaluate(db, {'$dateDiff': {'startDate': '$s', 'endDate': '$e', 'unit': 'day',
                                       'timezone': 'America/New_York'}}, doc) == 0
    # Across the spring-forward gap 1:30 EST -> 3:30 EDT is one hour.
    dst = {'s': D(2024, 3, 10, 6, 30), 'e': D(2024, 3, 10, 7, 30)}
    assert evaluate(db, {'$dateDiff': {'startDate': '$s', 'endDate': '$e', 'unit': 'hour',
                                       'timezone': 'America/New_York'}}, dst) == 1


# -- $dateToString / $dateToParts / parts -------------------------------------------------

def test_date_to_string_manual_example(db):
    doc = {'date': D(2014, 1, 1, 8, 15, 39, 736000)}
    cases = {
        'yearMonthDayUTC': ({'format': '%Y-%m-%d', 'date': '$date'}, '2014-01-01'),
        'timewithOffsetNY': ({'format': '%H:%M:%S:%L%z', 'date': '$date',
                              'timezone': 'America/New_York'}, '03:15:39:736-0500'),
        'timewithOffset430': ({'format': '%H:%M:%S:%L%z', 'date': '$date',
                               'timezone': '+04:30'}, '12:45:39:736+0430'),
        'minutesOffsetNY': ({'format': '%Z', 'date': '$date',
                             'timezone': 'America/New_York'}, '-300'),
        'minutesOffset430': ({'format': '%Z', 'date': '$date', 'timezone': '+04:30'}, '270'),
        'abbreviated_month': ({'format': '%b', 'date': '$date', 'timezone': '+04:30'}, 'Jan'),
        'full_month': ({'format': '%B', 'date': '$date', 'timezone': '+04:30'}, 'January'),
    }
    for name, (args, expected) in cases.items():
        assert evaluate(db, {'$dateToString': args}, doc) == expected, name


def test_date_to_string_defaults_and_specifiers(db):
    doc = {'d': D(2021, 1, 3, 4, 5, 6, 7000)}
    assert evaluate(db, {'$dateToString': {'date': '$d'}}, doc) == '2021-01-03T04:05:06.007Z'
    assert evaluate(db, {'$dateToString': {'date': '$d', 'timezone': 'Asia/Seoul'}},
                    doc) == '2021-01-03T13:05:06.007'
    assert evaluate(db, {'$dateToString': {'date': '$d',
                                           'format': '%G-W%V-%u %j %U %w %%'}},
                    doc) == '2020-W53-7 003 01 1 %'
    assert evaluate(db, {'$dateToString': {'date': '$missing', 'onNull': 'none'}}) == 'none'
    assert evaluate(db, {'$dateToString': {'date': '$missing'}}) is None
    with pytest.raises(pymongo.errors.OperationFailure) as info:
        evaluate(db, {'$dateToString': {'date': '$d', 'format': '%Q'}}, doc)
    assert info.value.code == 18536


def test_date_to_parts_manual_example(db):
    doc = {'date': D(2017, 1, 1, 1, 29, 9, 123000)}
    assert evaluate(db, {'$dateToParts': {'date': '$date'}}, doc) == {
        'year': 2017, 'month': 1, 'day': 1, 'hour': 1, 'minute': 29, 'second': 9,
        'millisecond': 123}
    assert evaluate(db, {'$dateToParts': {'date': '$date', 'iso8601': True}}, doc) == {
        'isoWeekYear': 2016, 'isoWeek': 52, 'isoDayOfWeek': 7, 'hour': 1, 'minute': 29,
        'second': 9, 'millisecond': 123}
    assert evaluate(db, {'$dateToParts': {'date': '$date', 'timezone': 'America/New_York'}},
                    doc) == {'year': 2016, 'month': 12, 'day': 31, 'hour': 20, 'minute': 29,
                             'second': 9, 'millisecond': 123}


def test_date_part_operators_with_timezone(db):
    doc = {'d': D(2014, 1, 1, 8, 15, 39, 736000)}
    expected = {'$year': 2014, '$month': 1, '$dayOfMonth': 1, '$hour': 8, '$minute': 15,
                '$second': 39, '$millisecond': 736, '$dayOfYear': 1, '$dayOfWeek': 4,
                '$week': 0, '$isoWeek': 1, '$isoDayOfWeek': 3}
    for operator, value in expected.items():
        assert evaluate(db, {operator: '$d'}, doc) == value, operator
    assert evaluate(db, {'$hour': {'date': '$d', 'timezone': 'America/New_York'}}, doc) == 3
    assert evaluate(db, {'$dayOfMonth': {'date': '$d', 'timezone': '-10:00'}}, doc) == 31


def test_date_add_and_subtract(db):
    doc = {'d': D(2021, 1, 31, 12)}
    assert evaluate(db, {'$dateAdd': {'startDate': '$d', 'unit': 'month', 'amount': 1}},
                    doc) == D(2021, 2, 28, 12)
    assert evaluate(db, {'$dateSubtract': {'startDate': '$d', 'unit': 'day', 'amount': 2}},
                    doc) == D(2021, 1, 29, 12)
    # Days are added in local time across a DST change (the manual's example).
    assert evaluate(db, {'$dateAdd': {'startDate': '$d', 'unit': 'day', 'amount': 1,
                                      'timezone': 'America/New_York'}},
                    {'d': D(2020, 11, 1, 3, 0)}) == D(2020, 11, 2, 4, 0)
    assert evaluate(db, {'$dateAdd': {'startDate': '$d', 'unit': 'hour', 'amount': 1,
                                      'timezone': 'America/New_York'}},
                    {'d': D(2020, 11, 1, 5, 50, 2)}) == D(2020, 11, 1, 6, 50, 2)


def test_now_variable(db):
    before = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
    value = evaluate(db, '$$NOW')
    assert before - datetime.timedelta(seconds=1) <= value <= before + datetime.timedelta(
        seconds=5)
    db.events.insert_many([{'end': D(2000, 1, 1)}, {'end': D(2999, 1, 1)}])
    assert db.events.count_documents({'$expr': {'$gt': ['$end', '$$NOW']}}) == 1


def test_undefined_variable_is_an_error(db):
    with pytest.raises(pymongo.errors.OperationFailure) as info:
        evaluate(db, '$$nope')
    assert info.value.code == 17276
