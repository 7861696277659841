#!/usr/bin/env bash
# The OpenAPI document against the server it describes: schemathesis (pinned) runs every check on
# every documented operation, surface by surface with a valid token for that surface, and this script
# fails on any finding.
#
# Usage: bash .ci/schemathesis.sh path/to/server
#   The server binary is built by the caller (debug or release); this script builds nothing. It starts
#   the server on a fresh SQLite DATA_DIR and a free loopback port, loads the demo catalogue, issues
#   one token per surface, runs schemathesis once per surface and stops the server on exit.
#
# Environment (all optional):
#   SCHEMATHESIS_EXAMPLES  test cases per operation and phase (default 75)
#   SCHEMATHESIS_SEED      the random seed, for a reproducible run (default 20250101)
#   SCHEMATHESIS_ONLY      a regular expression: run only the surfaces whose name matches (all)
#   MEDCARE_CI_CACHE       where the virtualenv is kept between runs (default /var/cache/medcare-ci,
#                          or $TMPDIR/medcare-ci where that cannot be written)
#
# Phases: examples, coverage (boundary values and negative data, every status code), fuzzing
# (property-based, positive and negative data) and stateful: chains of calls that follow the
# document's OpenAPI links (the id that save-review-case or create-review-type answers, sent on to the
# operations that take it). An all-POST API gives schemathesis nothing to infer links from (it reads
# REST paths such as /cases/{id}), so the document declares them; the health checks have none and run
# without that phase.
set -euo pipefail
cd "$(dirname "$0")/.."
. .ci/lib.sh

ST_VERSION=4.32.5
EXAMPLES=${SCHEMATHESIS_EXAMPLES:-75}
SEED=${SCHEMATHESIS_SEED:-20250101}
CACHE=${MEDCARE_CI_CACHE:-/var/cache/medcare-ci}
if ! { mkdir -p "$CACHE" 2>/dev/null && [ -w "$CACHE" ]; }; then
  CACHE=${TMPDIR:-/tmp}/medcare-ci
  mkdir -p "$CACHE"
fi
VENV=$CACHE/venv

server_bin=${1:?usage: bash .ci/schemathesis.sh path/to/server}
server_bin=$(realpath "$server_bin")
[ -x "$server_bin" ] || { echo "not an executable: $server_bin" >&2; exit 2; }

started=$(date +%s)
log() { printf '\n== %s\n' "$*"; }

log "schemathesis $ST_VERSION"
if [ "$("$VENV/bin/schemathesis" --version 2>/dev/null)" != "schemathesis, version $ST_VERSION" ]; then
  rm -rf "$VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$ST_VERSION"
fi
"$VENV/bin/schemathesis" --version

work=$(mktemp -d)
stop() {
  stop_server
  rm -rf "$work"
}
trap stop EXIT

log "server"
port=$(free_port)
base=http://127.0.0.1:$port
# Only what this run sets: a developer's own settings must not point the server elsewhere.
unset DATABASE_URL TOKEN_KEYS METRICS_BIND_ADDR BLOB_STORE_URL BLOB_DIR
export DATA_DIR=$work/data BIND_ADDR=127.0.0.1:$port
export DRAFT_REMINDER_INTERVAL_SECONDS=0 RUST_LOG=warn
# The fuzzer speaks HTTP; the DICOM listener is driven by DCMTK in the end-to-end tests.
export DICOM_BIND_ADDR=off
# Notifications go to a webhook on a loopback port where nothing listens, and fail at their first
# attempt: so that there are failed notifications to retry.
closed_port=$(free_port)
export NOTIFY_CHANNELS=webhook NOTIFY_WEBHOOK_URL=http://127.0.0.1:$closed_port/hook
export NOTIFY_WEBHOOK_SECRET=schemathesis-webhook-secret-0123456789 NOTIFY_MAX_ATTEMPTS=1 NOTIFY_POLL_SECONDS=1
mkdir -p "$DATA_DIR"
start_server "$server_bin" "$work/server.log" "$base"
"$server_bin" seed-demo >/dev/null
patient=$("$server_bin" token issue --aud snr_usr --sub fuzz-patient)
admin=$("$server_bin" token issue --aud snr_admin --sub fuzz-admin --roles admin)
pro=$("$server_bin" token issue --aud snr_pro --sub EMP1 --roles coordinator)
# The eHealth surface: every scope, for the demo registry's legal entity.
demo_le=0193a1c0-0000-7000-8000-00000000e001
ehealth=$("$server_bin" token issue --aud ehealth --sub fuzz-doctor --client-id "$demo_le" \
  --scope "declaration_request:write declaration_request:read declaration_request:approve declaration_request:reject declaration_request:sign")

# The clinic: the demo doctor's account, holding every clinic role, so that every /api operation is
# reached (writes name their author: the token's subject must be a staff account).
clinic_doctor=$(python3 - "$base" <<'PY'
import json, sys, urllib.request
request = urllib.request.Request(
    sys.argv[1] + "/api/auth/login",
    data=json.dumps({"username": "doctor", "password": "demo-clinic-2026"}).encode(),
    headers={"Content-Type": "application/json"},
)
with urllib.request.urlopen(request, timeout=10) as answer:
    print(json.load(answer)["data"]["admin"]["id"])
PY
)
clinic=$("$server_bin" token issue --aud clinic --sub "$clinic_doctor" --roles admin,doctor,technician,receptionist)

# Ids that exist, for the fuzzer to use besides the ones it makes up (which read 404 or 400): the
# demo catalogue's, a draft case of the patient's, and the failed notification of a submitted one.
python3 - "$base" "$patient" "$admin" "$ehealth" "$clinic" "$clinic_doctor" >"$work/ids.toml" <<'PY'
import json, sys, time, urllib.request

base, patient, admin, ehealth, clinic, clinic_doctor = sys.argv[1:7]

def post(path, token, body):
    request = urllib.request.Request(
        base + path,
        data=json.dumps(body).encode(),
        headers={"Authorization": token, "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as answer:
        return json.load(answer)["data"]

rts = [r["rt_id"] for r in post("/admin/review-types", admin, {"page_size": 100, "active": True})]
dcs = [d["dc_id"] for d in post("/admin/disease-categories", admin, {"page_size": 100, "active": True})]
case = {"rt_id": rts[0], "dc_id": dcs[0], "patient_age": 40, "patient_gender": "female", "status": "draft"}
cases = [post("/app/save-review-case", patient, case)["case_id"]]
cases.append(post("/app/save-review-case", patient, dict(case, status="review"))["case_id"])
for _ in range(100):
    failed = [n["notification_id"] for n in post("/admin/notifications", admin, {"status": "failed"})]
    if failed:
        break
    time.sleep(0.1)
else:
    sys.exit("no notification failed")
bindings = (
    ("rt_id", "review_types", rts),
    ("dc_id", "disease_categories", dcs),
    ("case_id", "cases", cases),
    ("notification_id", "notifications", failed),
    ("doctor_id", "doctors", [f"EMP{n}" for n in range(1, 19)]),
)
# A declaration request of the demo registry (an adult confirming by SMS, the therapist), and the
# demo parent's declaration: the ids the eHealth paths take.
request = urllib.request.Request(
    base + "/api/v3/declaration_requests",
    data=json.dumps({"declaration_request": {
        "person_id": "0193a1c0-0000-7000-8000-00000000e301",
        "employee_id": "0193a1c0-0000-7000-8000-00000000e201",
        "division_id": "0193a1c0-0000-7000-8000-00000000e101"}}).encode(),
    headers={"Authorization": ehealth, "Content-Type": "application/json"},
)
with urllib.request.urlopen(request, timeout=10) as answer:
    ehealth_ids = [json.load(answer)["data"]["id"], "0193a1c0-0000-7000-8000-00000000e401"]
# The clinic: a patient, an appointment with the demo doctor, a draft report.
def clinic_post(path, body):
    request = urllib.request.Request(
        base + path,
        data=json.dumps(body).encode(),
        headers={"Authorization": clinic, "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as answer:
        return json.load(answer)["data"]

clinic_patient = clinic_post("/api/patients", {"name": "Fuzz Patient", "sex": "female"})["id"]
clinic_ids = [
    clinic_patient,
    clinic_post("/api/appointments", {"patient_id": clinic_patient, "doctor": clinic_doctor,
                                      "date": "2030-01-02", "time": "09:00"})["id"],
    clinic_post("/api/reports", {"patient_id": clinic_patient, "findings": "Fuzz findings",
                                 "impression": "Fuzz impression", "measurements": []})["id"],
    clinic_doctor,
]
for _, name, ids in bindings:
    print(f"[dictionaries.{name}]\nvalues = {json.dumps(ids)}\n")
# Path ids: the eHealth request and declaration, and the clinic's patient, appointment, report and
# staff account (an id of one kind on another's path is a 404, as the document says).
print(f"[dictionaries.ehealth]\nvalues = {json.dumps(ehealth_ids + clinic_ids)}\n")
print(f"[dictionaries.clinic_patients]\nvalues = {json.dumps([clinic_patient])}\n")
print(f"[dictionaries.clinic_doctors]\nvalues = {json.dumps([clinic_doctor])}\n")
print("[parameters]")
for field, name, _ in bindings:
    print(f'"body.{field}" = {{ dictionary = "{name}", probability = 0.5 }}')
print('"path.id" = { dictionary = "ehealth", probability = 0.5 }')
print('"body.patient_id" = { dictionary = "clinic_patients", probability = 0.5 }')
print('"query.patient_id" = { dictionary = "clinic_patients", probability = 0.5 }')
print('"body.doctor" = { dictionary = "clinic_doctors", probability = 0.5 }')
PY

# The configuration: every check, and where a schema cannot say it, what a status means.
cat >"$work/schemathesis.toml" <<EOF
seed = $SEED
workers = 2
# An answer slower than this is an error of the run.
request-timeout = 10

[cache]
directory = "$work/cache"

[generation]
max-examples = $EXAMPLES
# Each run starts from the seed alone, not from examples an earlier run kept.
database = "none"
# NUL characters are valid JSON; the server refuses them (400) and the document says so: they stay in.
allow-x00 = true

[checks]
enabled = true

# A body over 64 KiB is 413 whatever its shape (every secured operation documents it), and no schema
# states a size in bytes: 413 is a refusal of invalid data, and an answer valid data may get when
# there is a lot of it (50 documents of 2,048-character URLs, say). The rest are schemathesis' defaults.
[checks.negative_data_rejection]
expected-statuses = ["400", "401", "403", "404", "405", "406", "409", "413", "415", "422", "428", "429", "5xx"]

[checks.positive_data_acceptance]
expected-statuses = ["2xx", "3xx", "401", "403", "404", "409", "413", "429", "5xx"]

[auth.openapi.token]
api_key = "\${MEDCARE_FUZZ_TOKEN}"

$(cat "$work/ids.toml")

# Requests the schema allows but the server refuses with 400 for a reason no schema can state. Each
# is in the operation's documented 400 (docs/api.md, "The OpenAPI document"):
# - a case names a review type and disease category that must exist and be active;
[[operations]]
include-path = ["/app/save-review-case", "/app/update-review-case"]
checks.positive_data_acceptance.expected-statuses = ["2xx", "3xx", "400", "401", "403", "404", "409", "413", "429", "5xx"]
# - the documents already on a case count towards its limit of 50;
[[operations]]
include-path = "/app/add-medical-documents"
checks.positive_data_acceptance.expected-statuses = ["2xx", "3xx", "400", "401", "403", "404", "409", "413", "429", "5xx"]
# - min_review_days must not be above max_review_days, and a price must not have more decimals than
#   its currency's minor unit.
[[operations]]
include-path = ["/admin/create-review-type", "/admin/update-review-type"]
checks.positive_data_acceptance.expected-statuses = ["2xx", "3xx", "400", "401", "403", "404", "409", "413", "429", "5xx"]
# - a case search's created_from must not be after its created_to, and one sync must not name a
#   provider twice.
[[operations]]
include-path = ["/admin/review-cases", "/admin/sync-providers"]
checks.positive_data_acceptance.expected-statuses = ["2xx", "3xx", "400", "401", "403", "404", "409", "413", "429", "5xx"]
# The eHealth surface refuses with 422 what its schemas allow but the registry does not: a person,
# doctor or division that does not exist or does not fit (age, legal entity), a verification code
# that is wrong or not asked for, a signature that does not verify, a status filter that names no
# status; and with 409 and 404 what the request's state does not allow (docs/declarations.md).
[[operations]]
include-path-regex = "^/api/v3/"
checks.positive_data_acceptance.expected-statuses = ["2xx", "3xx", "401", "403", "404", "409", "413", "422", "429", "5xx"]
# The clinic refuses with 422 what its schemas allow but its records do not: a booking or a report
# for a patient (or doctor) the clinic does not have (docs/clinic-patients.md, docs/clinic-reports.md).
# With 400, for reasons no schema can state: a booking running past midnight;
[[operations]]
include-path = ["/api/appointments", "/api/appointments/schedule", "/api/appointments/{id}"]
checks.positive_data_acceptance.expected-statuses = ["2xx", "3xx", "400", "401", "403", "404", "409", "413", "422", "429", "5xx"]
[[operations]]
include-path = ["/api/reports", "/api/reports/{id}"]
checks.positive_data_acceptance.expected-statuses = ["2xx", "3xx", "401", "403", "404", "409", "413", "422", "429", "5xx"]
# - a birth date in the future;
[[operations]]
include-path = ["/api/patients", "/api/patients/{id}"]
checks.positive_data_acceptance.expected-statuses = ["2xx", "3xx", "400", "401", "403", "404", "409", "413", "429", "5xx"]
# - bytes that are not a DICOM Part 10 file (a schema says "binary", not "DICOM"; real files are
#   sent through this route by the end-to-end tests);
[[operations]]
include-path = "/api/dicom/receive"
checks.positive_data_acceptance.expected-statuses = ["2xx", "3xx", "400", "401", "403", "404", "409", "413", "429", "5xx"]
# - a document's bytes of a type the server does not take (415: the schema says "binary", not which
#   types; real files are uploaded by the end-to-end tests), or a name or title of control characters
#   only (400: they are dropped, and nothing is left);
[[operations]]
include-path = ["/app/upload-medical-document", "/api/patients/{id}/documents"]
checks.positive_data_acceptance.expected-statuses = ["2xx", "3xx", "400", "401", "403", "404", "409", "413", "415", "429", "5xx"]
# - DICOMweb values no schema can check: a date that does not exist (20241399), a UID list with a
#   malformed UID, an includefield naming no attribute (400); an Accept the frames or renderings
#   cannot satisfy (406, as PS3.18 says); a STOW body of bytes that are no multipart/related of
#   DICOM files (400, 415; real files are stored by the end-to-end tests).
[[operations]]
include-path-regex = "^/dicomweb/"
checks.positive_data_acceptance.expected-statuses = ["2xx", "3xx", "400", "401", "403", "404", "406", "409", "413", "415", "429", "5xx"]
# - a password among the most common ones, or equal to the username; a wrong current password.
[[operations]]
include-path = ["/api/admins", "/api/admins/{id}/password"]
checks.positive_data_acceptance.expected-statuses = ["2xx", "3xx", "400", "401", "403", "404", "409", "413", "429", "5xx"]
# Requests the schema allows but the server refuses with 422: the doctor named is not an active
# coordinator (or specialist) of the case's disease category.
[[operations]]
include-path = ["/admin/assign-coordinator", "/pro/assign-doctor"]
checks.positive_data_acceptance.expected-statuses = ["2xx", "3xx", "401", "403", "404", "409", "413", "422", "429", "5xx"]
EOF

# STOW-RS takes multipart/related, which schemathesis has no serializer for: its generated bodies go
# as the bytes they are (the server answers 400 or 415; real stores are tested end to end).
cat >"$work/medcare_hooks.py" <<'PY'
import schemathesis


@schemathesis.serializer("multipart/related")
def related(ctx, value):
    return value if isinstance(value, bytes) else str(value).encode()
PY

failed=0
surface() {
  local name=$1 token=$2
  shift 2
  if [ -n "${SCHEMATHESIS_ONLY:-}" ] && ! [[ $name =~ $SCHEMATHESIS_ONLY ]]; then
    return
  fi
  log "schemathesis: $name"
  # From the temporary directory, where hypothesis keeps its files (.hypothesis).
  if ! (cd "$work" && MEDCARE_FUZZ_TOKEN=$token PYTHONPATH="$work" SCHEMATHESIS_HOOKS=medcare_hooks "$VENV/bin/schemathesis" \
    --config-file "$work/schemathesis.toml" run "$base/openapi.json" --checks all --no-color "$@"); then
    failed=1
  fi
}
surface "/app (token snr_usr)" "$patient" --include-path-regex '^/app/'
surface "/admin (token snr_admin)" "$admin" --include-path-regex '^/admin/'
# The /pro operations take ids made elsewhere (cases, assignments): no links, no stateful phase.
surface "/pro (token snr_pro)" "$pro" --include-path-regex '^/pro/' --phases examples,coverage,fuzzing
# The payment provider's webhook takes no token: its body is signed, and unsigned requests are 401.
surface "/payments/webhook (signed, no token)" "" --include-path-regex '^/payments/' --phases examples,coverage,fuzzing
# The eHealth surface: ids from the demo registry and one request; no links, no stateful phase. One
# worker: with two, the coverage phase of operations with path and query parameters failed inside
# the tool (CPython 3.11's `ast.parse` is not thread-safe: "AST constructor recursion depth
# mismatch"), not in the server.
surface "/api/v3 (token ehealth)" "$ehealth" --include-path-regex '^/api/v3/' --phases examples,coverage,fuzzing --workers 1
# Upload links take no token: the fuzzer's made-up links are 403 (the real ones are tested end to end).
# The clinic (one worker, as for /api/v3). Sign-out and the event stream run apart: sign-out
# revokes the fuzzer's token (every later request would be 401), and the event stream is a
# WebSocket (tested end to end over the protocol).
surface "/api (token clinic, every role)" "$clinic" --include-path-regex '^/api/(?!v3/|auth/logout$|ws$)' --phases examples,coverage,fuzzing --workers 1
# DICOMweb, with the same clinic token (UIDs the fuzzer makes up name nothing: 404).
surface "/dicomweb (token clinic, every role)" "$clinic" --include-path-regex '^/dicomweb/' --phases examples,coverage,fuzzing --workers 1
surface "/api/auth/logout (token clinic)" "$clinic" --include-path-regex '^/api/auth/logout$' --phases examples,coverage,fuzzing
surface "/uploads (signed links, no token)" "" --include-path-regex '^/uploads/' --phases examples,coverage,fuzzing
# Document links take no token either: made-up links are 403.
surface "/files (signed links, no token)" "" --include-path-regex '^/files/' --phases examples,coverage,fuzzing
# No links lead to or from the health checks: no stateful phase for them.
surface "/healthz, /readyz (no token)" "" --include-tag health --phases examples,coverage,fuzzing

elapsed=$(($(date +%s) - started))
if [ "$failed" != 0 ]; then
  echo "schemathesis found problems (${elapsed}s); the server's log:" >&2
  tail -n 50 "$work/server.log" >&2
  exit 1
fi
echo "schemathesis: no findings on /app, /admin, /pro, /api, /api/v3, /dicomweb, the upload and document links, the payment webhook and the health checks in ${elapsed}s"
