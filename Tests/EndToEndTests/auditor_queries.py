"""Runs every query of docs/AUDITING.md, as written there, through pymongo against the data
the end-to-end journey created, and checks each answer.

Usage: python auditor_queries.py AUDITING.md FACTS_JSON

FACTS_JSON: {"uri", "eventDatabase", "authDatabase", "eventId", "userId", "lateUserId",
"operatorId", "operatorEmail", "auditorEmail", "adminEmail", "couponCode"}. Prints one line per question
and exits non-zero when a query fails, a question has no expected answer here, or an
answer differs.

The mongosh snippets are small JavaScript: `db.NAME.find(filter, projection).sort(spec)`,
`db.NAME.aggregate(pipeline)` and `db.getSiblingDB("auth").NAME…`, with `ObjectId("…")`
and `new Date(Date.now() - …)`. They are translated to Extended JSON, not re-typed.
"""

from __future__ import annotations

import datetime
import json
import re
import sys

from bson import ObjectId, json_util
from pymongo import MongoClient

QUESTION = re.compile(r'^\*\*(?P<question>[^*]+)\*\*.*?\n```js\n(?P<code>.*?)\n```', re.S | re.M)
CALL = re.compile(
    r'^db(?:\.getSiblingDB\("(?P<db>\w+)"\))?\.(?P<collection>\w+)\.(?P<verb>find|aggregate)\('
    r'(?P<arguments>.*?)\)(?:\.sort\((?P<sort>.*)\))?$', re.S)


def questions(markdown: str) -> list[tuple[str, str]]:
    return [(m['question'].strip(), m['code'].strip()) for m in QUESTION.finditer(markdown)]


def split_top_level(text: str) -> list[str]:
    """Splits call arguments at the commas outside brackets and strings."""
    parts, depth, current, quote = [], 0, '', None
    for char in text:
        if quote:
            quote = None if char == quote else quote
        elif char in '"\'':
            quote = char
        elif char in '([{':
            depth += 1
        elif char in ')]}':
            depth -= 1
        elif char == ',' and depth == 0:
            parts.append(current)
            current = ''
            continue
        current += char
    if current.strip():
        parts.append(current)
    return parts


def to_extended_json(javascript: str, placeholders: dict) -> object:
    text = javascript
    for name, value in placeholders.items():
        text = text.replace(f'<{name}>', value)
    text = re.sub(r'ObjectId\("([0-9a-f]{24})"\)', r'{"$oid": "\1"}', text)

    def date(match):
        milliseconds = eval(match.group(1), {'__builtins__': {}})  # digits and * only
        moment = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(milliseconds=milliseconds)
        return json.dumps({'$date': moment.isoformat()})

    text = re.sub(r'new Date\(Date\.now\(\) - ([\d\s*]+)\)', date, text)
    text = re.sub(r'([{,]\s*)([A-Za-z_$][\w$]*)\s*:', r'\1"\2":', text)
    return json_util.loads(text)


def run(code: str, facts: dict, placeholders: dict) -> list[dict]:
    call = CALL.match(code)
    if not call:
        raise ValueError(f'not a query this runner understands: {code}')
    database_name = facts['authDatabase'] if call['db'] == 'auth' else facts['eventDatabase']
    collection = client[database_name][call['collection']]
    arguments = [to_extended_json(a, placeholders) for a in split_top_level(call['arguments'])]
    if call['verb'] == 'aggregate':
        return list(collection.aggregate(*arguments))
    cursor = collection.find(*arguments)
    if call['sort']:
        cursor = cursor.sort(list(to_extended_json(call['sort'], placeholders).items()))
    return list(cursor)


def expectations(facts: dict) -> dict:
    """Question → (placeholder values, check of the rows)."""
    event, user, late = ObjectId(facts['eventId']), ObjectId(facts['userId']), ObjectId(facts['lateUserId'])

    def granted(rows):
        assert [r['userId'] for r in rows] == [user, late], rows  # in grant order
        assert all(sorted(r['grantedRewards']) == ['100 points', 'Welcome coupon'] for r in rows), rows
        assert all(isinstance(r['grantedAt'], datetime.datetime) for r in rows), rows

    def rejected(rows):
        assert len(rows) == 1 and rows[0]['eventId'] == event, rows
        assert rows[0]['reason'] == 'CONDITION_NOT_MET', rows
        assert rows[0]['progress'], rows

    def changes(rows):
        actions = [r['action'] for r in rows]
        assert actions[0] == 'event.create' and 'event.status' in ' '.join(actions), actions
        assert all(r['actor']['id'] == facts['operatorId'] for r in rows), rows
        assert all(r.get('requestId') for r in rows), rows

    def nothing(rows):
        assert rows == [], rows

    def points(rows):
        assert [(r['_id'], r['points'], r['grants']) for r in rows] == [(event, 200, 2)], rows

    def staff_entered(rows):
        assert [r['userId'] for r in rows] == [late], rows
        roles = {e['recordedBy']['role'] for e in rows[0]['evidence']}
        assert 'OPERATOR' in roles, rows

    def wallet(rows):
        assert len(rows) == 1, rows
        assert (rows[0]['points'], rows[0]['coupons'], rows[0]['entries']) == (100, 1, 2), rows

    def coupon_holder(rows):
        assert [(r['userId'], r['eventId']) for r in rows] == [(user, event)], rows
        assert set(rows[0]) == {'_id', 'userId', 'claimId', 'eventId', 'grantedAt'}, rows

    def staff(rows):
        expected = sorted([facts['adminEmail'], facts['auditorEmail'], facts['operatorEmail']])
        assert [r['email'] for r in rows] == expected, rows
        assert all('passwordHash' not in r for r in rows), rows

    return {
        'Who got rewards from event X, and when?': ({'eventId': facts['eventId']}, granted),
        "Why was user Y's claim rejected?": ({'userId': facts['lateUserId']}, rejected),
        'Which staff member changed event X, and what changed?': ({'eventId': facts['eventId']}, changes),
        'Is any claim stuck PENDING or FAILED?': ({}, nothing),
        'Total points granted per event': ({}, points),
        'Does any user hold two GRANTED claims for one event?': ({}, nothing),
        'Which grants rest on staff-entered activity?': ({}, staff_entered),
        'What does user Y hold?': ({'userId': facts['userId']}, wallet),
        'Who was granted coupon code C?': ({'code': facts['couponCode']}, coupon_holder),
        'Who holds a staff role?': ({}, staff),
    }


if __name__ == '__main__':
    markdown = open(sys.argv[1], encoding='utf-8').read()
    facts = json.loads(sys.argv[2])
    client = MongoClient(facts['uri'], serverSelectionTimeoutMS=10_000)
    expected = expectations(facts)
    failures = 0
    documented = questions(markdown)
    for question, code in documented:
        if question not in expected:
            print(f'FAIL {question}: no expected answer in auditor_queries.py')
            failures += 1
            continue
        placeholders, check = expected[question]
        try:
            rows = run(code, facts, placeholders)
            check(rows)
            print(f'ok   {question} ({len(rows)} rows)')
        except Exception as error:  # noqa: BLE001 — every failure is reported, then counted
            print(f'FAIL {question}: {type(error).__name__}: {error}')
            failures += 1
    for question in sorted(set(expected) - {q for q, _ in documented}):
        print(f'FAIL {question}: expected here but not in the document')
        failures += 1
    print(f'auditor queries: {len(documented)} run, {failures} failed')
    sys.exit(1 if failures else 0)
