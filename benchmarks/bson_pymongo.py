"""Writes 10,000 claim-like documents as concatenated BSON (the shared input of the BSON
benchmark) and measures pymongo's C-extension encode/decode rates on them.

Usage: bson_pymongo.py OUT.bson [COUNT] [ROUNDS]  -> prints a JSON object of rates.
"""
import datetime
import json
import random
import sys
import time

import bson
from bson import ObjectId


def claim(rng: random.Random) -> dict:
    def oid() -> ObjectId:
        return ObjectId(bytes(rng.getrandbits(8) for _ in range(12)))

    created = datetime.datetime(2026, 11, 1, tzinfo=datetime.timezone.utc) + datetime.timedelta(
        milliseconds=rng.randrange(10**9))
    granted = rng.random() < 0.8
    return {
        "_id": oid(),
        "eventId": oid(),
        "userId": oid(),
        "status": "GRANTED" if granted else "REJECTED",
        "reason": None if granted else "CONDITION_NOT_MET",
        "attempts": rng.randrange(1, 4),
        "createdAt": created,
        "updatedAt": created + datetime.timedelta(milliseconds=rng.randrange(5000)),
        "progress": [
            {"type": "CONTINUOUS_LOGIN", "current": bson.int64.Int64(rng.randrange(8)),
             "required": bson.int64.Int64(7), "met": granted},
            {"type": "FRIEND_INVITE", "current": bson.int64.Int64(rng.randrange(4)),
             "required": bson.int64.Int64(3), "met": granted},
        ],
        "activityIds": [oid() for _ in range(3)],
        "payout": [
            {"rewardId": oid(), "type": "POINT", "amount": bson.int64.Int64(500)},
            {"rewardId": oid(), "type": "COUPON", "couponCode": "WELCOME-%08X" % rng.getrandbits(32)},
        ] if granted else [],
        "requestId": "req-%016x" % rng.getrandbits(64),
    }


def best_rate(rounds: int, count: int, body) -> float:
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        body()
        best = min(best, time.perf_counter() - start)
    return count / best


def main() -> None:
    out = sys.argv[1]
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 10_000
    rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 5
    if not bson.has_c():
        sys.exit("pymongo's C extension is not available: the comparison would be meaningless")
    rng = random.Random(20261125)
    documents = [claim(rng) for _ in range(count)]
    encoded = [bson.encode(d) for d in documents]
    with open(out, "wb") as handle:
        for raw in encoded:
            handle.write(raw)
    options = bson.CodecOptions(tz_aware=True)
    result = {
        "documents": count,
        "encode": best_rate(rounds, count, lambda: [bson.encode(d) for d in documents]),
        "decode": best_rate(rounds, count, lambda: [bson.decode(r, codec_options=options) for r in encoded]),
    }
    print(json.dumps(result, sort_keys=True))


if __name__ == "__main__":
    main()
