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
# paths of the mock bench are measured: GET a snapshot, PUT a metadata item. The bare axum
# hello-world of `cargo bench --bench mock` is measured the same way first (its bench binary's
# `--serve bare`, built here unless MOCK_BENCH names it), and each mock figure is printed with
# bare/mock: the mock's share of bare axum's rate if instructions were all a request cost.
set -euo pipefail
bins=("$@")
[ ${#bins[@]} -eq 0 ] && bins=(target/release/conform)
for tool in valgrind callgrind_control wrk curl python3; do
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
bench=${MOCK_BENCH:-$(cargo bench --bench mock --no-run --message-format=json 2>/dev/null |
    python3 -c 'import json,sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m.get("target", {}).get("name") == "mock" and m.get("executable"):
        print(m["executable"])')}
[ -x "$bench" ] || { echo "the mock bench binary could not be built (set MOCK_BENCH)" >&2; exit 1; }
declare -A bare
measure() { # name, label, path, wrk args... -- command (with PORT for the port)
    local name=$1 label=$2 path=$3; shift 3
    local wrk_args=()
    while [ "$1" != "--" ]; do wrk_args+=("$1"); shift; done
    shift
    port=$((port + 1))
    local out="$work/cg.$port" cmd=("${@//PORT/$port}")
    valgrind --tool=callgrind --callgrind-out-file="$out.%p" "${cmd[@]}" >/dev/null 2>"$work/valgrind.err" &
    local pid=$!
    for _ in $(seq 1 150); do curl -s -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.2; done
    wrk -t1 -c4 -d2s "${wrk_args[@]}" "http://127.0.0.1:$port$path" >/dev/null
    callgrind_control -z "$pid" >/dev/null
    local report
    report=$(wrk -t1 -c4 -d6s "${wrk_args[@]}" "http://127.0.0.1:$port$path")
    callgrind_control -d "$pid" >/dev/null
    kill -INT "$pid"; wait "$pid" 2>/dev/null || true
    if grep -q Non-2xx <<<"$report"; then echo "$label: non-2xx answers" >&2; exit 1; fi
    local requests instructions
    requests=$(awk '/requests in/ {print $1}' <<<"$report")
    instructions=$(cat "$out".* | awk '/^summary:/ {s += $2} END {print s}')
    local per=$((instructions / requests)) ratio=""
    if [ "$name" = "bare axum" ]; then
        bare[$label]=$per
    else
        ratio=$(python3 -c "print(f'bare/mock {${bare[$label]}/$per:.2f}x')")
    fi
    printf '%-40s %-18s %8d instructions a request (%d requests) %s\n' "$name" "$label" "$per" "$requests" "$ratio"
}
measure "bare axum" "GET snapshot" / -- "$bench" --serve bare 127.0.0.1:PORT
measure "bare axum" "PUT metadata item" / -s "$work/put.lua" -- "$bench" --serve bare 127.0.0.1:PORT
for bin in "${bins[@]}"; do
    measure "$bin" "GET snapshot" "$get" -- "$bin" mock --listen 127.0.0.1:PORT
    measure "$bin" "PUT metadata item" "$put" -s "$work/put.lua" -- "$bin" mock --listen 127.0.0.1:PORT
done
