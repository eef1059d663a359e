#!/usr/bin/env bash
# Instructions the mock executes per request, counted by callgrind: repeatable where wall-clock
# rates swing with the machine (`cargo bench --bench mock` measured the same build at 0.62x and
# 0.76x of bare axum in back-to-back runs on a noisy 2-core machine).
#
#   bash benches/mock_instructions.sh [path/to/conform ...]
#
# Needs valgrind, wrk and curl. Each binary's `conform mock` (default fixtures) runs under
# callgrind; wrk warms it for 2 s, the counters are zeroed, wrk drives it for 6 s (1 thread, 4
# connections), and the instructions counted are divided by the requests wrk completed. Both
# paths of the mock bench are measured: GET a snapshot, PUT a metadata item.
set -euo pipefail
bins=("$@")
[ ${#bins[@]} -eq 0 ] && bins=(target/release/conform)
for tool in valgrind callgrind_control wrk curl; do
    command -v "$tool" >/dev/null || { echo "$tool is not installed (apt-get install valgrind wrk curl)" >&2; exit 1; }
done
project=0a1b2c3d4e5f40718293a4b5c6d7e8f9
snapshot=5c7f0c1e-0000-4000-8000-000000000001
get="/v2/$project/snapshots/$snapshot"
put="$get/metadata/k"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
printf 'wrk.method = "PUT"\nwrk.body = %s\nwrk.headers["Content-Type"] = "application/json"\n' "'{\"meta\": {\"k\": \"v\"}}'" > "$work/put.lua"

port=$((20000 + RANDOM % 20000))
measure() { # binary, label, path, wrk args...
    local bin=$1 label=$2 path=$3; shift 3
    port=$((port + 1))
    local out="$work/cg.$port"
    valgrind --tool=callgrind --callgrind-out-file="$out.%p" "$bin" mock --listen "127.0.0.1:$port" >/dev/null 2>"$work/valgrind.err" &
    local pid=$!
    for _ in $(seq 1 150); do curl -s -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.2; done
    wrk -t1 -c4 -d2s "$@" "http://127.0.0.1:$port$path" >/dev/null
    callgrind_control -z "$pid" >/dev/null
    local report
    report=$(wrk -t1 -c4 -d6s "$@" "http://127.0.0.1:$port$path")
    callgrind_control -d "$pid" >/dev/null
    kill -INT "$pid"; wait "$pid" 2>/dev/null || true
    if grep -q Non-2xx <<<"$report"; then echo "$label: non-2xx answers" >&2; exit 1; fi
    local requests instructions
    requests=$(awk '/requests in/ {print $1}' <<<"$report")
    instructions=$(cat "$out".* | awk '/^summary:/ {s += $2} END {print s}')
    printf '%-40s %-18s %8d instructions a request (%d requests)\n' "$bin" "$label" $((instructions / requests)) "$requests"
}
for bin in "${bins[@]}"; do
    measure "$bin" "GET snapshot" "$get"
    measure "$bin" "PUT metadata item" "$put" -s "$work/put.lua"
done
