#!/usr/bin/env bash
# Run a real Neo4j 5.26 Community server for glossgraph development and tests.
#
#   bash scripts/neo4j.sh install   fetch the server jars from Maven Central into $NEO4J_HOME_DIR/lib
#   bash scripts/neo4j.sh start     install if needed, start in the background, wait for Bolt + auth
#   bash scripts/neo4j.sh stop      stop the server started by this script (TERM, then KILL)
#   bash scripts/neo4j.sh status    exit 0 and print the URI when running, exit 1 when not
#   bash scripts/neo4j.sh restart   stop, then start (data kept)
#   bash scripts/neo4j.sh reset     stop, then delete data and logs (jars kept)
#
# Environment:
#   NEO4J_HOME_DIR                  server home (default <repo>/.neo4j): lib/ conf/ data/ logs/ run/
#   GLOSSGRAPH_NEO4J_PORT           Bolt port on 127.0.0.1 (default 7687)
#   NEO4J_PASSWORD                  password of user neo4j (default glossgraph-dev, >= 8 chars);
#                                   only applied when the data dir is created (first start)
#   GLOSSGRAPH_NEO4J_HEAP           max heap (default 1g); GLOSSGRAPH_NEO4J_HEAP_INITIAL (default 512m)
#   GLOSSGRAPH_NEO4J_PAGECACHE      page cache (default 256m)
#   GLOSSGRAPH_NEO4J_START_TIMEOUT  seconds to wait for Bolt (default 180)
#   GLOSSGRAPH_NEO4J_STOP_TIMEOUT   seconds to wait after SIGTERM before SIGKILL (default 60)
#   JAVA_HOME                       Java 17 or 21 to run the server (default: `java` on PATH)
#   GLOSSGRAPH_NEO4J_PYTHON         Python with the `neo4j` driver for the readiness check (default
#                                   .venv/bin/python, then python3); `none`: port + log line only
#
# See docs/neo4j-server.md.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SCRIPT_DIR/.." && pwd)"
POM="$SCRIPT_DIR/neo4j/pom.xml"
CONF_TEMPLATE="$SCRIPT_DIR/neo4j/neo4j.conf"

HOME_DIR="${NEO4J_HOME_DIR:-$REPO_ROOT/.neo4j}"
mkdir -p "$HOME_DIR"
HOME_DIR="$(cd "$HOME_DIR" && pwd)"
LIB_DIR="$HOME_DIR/lib"
CONF_DIR="$HOME_DIR/conf"
DATA_DIR="$HOME_DIR/data"
LOGS_DIR="$HOME_DIR/logs"
RUN_DIR="$HOME_DIR/run"
PLUGINS_DIR="$HOME_DIR/plugins"
PID_FILE="$RUN_DIR/neo4j.pid"
PORT_FILE="$RUN_DIR/neo4j.port"
LOCK_FILE="$RUN_DIR/neo4j.lock"
CONSOLE_LOG="$LOGS_DIR/console.log"   # the JVM's stdout/stderr
USER_LOG="$LOGS_DIR/neo4j.log"         # Neo4j's user log (Starting... / Started.)
DEBUG_LOG="$LOGS_DIR/debug.log"
LIB_MARKER="$LIB_DIR/.installed"

PORT="${GLOSSGRAPH_NEO4J_PORT:-7687}"
USER_NAME="neo4j"
PASSWORD="${NEO4J_PASSWORD:-glossgraph-dev}"
HEAP_MAX="${GLOSSGRAPH_NEO4J_HEAP:-1g}"
HEAP_INIT="${GLOSSGRAPH_NEO4J_HEAP_INITIAL:-512m}"
PAGECACHE="${GLOSSGRAPH_NEO4J_PAGECACHE:-256m}"
START_TIMEOUT="${GLOSSGRAPH_NEO4J_START_TIMEOUT:-180}"
STOP_TIMEOUT="${GLOSSGRAPH_NEO4J_STOP_TIMEOUT:-60}"
MAIN_CLASS="org.neo4j.server.CommunityEntryPoint"

if [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/java" ]]; then
    JAVA="$JAVA_HOME/bin/java"
else
    JAVA="java"
fi

log() { printf 'neo4j.sh: %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# Python with the neo4j driver, used for a real Bolt handshake + auth check.
python_with_driver() {
    local py
    [[ "${GLOSSGRAPH_NEO4J_PYTHON:-}" == none ]] && return 1
    for py in ${GLOSSGRAPH_NEO4J_PYTHON:-} "$REPO_ROOT/.venv/bin/python" python3; do
        if command -v "$py" >/dev/null 2>&1 && "$py" -c 'import neo4j' >/dev/null 2>&1; then
            printf '%s' "$py"
            return 0
        fi
    done
    return 1
}

# Run the rest of the command holding an exclusive lock on this home dir,
# so that two test sessions calling `start` at once do not race.
take_lock() {
    mkdir -p "$RUN_DIR"
    exec 9>"$LOCK_FILE"
    if ! flock -w 600 9; then
        die "could not lock $LOCK_FILE within 600 s (another neo4j.sh holds it)"
    fi
}

# ---------------------------------------------------------------- install --

lib_fingerprint() {
    # Changes whenever the pom (and so the Neo4j version or jar set) changes.
    sha256sum "$POM" | cut -d' ' -f1
}

lib_complete() {
    [[ -f "$LIB_MARKER" ]] || return 1
    [[ "$(head -n1 "$LIB_MARKER")" == "$(lib_fingerprint)" ]] || return 1
    local jar
    while IFS= read -r jar; do
        [[ -s "$LIB_DIR/$jar" ]] || return 1
    done < <(tail -n +2 "$LIB_MARKER")
    return 0
}

cmd_install() {
    if lib_complete; then
        return 0
    fi
    command -v mvn >/dev/null 2>&1 || die "mvn (Maven) is needed to fetch the Neo4j jars (apt-get install maven)"
    local tmp="$HOME_DIR/lib.tmp.$$"
    rm -rf "$tmp"
    mkdir -p "$tmp"
    log "fetching Neo4j jars with Maven into $LIB_DIR ..."
    local started=$SECONDS
    if ! mvn -q -B -f "$POM" dependency:copy-dependencies \
            -DoutputDirectory="$tmp" -DincludeScope=runtime >"$HOME_DIR/install.log" 2>&1; then
        tail -n 40 "$HOME_DIR/install.log" >&2 || true
        rm -rf "$tmp"
        die "mvn dependency:copy-dependencies failed (full output: $HOME_DIR/install.log)"
    fi
    compgen -G "$tmp/neo4j-[0-9]*.jar" >/dev/null || { rm -rf "$tmp"; die "no neo4j jar fetched"; }
    {
        lib_fingerprint
        (cd "$tmp" && find . -maxdepth 1 -name '*.jar' -printf '%f\n' | sort)
    } >"$tmp/.installed"
    rm -rf "$LIB_DIR"
    mv "$tmp" "$LIB_DIR"
    log "installed $(($(wc -l <"$LIB_MARKER") - 1)) jars ($(du -sh "$LIB_DIR" | cut -f1)) in $((SECONDS - started)) s"
}

# ------------------------------------------------------------- process ----

# True while process $1 exists and is not a zombie (an exited JVM whose
# parent has not reaped it yet counts as gone).
alive() {
    kill -0 "$1" 2>/dev/null || return 1
    local stat
    stat="$(cat "/proc/$1/stat" 2>/dev/null)" || return 1
    stat="${stat##*) }"
    [[ "${stat:0:1}" != Z ]]
}

# Prints the pid of the server started by this script if it is alive.
running_pid() {
    [[ -f "$PID_FILE" ]] || return 1
    local pid
    pid="$(tr -dc '0-9' <"$PID_FILE")"
    [[ -n "$pid" ]] || return 1
    alive "$pid" || return 1
    # Guard against a recycled pid: it must be our JVM for this home dir.
    local cmdline
    cmdline="$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)" || return 1
    [[ "$cmdline" == *"$MAIN_CLASS --home-dir=$HOME_DIR "* ]] || return 1
    printf '%s' "$pid"
}

running_port() {
    if [[ -f "$PORT_FILE" ]]; then tr -dc '0-9' <"$PORT_FILE"; else printf '%s' "$PORT"; fi
}

port_open() {
    # True when something accepts TCP connections on 127.0.0.1:$1.
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

print_connection() {
    local port="$1" shown_pw="$PASSWORD" export_pw="$PASSWORD"
    if [[ -n "${NEO4J_PASSWORD:-}" ]]; then
        # shellcheck disable=SC2016 # printed literally, for the user's shell to expand
        shown_pw='(the one in $NEO4J_PASSWORD)' export_pw='"$NEO4J_PASSWORD"'
    fi
    cat <<EOF
Neo4j is running (pid $(running_pid || true), home $HOME_DIR)
  URI:      bolt://127.0.0.1:$port
  user:     $USER_NAME
  password: $shown_pw
To point glossgraph and its tests at it:
  export NEO4J_URI=bolt://127.0.0.1:$port NEO4J_USERNAME=$USER_NAME NEO4J_PASSWORD=$export_pw
EOF
}

log_tail() {
    local n="${1:-60}"
    if [[ -s "$CONSOLE_LOG" ]]; then
        echo "---- last lines of $CONSOLE_LOG ----" >&2
        tail -n "$n" "$CONSOLE_LOG" >&2
        echo "----" >&2
    fi
    # neo4j.log keeps earlier runs: show only this start's lines.
    if [[ -s "$USER_LOG" ]] && (( $(wc -l <"$USER_LOG") > ${USER_LOG_LINES:-0} )); then
        echo "---- this start's lines of $USER_LOG ----" >&2
        tail -n +"$((${USER_LOG_LINES:-0} + 1))" "$USER_LOG" | tail -n "$n" >&2
        echo "----" >&2
    fi
    local errors=""
    if [[ -f "$DEBUG_LOG" ]]; then
        errors="$(tail -n +"$((${DEBUG_LOG_LINES:-0} + 1))" "$DEBUG_LOG" | grep -A5 ' ERROR ' | tail -n 40)" || true
    fi
    if [[ -n "$errors" ]]; then
        echo "---- this start's ERROR lines of $DEBUG_LOG ----" >&2
        printf '%s\n' "$errors" >&2
        echo "----" >&2
    fi
}

# Prints a JVM-style size (512m, 1g, 1536M, 2048k) in MiB.
size_to_mib() {
    local v="${1,,}"
    case "$v" in
        *g) echo $((${v%g} * 1024)) ;;
        *m) echo "${v%m}" ;;
        *k) echo $((${v%k} / 1024)) ;;
        *[0-9]) echo $((v / 1048576)) ;;
        *) die "cannot parse memory size '$1' (use e.g. 512m or 1g)" ;;
    esac
}

write_conf() {
    mkdir -p "$CONF_DIR" "$DATA_DIR" "$LOGS_DIR" "$RUN_DIR" "$PLUGINS_DIR" "$HOME_DIR/import"
    [[ -f "$CONF_TEMPLATE" ]] || die "missing $CONF_TEMPLATE"
    [[ "$PORT" =~ ^[0-9]+$ ]] || die "GLOSSGRAPH_NEO4J_PORT must be a number, got '$PORT'"
    local heap_mib
    heap_mib="$(size_to_mib "$HEAP_MAX")"
    # Placeholders are filled on setting lines only (comments keep their @NAME@).
    sed -e "/^[[:space:]]*#/!{
            s|@HOME@|$HOME_DIR|g; s|@PORT@|$PORT|g
            s|@HEAP_INIT@|$HEAP_INIT|g; s|@HEAP_MAX@|$HEAP_MAX|g; s|@PAGECACHE@|$PAGECACHE|g
            s|@TX_TOTAL_MAX@|$((heap_mib * 3 / 4))m|g; s|@TX_MAX@|$((heap_mib * 3 / 5))m|g
        }" "$CONF_TEMPLATE" >"$CONF_DIR/neo4j.conf.tmp"
    if grep -qE '^[[:space:]]*[^#[:space:]].*@[A-Z_]+@' "$CONF_DIR/neo4j.conf.tmp"; then
        die "unfilled placeholder in $CONF_DIR/neo4j.conf.tmp"
    fi
    mv "$CONF_DIR/neo4j.conf.tmp" "$CONF_DIR/neo4j.conf"
}

# The java command line the official bootloader (org.neo4j.server.startup.
# Bootloader) would build: server.jvm.additional lines, -Dfile.encoding,
# -Xms/-Xmx from the heap settings, plugins + lib on the class path.
build_java_cmd() {
    JAVA_CMD=("$JAVA")
    local line
    while IFS= read -r line; do
        JAVA_CMD+=("$line")
    done < <(sed -n 's/^[[:space:]]*server\.jvm\.additional=//p' "$CONF_DIR/neo4j.conf")
    JAVA_CMD+=("-Dfile.encoding=UTF-8" "-Xms$HEAP_INIT" "-Xmx$HEAP_MAX")
    local cp="$LIB_DIR/*"
    if compgen -G "$PLUGINS_DIR/*.jar" >/dev/null; then
        cp="$PLUGINS_DIR/*:$cp"
    fi
    JAVA_CMD+=("-cp" "$cp" "$MAIN_CLASS" "--home-dir=$HOME_DIR" "--config-dir=$CONF_DIR")
}

set_initial_password() {
    # Only takes effect before the system database exists (first start).
    if [[ -d "$DATA_DIR/databases/system" ]]; then
        return 0
    fi
    (( ${#PASSWORD} >= 8 )) || die "NEO4J_PASSWORD must be at least 8 characters (Neo4j 5 rule)"
    log "setting the initial password of user $USER_NAME"
    # org.neo4j.cli.AdminTool is what `neo4j-admin` (Neo4jAdminCommand) forks;
    # calling it directly saves one JVM start.
    if ! NEO4J_HOME="$HOME_DIR" NEO4J_CONF="$CONF_DIR" "$JAVA" -Xmx256m -Dfile.encoding=UTF-8 \
            -cp "$LIB_DIR/*" org.neo4j.cli.AdminTool dbms set-initial-password "$PASSWORD" \
            >>"$CONSOLE_LOG" 2>&1; then
        log_tail 30
        die "neo4j-admin dbms set-initial-password failed"
    fi
}

# Stops the JVM of a failed start: `start` either succeeds or leaves nothing running.
kill_failed_start() {
    local pid="$1"
    kill -TERM "$pid" 2>/dev/null || true
    local deadline=$((SECONDS + 30))
    while alive "$pid" && (( SECONDS < deadline )); do sleep 0.5; done
    if alive "$pid"; then kill -KILL "$pid" 2>/dev/null || true; fi
    rm -f "$PID_FILE" "$PORT_FILE"
}

# Exit codes: 0 Bolt answered and the password was accepted, 2 auth refused,
# 1 not (yet) reachable.
bolt_check() {
    local py="$1" port="$2"
    NEO4J_CHECK_URI="bolt://127.0.0.1:$port" NEO4J_CHECK_USER="$USER_NAME" NEO4J_CHECK_PASSWORD="$PASSWORD" \
        "$py" - <<'PY' 2>/dev/null
import os, sys
from neo4j import GraphDatabase
from neo4j.exceptions import AuthError
try:
    with GraphDatabase.driver(os.environ["NEO4J_CHECK_URI"],
                              auth=(os.environ["NEO4J_CHECK_USER"], os.environ["NEO4J_CHECK_PASSWORD"]),
                              connection_timeout=5, max_connection_lifetime=30) as d:
        records, _, _ = d.execute_query("RETURN 1 AS ok", database_="neo4j")
        sys.exit(0 if records[0]["ok"] == 1 else 1)
except AuthError as e:
    print(e, file=sys.stderr)
    sys.exit(2)
except Exception:
    sys.exit(1)
PY
}

wait_for_bolt() {
    local pid="$1" port="$2" deadline=$((SECONDS + START_TIMEOUT)) py="" rc
    py="$(python_with_driver)" || py=""
    while (( SECONDS < deadline )); do
        if ! alive "$pid"; then
            log_tail 80
            rm -f "$PID_FILE"
            die "Neo4j exited during startup (see $CONSOLE_LOG and $DEBUG_LOG)"
        fi
        if [[ -z "$py" ]]; then
            # No Python driver here: an open Bolt port plus this start's "Started." line.
            if port_open "$port" && awk -v n="$USER_LOG_LINES" 'NR > n && /Started\./ { found = 1 } END { exit !found }' "$USER_LOG" 2>/dev/null; then
                return 0
            fi
        elif port_open "$port"; then
            # A real Bolt handshake, login and RETURN 1.
            set +e
            bolt_check "$py" "$port"
            rc=$?
            set -e
            if (( rc == 0 )); then
                return 0
            elif (( rc == 2 )); then
                log "Bolt answers but the password for user $USER_NAME was refused."
                log "The data dir $DATA_DIR was created with another password: use that one,"
                log "or wipe it with 'bash scripts/neo4j.sh reset' (deletes all data)."
                kill_failed_start "$pid"
                return 2
            fi
        fi
        sleep 0.5
    done
    log_tail 80
    kill_failed_start "$pid"
    die "Bolt did not answer on 127.0.0.1:$port within $START_TIMEOUT s; the server was stopped"
}

cmd_start() {
    take_lock
    local pid
    if pid="$(running_pid)"; then
        local rport
        rport="$(running_port)"
        echo "Neo4j is already running (pid $pid): bolt://127.0.0.1:$rport"
        if [[ "$rport" != "$PORT" ]]; then
            log "note: it listens on $rport, not on GLOSSGRAPH_NEO4J_PORT=$PORT"
        fi
        return 0
    fi
    rm -f "$PID_FILE" "$PORT_FILE"
    cmd_install
    command -v "$JAVA" >/dev/null 2>&1 || die "java not found (Neo4j 5.26 needs Java 17 or 21)"
    if port_open "$PORT"; then
        die "port 127.0.0.1:$PORT is already in use by another process (not started by this script); set GLOSSGRAPH_NEO4J_PORT or stop it"
    fi
    write_conf
    : >"$CONSOLE_LOG"
    # The server runs in daemon mode (as `neo4j start` does): its user log goes
    # to neo4j.log only; remember where this start's lines begin.
    USER_LOG_LINES=0 DEBUG_LOG_LINES=0
    if [[ -f "$USER_LOG" ]]; then USER_LOG_LINES="$(wc -l <"$USER_LOG")"; fi
    if [[ -f "$DEBUG_LOG" ]]; then DEBUG_LOG_LINES="$(wc -l <"$DEBUG_LOG")"; fi
    set_initial_password
    build_java_cmd
    local started=$SECONDS
    {
        echo "# $(date -u +%FT%TZ) neo4j.sh start"
        printf '#'
        printf ' %q' "${JAVA_CMD[@]}"
        echo
    } >>"$CONSOLE_LOG"
    # setsid: own session, so a Ctrl-C aimed at the caller (e.g. pytest) does
    # not hit the server, which is stopped explicitly instead.
    cd "$HOME_DIR"
    # 9>&-: the JVM must not inherit (and so hold) the lock.
    setsid "${JAVA_CMD[@]}" >>"$CONSOLE_LOG" 2>&1 </dev/null 9>&- &
    pid=$!
    cd - >/dev/null
    echo "$pid" >"$PID_FILE"
    echo "$PORT" >"$PORT_FILE"
    log "started JVM pid $pid, waiting up to $START_TIMEOUT s for Bolt on 127.0.0.1:$PORT"
    local rc=0
    wait_for_bolt "$pid" "$PORT" || rc=$?
    if (( rc != 0 )); then
        return "$rc"
    fi
    log "Bolt answered after $((SECONDS - started)) s"
    print_connection "$PORT"
}

cmd_stop() {
    take_lock
    local pid
    if ! pid="$(running_pid)"; then
        echo "Neo4j is not running (home $HOME_DIR)"
        rm -f "$PID_FILE" "$PORT_FILE"
        return 0
    fi
    local port
    port="$(running_port)"
    log "stopping Neo4j (pid $pid) ..."
    kill -TERM "$pid" 2>/dev/null || true
    local deadline=$((SECONDS + STOP_TIMEOUT))
    while alive "$pid" && (( SECONDS < deadline )); do
        sleep 0.5
    done
    if alive "$pid"; then
        log "still alive after $STOP_TIMEOUT s, sending SIGKILL"
        kill -KILL "$pid" 2>/dev/null || true
        deadline=$((SECONDS + 30))
        while alive "$pid" && (( SECONDS < deadline )); do sleep 0.2; done
        if alive "$pid"; then die "pid $pid survived SIGKILL"; fi
    fi
    rm -f "$PID_FILE" "$PORT_FILE"
    local tries=50
    while port_open "$port" && (( tries-- > 0 )); do
        sleep 0.2
    done
    echo "Neo4j stopped"
}

cmd_status() {
    local pid
    if pid="$(running_pid)"; then
        echo "Neo4j is running (pid $pid): bolt://127.0.0.1:$(running_port)"
        return 0
    fi
    echo "Neo4j is not running (home $HOME_DIR)"
    return 1
}

cmd_reset() {
    cmd_stop
    log "deleting $DATA_DIR and $LOGS_DIR"
    rm -rf "$DATA_DIR" "$LOGS_DIR"
}

usage() {
    sed -n '2,9p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
}

case "${1:-}" in
    install) take_lock; cmd_install; echo "Neo4j jars present in $LIB_DIR" ;;
    start) cmd_start ;;
    stop) cmd_stop ;;
    status) cmd_status ;;
    restart) (cmd_stop); cmd_start ;;
    reset) cmd_reset ;;
    -h | --help | help) usage ;;
    *) usage >&2; exit 2 ;;
esac
