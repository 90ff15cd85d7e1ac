"""The double's own rate for the MongoDB commands of a claim, from a Python client.

Replays, per user, the commands the event service sends for one granted claim of an event
with one stocked reward (Sources/EventService/Claims/ClaimProcessor.swift and the
repositories it calls; DESIGN §10 counts them: six):

    find events            findOne of the event
    aggregate activities   the condition pipeline ($match on user, types, window; $facet)
    insert claims          the PENDING claim (grantLock, progress, activityIds, payout)
    findAndModify rewardStock   take a unit (remaining > 0, not yet reserved by the claim)
    insert ledger          one entry per reward
    update claims          PENDING -> GRANTED

into a fresh database that holds a copy of the event, its activities and its indexes as
the event service's database has them after `PlatformBenchmark claims` set it up, with
the same users, warm-up and concurrency. The double runs one command at a time, so what
this measures is the double's time (plus pymongo's client overhead, which makes the
double look slower, i.e. our share smaller, by that much).

Usage: claims_replay.py URI SOURCE_DB REPLAY_DB USERS WARMUP CONCURRENCY LABEL [DOUBLE_PID]
Prints one JSON object. With DOUBLE_PID it also reports the double's own CPU time over the
timed claims (`doubleBusySeconds`, from /proc/PID/task/*/sched): the double's time for these
commands without pymongo's share.
"""
import datetime
import json
import math
import os
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from bson import Int64, ObjectId
from pymongo import MongoClient, ReturnDocument
from pymongo.write_concern import WriteConcern

ACTIVITY_ID_LIMIT = 1000


def pipeline(user, event):
    """ConditionPipeline.pipeline for one CUSTOM count condition (the benchmark's event), with
    CustomConditionStages' count stages: `$topN` keeps the earliest ids while it groups."""
    condition = event["conditions"][0]
    return [
        {"$match": {"userId": user, "type": {"$in": [condition["activityType"]]},
                    "occurredAt": {"$gte": event["startAt"], "$lt": max(event["startAt"], event["endAt"])}}},
        {"$facet": {"c0": [
            {"$match": {"type": condition["activityType"]}},
            {"$group": {"_id": None, "current": {"$sum": 1},
                        "activityIds": {"$topN": {"n": Int64(ACTIVITY_ID_LIMIT), "sortBy": {"occurredAt": 1, "_id": 1},
                                                  "output": "$_id"}}}},
            {"$project": {"_id": 0, "current": 1, "activityIds": 1}},
        ]}},
    ]


def percentile(sorted_values, fraction):
    if not sorted_values:
        return 0.0
    index = math.ceil(fraction * len(sorted_values)) - 1  # nearest rank, as PlatformBenchmark
    return sorted_values[max(0, min(len(sorted_values) - 1, index))]


def cpu_ms(pid):
    """CPU milliseconds of process `pid` (all threads), or None."""
    if not pid:
        return None
    total, found = 0.0, False
    try:
        threads = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return None
    for thread in threads:
        try:
            with open(f"/proc/{pid}/task/{thread}/sched") as handle:
                for line in handle:
                    if line.startswith("se.sum_exec_runtime"):
                        total, found = total + float(line.split(":")[1]), True
        except OSError:
            continue
    return total if found else None


def main():
    uri, source, target, users, warmup, concurrency, label = sys.argv[1:8]
    double_pid = sys.argv[8] if len(sys.argv) > 8 else None
    users, warmup, concurrency = int(users), int(warmup), int(concurrency)
    client = MongoClient(uri, maxPoolSize=16, tz_aware=False)
    concern = WriteConcern(w="majority", j=True)
    src = client[source]
    client.drop_database(target)
    dst = client.get_database(target, write_concern=concern)

    for name in ("events", "rewardStock", "claims", "ledger", "activities"):
        specs = [{k: v for k, v in spec.items() if k not in ("v", "ns")}
                 for spec in src[name].list_indexes() if spec["name"] != "_id_"]
        if specs:
            dst.command({"createIndexes": name, "indexes": specs})
    event = src.events.find_one()
    dst.events.insert_one(event)
    reward = event["rewards"][0]
    dst.rewardStock.insert_one({"_id": reward["_id"], "eventId": event["_id"], "stock": reward["stock"],
                                "remaining": reward["stock"], "reservedBy": []})
    activities = list(src.activities.find().sort("_id", 1))
    dst.activities.insert_many(activities)
    user_ids = [a["userId"] for a in activities]

    events, claims, stock, ledger = dst.events, dst.claims, dst.rewardStock, dst.ledger
    lease = datetime.timedelta(seconds=30)

    def claim(user):
        started = time.perf_counter()
        now = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
        found = events.find_one({"_id": event["_id"]})
        result = list(dst.activities.aggregate(pipeline(user, found)))
        row = (result[0]["c0"] or [{}])[0] if result else {}
        current = float(row.get("current", 0))
        required = float(found["conditions"][0]["gte"])
        claim_id = ObjectId()
        payout = [{"rewardId": r["_id"], "type": r["type"], "name": r["name"], "amount": r.get("amount"),
                   "stocked": r.get("stock") is not None} for r in found["rewards"]]
        claims.insert_one({
            "_id": claim_id, "eventId": found["_id"], "userId": user, "status": "PENDING", "grantLock": True,
            "progress": [{"type": "CUSTOM", "current": current, "required": required, "met": current >= required}],
            "activityIds": row.get("activityIds", []), "payout": payout, "attempts": 1,
            "leaseUntil": now + lease, "createdAt": now, "updatedAt": now})
        for entry in payout:
            if entry["stocked"]:
                stock.find_one_and_update(
                    {"_id": entry["rewardId"], "remaining": {"$gt": 0}, "reservedBy": {"$ne": claim_id}},
                    {"$inc": {"remaining": -1}, "$push": {"reservedBy": claim_id}},
                    projection={"_id": 1}, return_document=ReturnDocument.AFTER)
        granted_at = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
        for entry in payout:
            ledger.insert_one({"_id": ObjectId(), "userId": user, "claimId": claim_id, "eventId": found["_id"],
                               "rewardId": entry["rewardId"], "type": entry["type"], "name": entry["name"],
                               "amount": entry["amount"], "grantedAt": granted_at})
        claims.update_one({"_id": claim_id, "status": "PENDING"},
                          {"$set": {"status": "GRANTED", "grantedAt": granted_at, "updatedAt": granted_at},
                           "$unset": {"leaseUntil": ""}})
        return time.perf_counter() - started

    with ThreadPoolExecutor(max_workers=max(1, min(concurrency, max(warmup, 1)))) as pool:
        list(pool.map(claim, user_ids[:warmup]))
    timed = user_ids[warmup:warmup + users]
    log_before = len(client.admin.command({"doubleCommandLog": 1, "db": target})["entries"])
    barrier = threading.Barrier(concurrency) if concurrency >= len(timed) else None

    def timed_claim(user):
        if barrier is not None:
            barrier.wait()
        return claim(user)

    busy_before = cpu_ms(double_pid)
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        latencies = sorted(pool.map(timed_claim, timed))
    wall = time.perf_counter() - started
    busy_after = cpu_ms(double_pid)
    log = client.admin.command({"doubleCommandLog": 1, "db": target})["entries"][log_before:]
    per_claim = {}
    for entry in log:
        key = f"{entry['command']} {entry.get('collection') or ''}"
        per_claim[key] = per_claim.get(key, 0) + 1 / len(timed)
    granted = claims.count_documents({"status": "GRANTED"})
    remaining = stock.find_one()["remaining"]
    client.drop_database(target)
    ms = [x * 1000 for x in latencies]
    print(json.dumps({
        "label": label, "users": len(timed), "concurrency": concurrency, "wallSeconds": wall,
        "claimsPerSecond": len(timed) / wall,
        "latency": {"count": len(ms), "p50": percentile(ms, 0.5), "p90": percentile(ms, 0.9),
                    "p99": percentile(ms, 0.99), "max": ms[-1], "mean": sum(ms) / len(ms)},
        "commandsPerClaim": per_claim, "granted": granted,
        "doubleBusySeconds": (busy_after - busy_before) / 1000 if busy_before is not None else None,
        "stockTaken": reward["stock"] - remaining,
    }, sort_keys=True))


if __name__ == "__main__":
    main()
