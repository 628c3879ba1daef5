#!/usr/bin/env bash
# The real trace backends the live tests talk to: Jaeger v2 (built from the Go module proxy)
# and the Zipkin server (the exec jar from Maven Central), both on loopback only.
#
#   .ci/backends.sh install   build/download into the cache (skipped when already cached)
#   .ci/backends.sh start     start both and wait until they answer (reuses healthy ones)
#   .ci/backends.sh stop      stop what `start` started (with the same TRACEWHY_BACKENDS_OWNER)
#   .ci/backends.sh status    say what is running
#   .ci/backends.sh jaeger-binary   print where the Jaeger binary is (tests start more of them)
#
# Cache: ${TRACEWHY_CACHE:-$HOME/.cache/tracewhy}; pids and logs under its run/ folder.
set -euo pipefail

CACHE=${TRACEWHY_CACHE:-$HOME/.cache/tracewhy}
RUN_DIR=$CACHE/run
OWNER=${TRACEWHY_BACKENDS_OWNER:-manual}

# v1.76.0 is the same commit as Jaeger v2.13.0 (the binary reports "Jaeger backend v2").  The
# later v2 releases are reachable only by pseudo-versions, which the module proxy refuses (403).
JAEGER_MODULE=github.com/jaegertracing/jaeger
JAEGER_VERSION=${TRACEWHY_JAEGER_VERSION:-v1.76.0}
JAEGER_BIN=$CACHE/jaeger-$JAEGER_VERSION/jaeger
JAEGER_QUERY_PORT=16686
JAEGER_HEALTH=http://127.0.0.1:13133/status

ZIPKIN_VERSION=${TRACEWHY_ZIPKIN_VERSION:-3.6.1}
ZIPKIN_JAR=$CACHE/zipkin-$ZIPKIN_VERSION/zipkin-server-$ZIPKIN_VERSION-exec.jar
ZIPKIN_PORT=9412   # 9411 is taken by Jaeger's own Zipkin receiver
ZIPKIN_HEALTH=http://127.0.0.1:$ZIPKIN_PORT/health

START_TIMEOUT=${TRACEWHY_BACKENDS_START_TIMEOUT:-120}

log() { printf 'backends: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

# 0 when the URL answers 2xx within 2 s.  python3 is always there (the tests need it); curl may not be.
http_ok() {
    python3 - "$1" <<'EOF' >/dev/null 2>&1
import sys, urllib.request
with urllib.request.urlopen(sys.argv[1], timeout=2) as r:
    sys.exit(0 if 200 <= r.status < 300 else 1)
EOF
}

port_in_use() {
    python3 - "$1" <<'EOF' >/dev/null 2>&1
import socket, sys
s = socket.socket()
s.settimeout(1)
sys.exit(0 if s.connect_ex(("127.0.0.1", int(sys.argv[1]))) == 0 else 1)
EOF
}

# ---------------------------------------------------------------- install

install_jaeger() {
    if [ -x "$JAEGER_BIN" ]; then log "jaeger $JAEGER_VERSION: cached at $JAEGER_BIN"; return; fi
    command -v go >/dev/null || die "Go is needed to build Jaeger (https://go.dev/dl/, >= 1.24)"
    local build=$CACHE/build-jaeger-$JAEGER_VERSION start=$SECONDS
    rm -rf "$build" && mkdir -p "$build" "$(dirname "$JAEGER_BIN")"
    log "building jaeger $JAEGER_VERSION with $(go version | cut -d' ' -f3) (several minutes)"
    # `go install pkg@version` refuses this version: its go.mod has a replace directive.  A
    # throwaway module that requires it as a tool builds the same binary.
    (
        cd "$build"
        go mod init tracewhy.local/jaeger-build >/dev/null 2>&1
        GOFLAGS=-mod=mod go get -tool "$JAEGER_MODULE/cmd/jaeger@$JAEGER_VERSION"
        go build -trimpath -o "$JAEGER_BIN.tmp" "$JAEGER_MODULE/cmd/jaeger"
    ) > "$build/build.log" 2>&1 || { tail -20 "$build/build.log" >&2; die "jaeger build failed (log: $build/build.log)"; }
    mv "$JAEGER_BIN.tmp" "$JAEGER_BIN"
    log "jaeger built in $((SECONDS - start)) s: $JAEGER_BIN"
}

install_zipkin() {
    if [ -s "$ZIPKIN_JAR" ]; then log "zipkin $ZIPKIN_VERSION: cached at $ZIPKIN_JAR"; return; fi
    java_major >/dev/null || die "Java 17+ is needed to run the Zipkin server"
    local dir start=$SECONDS
    dir=$(dirname "$ZIPKIN_JAR")
    mkdir -p "$dir"
    command -v mvn >/dev/null || die "Maven (mvn) is needed to fetch the Zipkin server jar"
    log "fetching io.zipkin:zipkin-server:$ZIPKIN_VERSION:exec with mvn"
    mvn -B -q dependency:copy "-Dartifact=io.zipkin:zipkin-server:$ZIPKIN_VERSION:jar:exec" \
        "-DoutputDirectory=$dir" >&2 || die "mvn could not fetch the Zipkin jar"
    [ -s "$ZIPKIN_JAR" ] || die "mvn finished but $ZIPKIN_JAR is missing"
    log "zipkin fetched in $((SECONDS - start)) s: $ZIPKIN_JAR"
}

java_major() {
    command -v java >/dev/null || return 1
    local v
    v=$(java -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -1)
    [ -n "$v" ] && [ "$v" -ge 17 ] && echo "$v"
}

# ---------------------------------------------------------------- start / stop

# start_one NAME HEALTH_URL PORT COMMAND...
start_one() {
    local name=$1 health=$2 port=$3; shift 3
    if http_ok "$health"; then log "$name: already running and healthy on 127.0.0.1 (reused)"; return; fi
    port_in_use "$port" && die "$name: port $port is in use by something that is not a healthy $name"
    mkdir -p "$RUN_DIR"
    local start=$SECONDS
    nohup "$@" > "$RUN_DIR/$name.log" 2>&1 < /dev/null &
    local pid=$!
    echo "$pid" > "$RUN_DIR/$name.pid"
    echo "$OWNER" > "$RUN_DIR/$name.owner"
    until http_ok "$health"; do
        kill -0 "$pid" 2>/dev/null || { tail -20 "$RUN_DIR/$name.log" >&2; die "$name exited during start (log: $RUN_DIR/$name.log)"; }
        [ $((SECONDS - start)) -lt "$START_TIMEOUT" ] || { stop_one "$name" force; die "$name not healthy after $START_TIMEOUT s (log: $RUN_DIR/$name.log)"; }
        sleep 0.5
    done
    log "$name: started (pid $pid) and healthy in $((SECONDS - start)) s; log $RUN_DIR/$name.log"
}

start_jaeger() {
    [ -x "$JAEGER_BIN" ] || die "jaeger is not installed; run: $0 install"
    # The query service binds all interfaces by default; keep it on loopback like the receivers.
    start_one jaeger "$JAEGER_HEALTH" "$JAEGER_QUERY_PORT" "$JAEGER_BIN" \
        "--set=extensions.jaeger_query.http.endpoint=127.0.0.1:$JAEGER_QUERY_PORT" \
        "--set=extensions.jaeger_query.grpc.endpoint=127.0.0.1:16685"
    wait_for_http "jaeger query API" "http://127.0.0.1:$JAEGER_QUERY_PORT/api/v3/services"
}

start_zipkin() {
    [ -s "$ZIPKIN_JAR" ] || die "zipkin is not installed; run: $0 install"
    java_major >/dev/null || die "Java 17+ is needed to run the Zipkin server"
    # In-memory storage evicts the oldest traces past MEM_MAX_SPANS; its default (500k) does not
    # fit the 512 MB heap, so a long-lived local server would die of OutOfMemoryError instead.
    STORAGE_TYPE=mem MEM_MAX_SPANS=100000 start_one zipkin "$ZIPKIN_HEALTH" "$ZIPKIN_PORT" \
        java -Xms64m -Xmx512m -jar "$ZIPKIN_JAR" \
        "--armeria.ports[0].ip=127.0.0.1" "--armeria.ports[0].port=$ZIPKIN_PORT" \
        "--armeria.ports[0].protocols=http"
}

wait_for_http() {
    local what=$1 url=$2 start=$SECONDS
    until http_ok "$url"; do
        [ $((SECONDS - start)) -lt 30 ] || die "$what did not answer at $url"
        sleep 0.5
    done
}

# stop_one NAME [force]: only processes this owner started (never someone's reused server).
stop_one() {
    local name=$1 pidfile=$RUN_DIR/$1.pid owner
    [ -f "$pidfile" ] || { log "$name: not started by this script"; return; }
    owner=$(cat "$RUN_DIR/$name.owner" 2>/dev/null || echo manual)
    if [ "${2:-}" != force ] && [ "$owner" != "$OWNER" ]; then
        log "$name: started by '$owner', not '$OWNER'; left running"; return
    fi
    local pid
    pid=$(cat "$pidfile")
    if kill -0 "$pid" 2>/dev/null; then
        kill "$pid"
        for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
        kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
        log "$name: stopped (pid $pid)"
    fi
    rm -f "$pidfile" "$RUN_DIR/$name.owner"
}

status_one() {
    local name=$1 health=$2
    if http_ok "$health"; then echo "$name: healthy ($health)"; else echo "$name: not running"; fi
}

case "${1:-}" in
    install) install_jaeger; install_zipkin ;;
    start) start_jaeger; start_zipkin ;;
    stop) stop_one zipkin; stop_one jaeger ;;
    status) status_one jaeger "$JAEGER_HEALTH"; status_one zipkin "$ZIPKIN_HEALTH" ;;
    jaeger-binary) echo "$JAEGER_BIN" ;;
    *) echo "usage: $0 install|start|stop|status|jaeger-binary" >&2; exit 2 ;;
esac
