"""Schemathesis hooks for the platform (loaded through SCHEMATHESIS_HOOKS).

- Every request of an operation with `x-roles` carries a token of one of those roles,
  picked at random per case, so each role's view of the API is fuzzed; public operations
  go without one. Tokens come from the stage file (HOSTILE_STAGE, written by stage.py).
- Path ids are either what the fuzzer made up (mostly unknown ids → 404) or, half of the
  time, a real id of the right kind, so 200 answers are checked against their schemas too.
  Role changes only ever aim at the throwaway "victim" account.
"""

import json
import os
import random

import schemathesis
from hypothesis import strategies as st

with open(os.environ["HOSTILE_STAGE"]) as handle:
    STAGE = json.load(handle)


def roles_of(operation):
    return operation.definition.raw.get("x-roles", ["PUBLIC"])


@schemathesis.auth(refresh_interval=None)
class RoleTokens:
    def get(self, case, context):
        roles = [role for role in roles_of(context.operation) if role in STAGE["tokens"]]
        return STAGE["tokens"][random.choice(roles)] if roles else ""

    def set(self, case, data, context):
        if data:
            case.headers = case.headers or {}
            case.headers["Authorization"] = f"Bearer {data}"


def known_ids(path):
    if path.startswith("/users/"):
        return STAGE["ids"]["users"]
    if path.startswith("/claims/"):
        return STAGE["ids"]["claims"]
    if path.startswith("/events/"):
        return STAGE["ids"]["events"]
    return []


@schemathesis.hook
def flatmap_path_parameters(context, path_parameters):
    ids = known_ids(context.operation.path)
    if not ids or "id" not in (path_parameters or {}):
        return st.just(path_parameters)
    return st.one_of(
        st.just(path_parameters), st.sampled_from([{**path_parameters, "id": known} for known in ids]))
