#!/usr/bin/env bash
# bench/vs-peers.sh: Podium's load engine against wrk, oha and vegeta (issue 4, "Performance
# targets"). One subject served by `podium serve`, pinned to one core; each generator in turn
# pinned to the other core, same connections and duration, against http://127.0.0.1:PORT/ping.
# Run with --help for the options.
set -euo pipefail

# Versions installed when a peer is missing (the ones these figures were taken with).
OHA_VERSION=1.16.0        # crates.io; needs Rust >= 1.88
VEGETA_VERSION=v12.13.0   # Go module github.com/tsenart/vegeta/v12

SUBJECT=stdlib
PORT=18090
CONNS=64
THREADS=1
DURATION=10s
WARMUP=3s
REPEAT=3
SERVER_CPU=0
CLIENT_CPU=1
TOOLS=podium,wrk,oha,vegeta
INSTALL=1
RESULTS=
WRITE_RESULTS=1
RAW_DIR=
SATURATED=0.90   # a process using at least this share of its one core counts as saturated

usage() {
    cat <<EOF
Usage: bench/vs-peers.sh [OPTIONS]

Benchmarks Podium's load generator (\`podium load\`) against wrk, oha and vegeta. A subject
runs under \`podium serve\` pinned to CPU $SERVER_CPU; each generator in turn runs pinned to
CPU $CLIENT_CPU with the same connections, threads and duration against
http://127.0.0.1:PORT/ping. The generators' CPU time is measured the same way for all
(GNU time: user + system of the generator process and its threads), never self-reported.

Prints, per tool, median [min-max] over the repetitions of requests/s, p50, p99, CPU
seconds and CPU microseconds per request, whether the server's core (or the generator's)
was saturated, and the ratios Podium/wrk, Podium/oha, Podium/vegeta for CPU per request
(target <= 1.00) and throughput (target >= 1.00 when the server is not the bottleneck).
Appends a dated section with the machine and the figures to bench/RESULTS.md.

Missing peers are installed (and the script says so): wrk and util-linux/time/curl from
Debian (apt-get), oha $OHA_VERSION with \`cargo install --locked\`, vegeta $VEGETA_VERSION
with \`go install\` (GOPATH/bin is put on PATH). Podium is built with
\`cargo build --release -p podium-cli\`.

Options:
  --subject NAME       subject to serve (default: $SUBJECT)
  --port P             port for the subject, 127.0.0.1 only (default: $PORT)
  -c, --connections N  connections for every generator (default: $CONNS)
  -t, --threads N      generator threads (default: $THREADS, the generator has one core)
  -d, --duration D     measured duration of each run, e.g. 10s, 1m (default: $DURATION)
  --warmup D           warm-up run per tool before the measured ones (default: $WARMUP; 0 skips)
  -r, --repeat R       repetitions of the whole sequence (default: $REPEAT)
  --tools LIST         comma-separated subset of podium,wrk,oha,vegeta (default: all)
  --server-cpu N       CPU for the server (default: $SERVER_CPU)
  --client-cpu N       CPU for the generators (default: $CLIENT_CPU)
  --no-install         fail instead of installing a missing peer
  --results FILE       where to append the results (default: bench/RESULTS.md)
  --no-results         print only, do not touch the results file
  --raw-dir DIR        keep every tool's raw output there (default: a temporary folder,
                       removed at the end)
  -h, --help           this help

Notes:
  vegeta has no closed loop; it runs with -rate=0 -workers=N -max-workers=N (N = connections),
  its closest closed-loop mode, and is labelled so. Every generator gets THREADS threads: wrk
  and podium -t, oha --worker-threads (it would otherwise size by physical cores, ignoring
  the affinity mask), vegeta GOMAXPROCS. The tools' order is rotated between
  repetitions so that none always runs first. Every load is bounded in time and targets
  127.0.0.1 only.
EOF
}

log() { printf '[vs-peers] %s\n' "$*" >&2; }
die() { printf '[vs-peers] error: %s\n' "$*" >&2; exit 1; }

while (($#)); do
    case "$1" in
        -h|--help) usage; exit 0 ;;
        --subject) SUBJECT=${2:?--subject needs a value}; shift 2 ;;
        --port) PORT=${2:?--port needs a value}; shift 2 ;;
        -c|--connections) CONNS=${2:?--connections needs a value}; shift 2 ;;
        -t|--threads) THREADS=${2:?--threads needs a value}; shift 2 ;;
        -d|--duration) DURATION=${2:?--duration needs a value}; shift 2 ;;
        --warmup) WARMUP=${2:?--warmup needs a value}; shift 2 ;;
        -r|--repeat) REPEAT=${2:?--repeat needs a value}; shift 2 ;;
        --tools) TOOLS=${2:?--tools needs a value}; shift 2 ;;
        --server-cpu) SERVER_CPU=${2:?--server-cpu needs a value}; shift 2 ;;
        --client-cpu) CLIENT_CPU=${2:?--client-cpu needs a value}; shift 2 ;;
        --no-install) INSTALL=0; shift ;;
        --results) RESULTS=${2:?--results needs a value}; shift 2 ;;
        --no-results) WRITE_RESULTS=0; shift ;;
        --raw-dir) RAW_DIR=${2:?--raw-dir needs a value}; shift 2 ;;
        *) usage >&2; die "unknown argument: $1" ;;
    esac
done

# Durations: "10s", "2m", "1500ms" is not supported; a bare number means seconds.
to_seconds() {
    local d=$1
    case "$d" in
        *s) d=${d%s} ;;
        *m) d=$(( ${d%m} * 60 )) ;;
    esac
    [[ "$d" =~ ^[0-9]+$ ]] || die "bad duration '$1' (use e.g. 10s or 1m)"
    echo "$d"
}
DUR_S=$(to_seconds "$DURATION")
WARMUP_S=$(to_seconds "$WARMUP")
((DUR_S > 0)) || die "--duration must be positive"
for v in PORT CONNS THREADS REPEAT SERVER_CPU CLIENT_CPU; do
    [[ "${!v}" =~ ^[0-9]+$ ]] || die "--${v,,} must be a number, got '${!v}'"
done
((REPEAT >= 1)) || die "--repeat must be at least 1"
[[ "$SERVER_CPU" != "$CLIENT_CPU" ]] || die "server and generator must be on different CPUs"
NCPU=$(nproc --all)
((SERVER_CPU < NCPU && CLIENT_CPU < NCPU)) || die "this machine has CPUs 0..$((NCPU - 1))"

IFS=, read -r -a SELECTED <<<"$TOOLS"
for t in "${SELECTED[@]}"; do
    case "$t" in podium|wrk|oha|vegeta) ;; *) die "unknown tool '$t' in --tools" ;; esac
done
selected() { [[ ",$TOOLS," == *",$1,"* ]]; }

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
[[ -n "$RESULTS" ]] || RESULTS="$ROOT/bench/RESULTS.md"
URL="http://127.0.0.1:$PORT/ping"

# --- 1. tools ----------------------------------------------------------------------------
APT_UPDATED=0
apt_install() {
    ((INSTALL)) || die "$1 is missing (and --no-install was given): apt-get install -y $1"
    local sudo=()
    ((EUID == 0)) || sudo=(sudo)
    if ((!APT_UPDATED)); then
        log "apt-get update"
        "${sudo[@]}" apt-get update -qq
        APT_UPDATED=1
    fi
    log "installing $1 from Debian (apt-get install -y $1)"
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq "$1" >/dev/null
}

command -v taskset >/dev/null || apt_install util-linux
[[ -x /usr/bin/time ]] || apt_install time
command -v curl >/dev/null || apt_install curl
command -v python3 >/dev/null || apt_install python3
command -v timeout >/dev/null || die "coreutils' timeout is missing"

if selected wrk && ! command -v wrk >/dev/null; then
    apt_install wrk
fi
if selected oha && ! command -v oha >/dev/null; then
    export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
    if ! command -v oha >/dev/null; then
        ((INSTALL)) || die "oha is missing: cargo install oha --version $OHA_VERSION --locked"
        log "installing oha $OHA_VERSION (cargo install oha --version $OHA_VERSION --locked; a few minutes)"
        cargo install oha --version "$OHA_VERSION" --locked
    fi
fi
if selected vegeta; then
    if command -v go >/dev/null; then
        GOBIN_DIR=$(go env GOBIN)
        [[ -n "$GOBIN_DIR" ]] || GOBIN_DIR="$(go env GOPATH | cut -d: -f1)/bin"
        export PATH="$GOBIN_DIR:$PATH"
    fi
    if ! command -v vegeta >/dev/null; then
        ((INSTALL)) || die "vegeta is missing: go install github.com/tsenart/vegeta/v12@$VEGETA_VERSION"
        command -v go >/dev/null || die "vegeta is missing and there is no Go toolchain to install it"
        log "installing vegeta $VEGETA_VERSION (go install github.com/tsenart/vegeta/v12@$VEGETA_VERSION)"
        go install "github.com/tsenart/vegeta/v12@$VEGETA_VERSION"
    fi
fi

# --- 2. podium and the subject ---------------------------------------------------------------
log "building podium (cargo build --release -p podium-cli)"
cargo build --release -p podium-cli
PODIUM="$ROOT/target/release/podium"

HAVE_PODIUM_LOAD=0
if selected podium; then
    if "$PODIUM" load --help >/dev/null 2>&1; then
        HAVE_PODIUM_LOAD=1
    else
        log "podium load not available yet: the Podium row will be empty"
    fi
fi

KEEP_RAW=1
if [[ -z "$RAW_DIR" ]]; then
    RAW_DIR=$(mktemp -d -t vs-peers.XXXXXX)
    KEEP_RAW=0
fi
mkdir -p "$RAW_DIR"
RAW_DIR=$(cd "$RAW_DIR" && pwd)

SERVER_PID=
# shellcheck disable=SC2317  # invoked by the EXIT trap
cleanup() {
    local rc=$?
    if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill -TERM "$SERVER_PID" 2>/dev/null || true
        for _ in $(seq 1 150); do
            kill -0 "$SERVER_PID" 2>/dev/null || break
            sleep 0.1
        done
        kill -KILL "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    ((KEEP_RAW)) || rm -rf "$RAW_DIR"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if curl -fsS -m 1 -o /dev/null "$URL" 2>/dev/null; then
    die "something already answers on $URL; stop it or pick another --port"
fi
log "starting subject $SUBJECT on CPU $SERVER_CPU (podium serve $SUBJECT --port $PORT)"
taskset -c "$SERVER_CPU" "$PODIUM" serve "$SUBJECT" --port "$PORT" >"$RAW_DIR/server.log" 2>&1 &
SERVER_PID=$!
ready=0
for _ in $(seq 1 1200); do   # up to 10 minutes: the first serve builds the subject
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then
        cat "$RAW_DIR/server.log" >&2
        die "podium serve $SUBJECT exited before answering"
    fi
    if [[ "$(curl -fsS -m 1 "$URL" 2>/dev/null || true)" == pong* ]]; then
        ready=1
        break
    fi
    sleep 0.5
done
((ready)) || die "the subject did not answer $URL in time (log: $RAW_DIR/server.log)"

# The server's processes: podium serve and every descendant (the subject runs as its child).
server_pids() {
    local -A parent=()
    local f stat rest p
    for f in /proc/[0-9]*/stat; do
        { read -r stat <"$f"; } 2>/dev/null || continue
        rest=${stat##*) }
        p=${f#/proc/}
        p=${p%/stat}
        read -r _ ppid _ <<<"$rest"
        parent[$p]=$ppid
    done
    local -a out=("$SERVER_PID")
    local changed=1
    while ((changed)); do
        changed=0
        for p in "${!parent[@]}"; do
            [[ " ${out[*]} " == *" $p "* ]] && continue
            if [[ " ${out[*]} " == *" ${parent[$p]} "* ]]; then
                out+=("$p")
                changed=1
            fi
        done
    done
    echo "${out[*]}"
}
SERVER_PIDS=$(server_pids)
CLK_TCK=$(getconf CLK_TCK)
# Clock ticks of CPU (user + system, all threads) used so far by the server's processes.
server_ticks() {
    local total=0 p stat rest
    local -a f
    for p in $SERVER_PIDS; do
        { read -r stat <"/proc/$p/stat"; } 2>/dev/null || continue
        rest=${stat##*) }
        read -r -a f <<<"$rest"
        total=$((total + f[11] + f[12]))   # fields 14 and 15: utime, stime
    done
    echo "$total"
}
# Busy and total ticks of the two pinned CPUs, machine-wide (to see other load on them):
# "busy0,total0,busy1,total1" for the server's CPU then the generator's.
cpu_ticks() {
    awk -v a="cpu$SERVER_CPU" -v b="cpu$CLIENT_CPU" '
        $1 == a || $1 == b {
            busy = $2 + $3 + $4 + $9; total = busy + $5 + $6 + $7 + $8
            if ($1 == a) { ba = busy; ta = total } else { bb = busy; tb = total }
        }
        END { printf "%d,%d,%d,%d\n", ba, ta, bb, tb }' /proc/stat
}
log "subject up (server pids: $SERVER_PIDS)"

# Pre-flight: is anything else keeping the pinned CPUs busy? (It shows in the figures as
# "other load"; warn now so the reader can wait for a quiet machine.)
q0=$(cpu_ticks); sleep 2; q1=$(cpu_ticks)
read -r busy_s busy_g < <(awk -F, -v a="$q0" -v b="$q1" 'BEGIN {
    split(a, x); split(b, y)
    printf "%d %d\n", 100 * (y[1] - x[1]) / (y[2] - x[2] + 1e-9), 100 * (y[3] - x[3]) / (y[4] - x[4] + 1e-9) }')
if ((busy_s > 10 || busy_g > 10)); then
    log "warning: the machine is not quiet (CPU $SERVER_CPU ${busy_s}% busy, CPU $CLIENT_CPU ${busy_g}% busy before any load); the figures will be disturbed"
fi

# --- 3. the runs ----------------------------------------------------------------------------
printf 'GET %s\n' "$URL" >"$RAW_DIR/vegeta-targets.txt"
GUARD=$((DUR_S * 2 + 30))   # hard limit on top of each tool's own duration

# run_tool TOOL SECONDS TAG: one pinned, timed run; writes TAG.{out,err,time,server} in RAW_DIR.
run_tool() {
    local tool=$1 secs=$2 tag=$3
    local -a cmd
    case "$tool" in
        podium) cmd=("$PODIUM" load "$URL" -c "$CONNS" -t "$THREADS" -d "${secs}s" --json) ;;
        wrk) cmd=(wrk "-t$THREADS" "-c$CONNS" "-d${secs}s" --latency "$URL") ;;
        # oha sizes its runtime by physical cores, ignoring the affinity mask: say it.
        oha) cmd=(oha -z "${secs}s" -c "$CONNS" --worker-threads "$THREADS" --no-tui
                  --output-format json "$URL") ;;
        vegeta) cmd=(env "GOMAXPROCS=$THREADS" vegeta attack "-targets=$RAW_DIR/vegeta-targets.txt" -rate=0
                     "-workers=$CONNS" "-max-workers=$CONNS" "-duration=${secs}s"
                     "-output=$RAW_DIR/$tag.bin") ;;
    esac
    local t0 t1 s0 s1 c0 c1 rc=0
    c0=$(cpu_ticks)
    s0=$(server_ticks)
    t0=$(date +%s.%N)
    /usr/bin/time -o "$RAW_DIR/$tag.time" -f '%e %U %S' \
        taskset -c "$CLIENT_CPU" timeout -k 5 "$GUARD" "${cmd[@]}" \
        >"$RAW_DIR/$tag.out" 2>"$RAW_DIR/$tag.err" || rc=$?
    t1=$(date +%s.%N)
    s1=$(server_ticks)
    c1=$(cpu_ticks)
    echo "$s0 $s1 $CLK_TCK $t0 $t1 $c0 $c1" >"$RAW_DIR/$tag.server"
    if [[ "$tool" == vegeta && -s "$RAW_DIR/$tag.bin" ]]; then
        vegeta report -type=json "$RAW_DIR/$tag.bin" >"$RAW_DIR/$tag.out"
        rm -f "$RAW_DIR/$tag.bin"
    fi
    return "$rc"
}

AVAILABLE=()
for t in podium wrk oha vegeta; do
    selected "$t" || continue
    [[ "$t" == podium ]] && ((!HAVE_PODIUM_LOAD)) && continue
    AVAILABLE+=("$t")
done
((${#AVAILABLE[@]})) || die "no generator to run"

if ((WARMUP_S > 0)); then
    for t in "${AVAILABLE[@]}"; do
        log "warm-up: $t for ${WARMUP_S}s (not measured)"
        run_tool "$t" "$WARMUP_S" "warmup_$t" || log "warm-up of $t failed (see below)"
        sleep 1
    done
fi

ROWS="$RAW_DIR/rows.tsv"
: >"$ROWS"
n=${#AVAILABLE[@]}
for ((r = 1; r <= REPEAT; r++)); do
    for ((i = 0; i < n; i++)); do
        t=${AVAILABLE[$(((i + r - 1) % n))]}
        tag="rep${r}_$t"
        log "repetition $r/$REPEAT: $t, $CONNS connections, ${DUR_S}s"
        rc=0
        run_tool "$t" "$DUR_S" "$tag" || rc=$?
        if ((rc != 0)); then
            log "$t exited with status $rc; its stderr:"
            sed 's/^/    /' "$RAW_DIR/$tag.err" | tail -n 20 >&2
        fi
        printf '%s\t%s\t%s\t%s\n' "$r" "$t" "$tag" "$rc" >>"$ROWS"
        sleep 1
    done
done

# --- 4. and 5. the table and RESULTS.md ------------------------------------------------------
cpu_model=$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)
governor=$(cat /sys/devices/system/cpu/cpu0/cpufreq/scaling_governor 2>/dev/null || echo "n/a")
commit=$(git -C "$ROOT" rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
if [[ -n "$(git -C "$ROOT" status --porcelain --untracked-files=no 2>/dev/null)" ]]; then
    commit="$commit (with uncommitted changes)"
fi
ver_wrk=$({ wrk -v 2>&1 || true; } | head -n 1 | sed 's/ Copyright.*//')
ver_oha=$({ oha --version 2>/dev/null || true; } | head -n 1)
# go install leaves vegeta's -version empty; the module version is in the binary's build info.
ver_vegeta=$({ go version -m "$(command -v vegeta || echo /nonexistent)" 2>/dev/null || true; } |
    awk '$1 == "mod" && $2 ~ /vegeta/ {print "vegeta " $3}')
ver_podium=$("$PODIUM" --version 2>/dev/null || echo podium)
ver_subject=$("$PODIUM" subjects --json 2>/dev/null | python3 -c '
import json, sys
name = sys.argv[1]
try:
    data = json.load(sys.stdin)
    items = data if isinstance(data, list) else data.get("subjects", [])
    for s in items:
        if s.get("name") == name:
            lang, fw, ver = s.get("language", "?"), s.get("framework", "?"), s.get("version", "")
            print(f"{name} ({lang}, {fw} {ver})".replace(" )", ")"))
            break
    else:
        print(name)
except Exception:
    print(name)
' "$SUBJECT" || echo "$SUBJECT")

export VSP_RAW="$RAW_DIR" VSP_ROWS="$ROWS" VSP_SATURATED="$SATURATED" VSP_TOOLS="$TOOLS"
export VSP_HAVE_PODIUM_LOAD="$HAVE_PODIUM_LOAD" VSP_CONNS="$CONNS" VSP_THREADS="$THREADS"
export VSP_DUR="$DUR_S" VSP_REPEAT="$REPEAT" VSP_WARMUP="$WARMUP_S" VSP_URL="$URL"
export VSP_SERVER_CPU="$SERVER_CPU" VSP_CLIENT_CPU="$CLIENT_CPU"
# shellcheck disable=SC2155
export VSP_MACHINE="$cpu_model; $NCPU CPUs; $(uname -srm); governor $governor"
# shellcheck disable=SC2155
export VSP_VERSIONS="$ver_podium at $commit; ${ver_wrk:-wrk n/a}; ${ver_oha:-oha n/a}; ${ver_vegeta:-vegeta n/a}; $(rustc --version 2>/dev/null | cut -d' ' -f1-2); $(go version 2>/dev/null | cut -d' ' -f3)"
export VSP_SUBJECT="$ver_subject"

REPORT="$RAW_DIR/report.md"
python3 - >"$REPORT" <<'PY'
import json, os, re, statistics

env = os.environ
raw = env["VSP_RAW"]
sat = float(env["VSP_SATURATED"])
tools = [t for t in ("podium", "wrk", "oha", "vegeta") if t in env["VSP_TOOLS"].split(",")]
label = {
    "podium": "Podium (`podium load`)",
    "wrk": "wrk",
    "oha": "oha",
    "vegeta": "vegeta (rate=0, %s workers)" % env["VSP_CONNS"],
}

def wrk_time(s):
    m = re.fullmatch(r"([\d.]+)(us|ms|s|m|h)", s)
    if not m:
        return None
    v, u = float(m.group(1)), m.group(2)
    return v * {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 60e3, "h": 3600e3}[u]

def parse(tool, text):
    """-> dict(requests, seconds, rps, p50, p99 [ms], errors, self_cpu)"""
    if tool == "podium":
        start = text.find("{")
        d = json.loads(text[start:])
        errs = d.get("errors", 0)
        errs = sum(errs.values()) if isinstance(errs, dict) else errs
        lat = d["latency_ms"]
        return dict(requests=d["requests"], seconds=d["duration_s"], rps=d["rps"],
                    p50=lat["p50"], p99=lat["p99"], errors=errs, self_cpu=d.get("cpu_s"))
    if tool == "wrk":
        m = re.search(r"(\d+) requests in ([\d.]+)(us|ms|s|m)", text)
        req = int(m.group(1))
        secs = wrk_time(m.group(2) + m.group(3)) / 1e3
        rps = float(re.search(r"Requests/sec:\s*([\d.]+)", text).group(1))
        p = dict(re.findall(r"^\s+(50|99)(?:\.000)?%\s+(\S+)", text, re.M))
        errs = 0
        m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
        if m:
            errs += sum(int(x) for x in m.groups())
        m = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
        if m:
            errs += int(m.group(1))
        return dict(requests=req, seconds=secs, rps=rps, p50=wrk_time(p["50"]),
                    p99=wrk_time(p["99"]), errors=errs, self_cpu=None)
    if tool == "oha":
        d = json.loads(text)
        s = d["summary"]
        req = sum(d.get("statusCodeDistribution", {}).values())
        # Requests still in flight at the deadline are cancelled, not failed (wrk and Podium
        # drop them silently too).
        errs = sum(v for k, v in d.get("errorDistribution", {}).items()
                   if k != "aborted due to deadline")
        errs += sum(v for k, v in d.get("statusCodeDistribution", {}).items()
                    if not str(k).startswith("2"))
        lp = d["latencyPercentiles"]
        return dict(requests=req, seconds=s["total"], rps=s["requestsPerSec"],
                    p50=lp["p50"] * 1e3, p99=lp["p99"] * 1e3, errors=errs, self_cpu=None)
    if tool == "vegeta":
        d = json.loads(text)
        req = d["requests"]
        secs = (d["duration"] + d["wait"]) / 1e9
        lat = d["latencies"]
        errs = req - round(d["success"] * req)
        return dict(requests=req, seconds=secs, rps=req / secs if secs else 0.0,
                    p50=lat["50th"] / 1e6, p99=lat["99th"] / 1e6, errors=errs, self_cpu=None)

runs = {t: [] for t in tools}   # tool -> list of per-repetition dicts (None when it failed)
problems = []
with open(env["VSP_ROWS"]) as f:
    for line in f:
        rep, tool, tag, rc = line.rstrip("\n").split("\t")
        base = os.path.join(raw, tag)
        try:
            with open(base + ".out") as o:
                fig = parse(tool, o.read())
            with open(base + ".time") as o:
                el, user, sys_ = o.read().split("\n")[-2].split()   # last line: "%e %U %S"
            s0, s1, tck, t0, t1, c0, c1 = open(base + ".server").read().split()
            c0 = [int(x) for x in c0.split(",")]
            c1 = [int(x) for x in c1.split(",")]
            busy_srv = (c1[0] - c0[0]) / max(c1[1] - c0[1], 1)
            busy_gen = (c1[2] - c0[2]) / max(c1[3] - c0[3], 1)
            fig["cpu"] = float(user) + float(sys_)
            fig["elapsed"] = float(el)
            fig["gen_share"] = fig["cpu"] / float(el) if float(el) else 0.0
            fig["srv_share"] = (int(s1) - int(s0)) / int(tck) / (float(t1) - float(t0))
            fig["other_srv"] = max(busy_srv - fig["srv_share"], 0.0)
            fig["other_gen"] = max(busy_gen - fig["gen_share"], 0.0)
            fig["us_per_req"] = fig["cpu"] / fig["requests"] * 1e6 if fig["requests"] else float("nan")
            fig["rep"] = int(rep)
            if rc != "0":
                problems.append(f"{tool}, repetition {rep}: exited with status {rc}")
            runs[tool].append(fig)
        except Exception as e:  # noqa: BLE001 - report and go on with the others
            problems.append(f"{tool}, repetition {rep}: no figures ({type(e).__name__}: {e}; "
                            f"exit status {rc})")

def spread(vals, fmt):
    vals = [v for v in vals if v is not None]
    if not vals:
        return "—"
    med = statistics.median(vals)
    if len(vals) == 1:
        return fmt.format(med)
    return f"{fmt.format(med)} [{fmt.format(min(vals))}–{fmt.format(max(vals))}]"

def sat_word(shares):
    if not shares:
        return "—"
    med = statistics.median(shares)
    word = "saturated" if med >= sat else "not saturated"
    return f"{med * 100:.0f}% ({word})"

out = []
w = out.append
w(f"- Subject: {env['VSP_SUBJECT']} under `podium serve`, CPU {env['VSP_SERVER_CPU']}; "
  f"generators on CPU {env['VSP_CLIENT_CPU']}; target {env['VSP_URL']}")
w(f"- Load: {env['VSP_CONNS']} connections, {env['VSP_THREADS']} thread(s), "
  f"{env['VSP_DUR']} s per run, {env['VSP_REPEAT']} repetition(s) (tool order rotated each "
  f"repetition), one {env['VSP_WARMUP']} s warm-up per tool first")
w(f"- Machine: {env['VSP_MACHINE']}")
w(f"- Versions: {env['VSP_VERSIONS']}")
w("")
w("Median [min–max] over the repetitions. CPU-s is the generator's user + system time "
  "measured by GNU time (same for every tool); µs CPU/req = CPU-s / completed requests. "
  "Server core and generator core: share of one core used during the run "
  f"(≥ {sat * 100:.0f}% = saturated).")
w("")
w("| tool | requests/s | p50 ms | p99 ms | CPU-s | µs CPU/req | errors | server core | generator core |")
w("|---|---|---|---|---|---|---|---|---|")
for t in tools:
    rs = runs[t]
    if t == "podium" and env["VSP_HAVE_PODIUM_LOAD"] != "1":
        w(f"| {label[t]} | podium load not available yet | | | | | | | |")
        continue
    if not rs:
        w(f"| {label[t]} | no result (see problems) | | | | | | | |")
        continue
    w("| " + " | ".join([
        label[t],
        spread([r["rps"] for r in rs], "{:,.0f}"),
        spread([r["p50"] for r in rs], "{:.3f}"),
        spread([r["p99"] for r in rs], "{:.3f}"),
        spread([r["cpu"] for r in rs], "{:.2f}"),
        spread([r["us_per_req"] for r in rs], "{:.2f}"),
        spread([r["errors"] for r in rs], "{:.0f}"),
        sat_word([r["srv_share"] for r in rs]),
        sat_word([r["gen_share"] for r in rs]),
    ]) + " |")
w("")

pod = {r["rep"]: r for r in runs.get("podium", [])}
peers = [t for t in tools if t != "podium"]
if env["VSP_HAVE_PODIUM_LOAD"] == "1" and pod and peers:
    w("Ratios Podium / peer, per repetition, median [min–max]. CPU per request: target ≤ 1.00. "
      "Throughput: target ≥ 1.00, which applies only when the server's core was not saturated "
      "in either run.")
    w("")
    w("| vs | CPU/req ratio | target ≤ 1.00 | throughput ratio | target ≥ 1.00 |")
    w("|---|---|---|---|---|")
    for t in peers:
        pairs = [(pod[r["rep"]], r) for r in runs[t] if r["rep"] in pod]
        if not pairs:
            w(f"| {label[t]} | — | | — | |")
            continue
        cpu_r = [p["us_per_req"] / q["us_per_req"] for p, q in pairs]
        thr_r = [p["rps"] / q["rps"] for p, q in pairs]
        cpu_ok = "met" if statistics.median(cpu_r) <= 1.0 else "missed"
        server_bound = any(max(p["srv_share"], q["srv_share"]) >= sat for p, q in pairs)
        if server_bound:
            thr_ok = "n/a (server core saturated)"
        else:
            thr_ok = "met" if statistics.median(thr_r) >= 1.0 else "missed"
        w(f"| {label[t]} | {spread(cpu_r, '{:.2f}')} | {cpu_ok} | {spread(thr_r, '{:.2f}')} | {thr_ok} |")
    w("")
    self_cpu = [(p["self_cpu"], p["cpu"]) for p in pod.values() if p.get("self_cpu") is not None]
    if self_cpu:
        w("Podium's self-reported `cpu_s` vs measured: " + ", ".join(
            f"{a:.2f} vs {b:.2f}" for a, b in self_cpu) + " (the table uses the measured one).")
        w("")
elif env["VSP_HAVE_PODIUM_LOAD"] != "1":
    w("Ratios: none, `podium load` is not available yet.")
    w("")

allruns = [r for t in tools for r in runs[t]]
if allruns:
    o_srv = max(r["other_srv"] for r in allruns)
    o_gen = max(r["other_gen"] for r in allruns)
    w(f"Other load on the pinned CPUs (busy time not used by the server or the generator, "
      f"worst run): {o_srv * 100:.0f}% of CPU {env['VSP_SERVER_CPU']}, "
      f"{o_gen * 100:.0f}% of CPU {env['VSP_CLIENT_CPU']}"
      + (" — too much, these figures are disturbed; rerun on a quiet machine." if max(o_srv, o_gen) > 0.10 else "."))
    w("")
sat_any = [r["srv_share"] for t in tools for r in runs[t]]
if sat_any and statistics.median(sat_any) >= sat:
    w("The server's core was saturated: the server, not the generators, limited throughput, so "
      "the throughput comparison says little; CPU per request is the figure that counts here.")
    w("")
if problems:
    w("Problems:")
    for p in problems:
        w(f"- {p}")
    w("")
print("\n".join(out))
PY

echo
cat "$REPORT"

if ((WRITE_RESULTS)); then
    if [[ ! -f "$RESULTS" ]]; then
        cat >"$RESULTS" <<'EOF'
# Podium's load engine vs its peers

Issue 4's performance target: against the same subject, with the server pinned to one core and
the generator to the other, the same connections and duration, Podium's CPU per request must
be at most wrk's (ratio ≤ 1.00) and its throughput at least wrk's when the server is not the
bottleneck. oha and vegeta are shown too.

Reproduce (from the repository root, as root or with sudo for the apt-get of missing tools;
needs 2 CPUs, Rust and Go):

```sh
bench/vs-peers.sh                          # stdlib subject, 64 connections, 1 thread, 10 s, 3 repetitions
bench/vs-peers.sh --duration 5s --repeat 2 # quicker
bench/vs-peers.sh --help                   # every option
```

The script installs missing peers (wrk from Debian, oha with `cargo install --locked`, vegeta
with `go install`, pinned versions), builds Podium in release, serves the subject with
`taskset -c 0 podium serve`, then runs each generator with `taskset -c 1` against
`http://127.0.0.1:PORT/ping`, after a warm-up, repeating the whole sequence. Generator CPU is
measured by GNU time for every tool alike. vegeta has no closed loop and runs with `-rate=0`
and as many workers as connections. Each section below is one run, newest last.
EOF
    fi
    {
        echo
        echo "## $(date -u '+%Y-%m-%d %H:%M UTC'): $SUBJECT, ${CONNS} connections, ${DUR_S} s × $REPEAT"
        echo
        cat "$REPORT"
    } >>"$RESULTS"
    log "appended to $RESULTS"
fi
((KEEP_RAW)) && log "raw outputs kept in $RAW_DIR"
exit 0
