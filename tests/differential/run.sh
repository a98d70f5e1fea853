#!/usr/bin/env bash
# Differential check: access tokens and DPoP proofs generated at random and mutated
# (tests/differential/gen.py) are verified by fapi (examples/differential.rs: fapi-core's
# jwt::verify_access_token and dpop::verify_proof) and by an independent implementation
# (tests/differential/reference.py: Python joserfc plus the RFC checks around it);
# tests/differential/compare.py classifies every disagreement and prints the counts per class.
# Fails when fapi accepts what the reference rejects, when fapi refuses a well-formed input the
# reference accepts, when fapi's stricter verdict is outside the listed classes, or when a
# verdict contradicts the generator's prediction.
#
#   tests/differential/run.sh [-v]        (-v: also the cases per mutation tag)
#
# Environment: DIFF_SEED (default 1), DIFF_COUNT (default 3000), DIFF_KEEP=1 keeps the work
# directory (cases.jsonl, fapi.jsonl, reference.jsonl) for a look; CARGO_TARGET_DIR as cargo.
# Needs: cargo, python3 with venv, and PyPI for the first `pip install` into
# tests/differential/.venv (pinned in tests/differential/requirements.txt).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
export CARGO_TERM_COLOR=never
seed=${DIFF_SEED:-1}
count=${DIFF_COUNT:-3000}
t0=$SECONDS

VENV=$ROOT/tests/differential/.venv
if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV" || { echo "python3 -m venv failed (Debian: apt-get install -y python3-venv)" >&2; exit 1; }
fi
"$VENV/bin/pip" install -q --disable-pip-version-check -r tests/differential/requirements.txt
PY=$VENV/bin/python

cargo build -q -p fapi-tests --example differential
BIN=${CARGO_TARGET_DIR:-$ROOT/target}/debug/examples/differential

WORK=$(mktemp -d "${TMPDIR:-/tmp}/fapi-diff.XXXXXX")
if [ -n "${DIFF_KEEP:-}" ]; then echo "differential: keeping $WORK"; else trap 'rm -rf "$WORK"' EXIT; fi

t=$SECONDS
"$PY" tests/differential/gen.py --seed "$seed" --count "$count" --out "$WORK/cases.jsonl"
t_gen=$((SECONDS - t)); t=$SECONDS
"$BIN" "$WORK/cases.jsonl" >"$WORK/fapi.jsonl"
t_fapi=$((SECONDS - t)); t=$SECONDS
"$PY" tests/differential/reference.py "$WORK/cases.jsonl" >"$WORK/reference.jsonl"
t_ref=$((SECONDS - t))
echo "differential: seed $seed; generate ${t_gen} s, fapi ${t_fapi} s, reference ${t_ref} s"
status=0
"$PY" tests/differential/compare.py "$WORK/cases.jsonl" "$WORK/fapi.jsonl" "$WORK/reference.jsonl" "$@" || status=$?
echo "differential: $((SECONDS - t0)) s"
exit $status
