"""Sets the stage for a schemathesis run against a freshly started platform.

Through the gateway only: logs in the bootstrapped ADMIN, registers an OPERATOR, an
AUDITOR, a USER and a throwaway "victim" account (the target of fuzzed role changes),
creates a SERVICE client and gets its token (client-credentials grant), and gives the
fuzzer real ids to aim at: an ACTIVE event the USER holds a GRANTED claim on, and a
DRAFT event. Writes {"tokens": {role: token}, "ids": {...}} as JSON to the given path.

    python3 stage.py GATEWAY_URL ADMIN_EMAIL ADMIN_PASSWORD OUTPUT.json
"""

import json
import sys
import urllib.error
import urllib.parse
import urllib.request
from datetime import datetime, timedelta, timezone


def call(base, method, path, token=None, body=None, form=None):
    headers = {}
    data = None
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if body is not None:
        headers["Content-Type"] = "application/json"
        data = json.dumps(body).encode()
    if form is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        data = urllib.parse.urlencode(form).encode()
    request = urllib.request.Request(base + path, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=20) as response:
            text = response.read()
            return response.status, json.loads(text) if text else None
    except urllib.error.HTTPError as error:
        text = error.read()
        return error.code, json.loads(text) if text else None


def expect(status, answer, wanted, what):
    if status != wanted:
        raise SystemExit(f"stage: {what} answered {status}: {answer}")
    return answer


def iso(moment):
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def main():
    base, admin_email, admin_password, output = sys.argv[1:5]

    def login(email, password):
        status, answer = call(base, "POST", "/auth/login", body={"email": email, "password": password})
        return expect(status, answer, 200, f"login {email}")["accessToken"]

    admin = login(admin_email, admin_password)
    ids = {}
    tokens = {"ADMIN": admin}
    for name, role in [("operator", "OPERATOR"), ("auditor", "AUDITOR"), ("user", "USER"), ("victim", None)]:
        email = f"{name}@example.com"
        password = f"password-{name}"
        status, answer = call(
            base, "POST", "/auth/register", body={"email": email, "password": password, "nickname": name})
        ids[name] = expect(status, answer, 201, f"register {email}")["id"]
        if role and role != "USER":
            status, answer = call(base, "PUT", f"/users/{ids[name]}/roles", token=admin, body={"roles": [role]})
            expect(status, answer, 200, f"roles of {email}")
        if role:
            tokens[role] = login(email, password)

    status, answer = call(base, "POST", "/service-clients", token=admin, body={"name": "fuzzed-game-server"})
    client = expect(status, answer, 201, "service client")
    status, answer = call(
        base, "POST", "/auth/token",
        form={"grant_type": "client_credentials", "client_id": client["clientId"],
              "client_secret": client["clientSecret"]})
    tokens["SERVICE"] = expect(status, answer, 200, "client credentials")["access_token"]

    now = datetime.now(timezone.utc)
    operator = tokens["OPERATOR"]

    def event(title):
        status, answer = call(
            base, "POST", "/events", token=operator,
            body={"title": title, "startAt": iso(now - timedelta(hours=1)), "endAt": iso(now + timedelta(days=1)),
                  "conditions": [{"type": "CUSTOM", "activityType": "LEVEL_UP", "aggregate": "count", "gte": 1}]})
        return expect(status, answer, 201, f"event {title}")["id"]

    active = event("Fuzzed active event")
    draft = event("Fuzzed draft event")
    status, answer = call(
        base, "POST", f"/events/{active}/rewards", token=operator,
        body={"type": "POINT", "name": "100 points", "amount": 100, "stock": 1000})
    expect(status, answer, 201, "reward")
    status, answer = call(base, "POST", f"/events/{active}/status", token=operator, body={"status": "ACTIVE"})
    expect(status, answer, 200, "activation")
    status, answer = call(
        base, "POST", "/activities", token=tokens["SERVICE"],
        body={"userId": ids["user"], "type": "LEVEL_UP", "occurredAt": iso(now), "sourceId": "stage-1"})
    expect(status, answer, 201, "activity")
    status, answer = call(base, "POST", f"/events/{active}/claims", token=tokens["USER"])
    claim = expect(status, answer, 201, "claim")["id"]

    with open(output, "w") as handle:
        json.dump({"tokens": tokens, "ids": {"events": [active, draft], "claims": [claim],
                                             "users": [ids["victim"]]}}, handle)
    print(f"stage: accounts of every role, events {active} (ACTIVE) and {draft} (DRAFT), claim {claim}")


if __name__ == "__main__":
    main()
