#!/usr/bin/env bash
# Private development services: PostgreSQL and Redis, bound to 127.0.0.1 only.
#
#   services.sh start          idempotent; prints `export VAR=...` lines for eval
#   services.sh stop [pg] [redis]   clean shutdown (both when no names are given)
#   services.sh status
#   services.sh clean          stop both, then delete .local/ (data, passwords, logs)
#
# start: when DATABASE_URL is set it is used as given (DATABASE_OWNER_URL must be set
# too) and no PostgreSQL is started; when REDIS_URL is set no Redis is started.
# Otherwise a private server is started (or a running one reused):
#   PostgreSQL: data in .local/pg/data, port $PG_PORT (54329), socket dir .local/pg/run
#   Redis:      .local/redis, port $REDIS_PORT (63799), append-only file in
#               .local/redis/appendonlydir: queued tasks survive a restart
# EPEP_STARTED_SERVICES lists what this call started (not reused, not user-given), so the
# caller can stop exactly those: `services.sh stop $EPEP_STARTED_SERVICES`.
#
# All progress goes to stderr; stdout carries only the export lines.
set -euo pipefail
. "$(dirname "$0")/_common.sh"

PG_PORT="${PG_PORT:-54329}"
REDIS_PORT="${REDIS_PORT:-63799}"
PG_DB=epep
PG_OWNER=epep_owner
PG_APP=epep_app
SECRETS="$LOCAL/secrets.env"
REDIS_DIR="$LOCAL/redis"
REDIS_PIDFILE="$REDIS_DIR/redis.pid"
REDIS_PORTFILE="$REDIS_DIR/port"

# A short, stable id of this checkout, for paths outside it.
REPO_ID="$(printf '%s' "$ROOT" | cksum | cut -d' ' -f1)"
# Used only when running as root and the `postgres` OS user cannot traverse the
# checkout's parent folders (e.g. a checkout under /root, mode 700): the cluster then
# lives in /var/tmp instead of .local/pg. We never loosen permissions of parent folders.
PG_ALT_BASE="/var/tmp/epep-pg-$REPO_ID"

# ---------------------------------------------------------------- helpers

port_in_use() { (: <"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

lock() {
    mkdir -p "$LOCAL"
    if command -v flock >/dev/null 2>&1; then
        exec 9>"$LOCAL/.services.lock"
        flock -w 300 9 || die "timed out waiting for another services.sh (lock $LOCAL/.services.lock)"
    fi
}

# ---------------------------------------------------------------- PostgreSQL

# OS user that runs PostgreSQL: `postgres` when we are root (initdb/pg_ctl refuse root),
# otherwise the current user.
PG_OSUSER=""
if is_root; then PG_OSUSER="${PG_OSUSER_OVERRIDE:-postgres}"; fi

as_pg() {
    if is_root; then
        (cd / && runuser -u "$PG_OSUSER" -- "$@")
    else
        "$@"
    fi
}

ensure_pg_osuser() {
    is_root || return 0
    id "$PG_OSUSER" >/dev/null 2>&1 && return 0
    log "creating system user '$PG_OSUSER' to run PostgreSQL (initdb refuses root)"
    useradd --system --user-group --no-create-home --home-dir /nonexistent \
        --shell /usr/sbin/nologin "$PG_OSUSER"
}

pg_user_can_reach() { as_pg test -x "$1" 2>/dev/null; }

# Sets PG_BASE, PG_DATA, PG_SOCK, PG_LOG.
resolve_pg_paths() {
    if [ -d "$LOCAL/pg/data" ]; then
        PG_BASE="$LOCAL/pg"
    elif [ -d "$PG_ALT_BASE/data" ]; then
        PG_BASE="$PG_ALT_BASE"
    elif is_root && id "$PG_OSUSER" >/dev/null 2>&1; then
        mkdir -p "$LOCAL"
        chmod go+x "$LOCAL"
        if pg_user_can_reach "$LOCAL"; then
            PG_BASE="$LOCAL/pg"
        else
            warn "OS user '$PG_OSUSER' cannot traverse the folders above $ROOT;"
            warn "putting the PostgreSQL cluster in $PG_ALT_BASE instead of .local/pg"
            PG_BASE="$PG_ALT_BASE"
        fi
    else
        PG_BASE="$LOCAL/pg"
    fi
    PG_DATA="$PG_BASE/data"
    PG_LOG="$PG_BASE/postgres.log"
    PG_SOCK="$PG_BASE/run"
    # Unix socket paths are limited to ~107 bytes; use a short folder if needed.
    if [ $((${#PG_SOCK} + 20)) -gt 100 ]; then
        PG_SOCK="/tmp/epep-pgsock-$REPO_ID-$(id -u)"
    fi
}

has_pg_bins() { [ -x "$1/initdb" ] && [ -x "$1/pg_ctl" ] && [ -x "$1/postgres" ]; }

pgserver_bindir() {
    [ -x "$VENV/bin/python" ] || return 1
    "$VENV/bin/python" - 2>/dev/null <<'PY'
import pathlib, pgserver
print(pathlib.Path(pgserver.__file__).parent / "pginstall" / "bin")
PY
}

# Sets PG_BIN (folder with initdb, pg_ctl, postgres) from what is installed.
search_pg_bin() {
    local d p
    PG_BIN=""
    if [ -n "${PG_BIN_DIR:-}" ] && has_pg_bins "$PG_BIN_DIR"; then PG_BIN="$PG_BIN_DIR"; return 0; fi
    if p="$(command -v pg_ctl 2>/dev/null)"; then
        d="$(dirname "$(readlink -f "$p")")"
        has_pg_bins "$d" && { PG_BIN="$d"; return 0; }
    fi
    if command -v pg_config >/dev/null 2>&1; then
        d="$(pg_config --bindir 2>/dev/null || true)"
        [ -n "$d" ] && has_pg_bins "$d" && { PG_BIN="$d"; return 0; }
    fi
    while IFS= read -r d; do
        [ -n "$d" ] && has_pg_bins "$d" && { PG_BIN="$d"; return 0; }
    done < <(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -rV)
    if d="$(pgserver_bindir)" && has_pg_bins "$d"; then PG_BIN="$d"; return 0; fi
    return 1
}

# Sets PG_BIN and PSQL. With "install", missing server binaries are installed: as root
# with apt-get (Debian's postgresql), otherwise, or if that fails, `pip install pgserver`
# into .venv (its wheel bundles PostgreSQL; binaries in site-packages/pgserver/pginstall/bin).
find_pg_bin() {
    if ! search_pg_bin; then
        [ "${1:-}" = install ] || return 1
        if ! { apt_install postgresql && search_pg_bin; }; then
            log "PostgreSQL server binaries not found: pip install pgserver into .venv"
            bash "$ROOT/scripts/venv.sh"
            "$VENV/bin/python" -m pip install -q --disable-pip-version-check pgserver >&2 ||
                die "could not install pgserver; install PostgreSQL (initdb, pg_ctl) or set DATABASE_URL"
            search_pg_bin || die "PostgreSQL server binaries (initdb, pg_ctl) not found"
        fi
    fi
    if [ -x "$PG_BIN/psql" ]; then
        PSQL="$PG_BIN/psql"
    else
        PSQL="$(command -v psql)" || die "psql not found"
    fi
}

# Pid of the running postmaster for $PG_DATA, if any.
pg_pid() {
    local f="$PG_DATA/postmaster.pid" pid
    [ -f "$f" ] || return 1
    pid="$(head -n1 "$f" 2>/dev/null)" || return 1
    [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
    # Guard against a stale pid file (e.g. after a reboot) whose pid is now another program.
    if command -v ps >/dev/null 2>&1; then
        ps -p "$pid" -o comm= 2>/dev/null | grep -q postgres || return 1
    fi
    printf '%s\n' "$pid"
}
pg_running_port() { sed -n 4p "$PG_DATA/postmaster.pid" 2>/dev/null; }
pg_running_sock() { sed -n 5p "$PG_DATA/postmaster.pid" 2>/dev/null; }

load_secrets() {
    mkdir -p "$LOCAL"
    if [ ! -s "$SECRETS" ]; then
        log "generating dev-only database passwords in .local/secrets.env"
        (
            umask 077
            {
                echo "# Dev-only passwords for the private PostgreSQL (generated; not committed)."
                echo "EPEP_PG_OWNER_PASSWORD=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
                echo "EPEP_PG_APP_PASSWORD=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
            } >"$SECRETS"
        )
    fi
    # shellcheck disable=SC1090
    . "$SECRETS"
    [ -n "${EPEP_PG_OWNER_PASSWORD:-}" ] && [ -n "${EPEP_PG_APP_PASSWORD:-}" ] ||
        die "$SECRETS is incomplete: delete it (and .local/pg) and start again"
}

pg_prepare_dirs() {
    mkdir -p "$PG_BASE" "$PG_SOCK"
    if is_root; then chown "$PG_OSUSER:" "$PG_BASE" "$PG_SOCK"; fi
    chmod 700 "$PG_BASE" "$PG_SOCK"
    if is_root && ! as_pg test -w "$PG_BASE"; then
        die "OS user '$PG_OSUSER' cannot write $PG_BASE (check permissions of its parent folders)"
    fi
}

pg_initdb() {
    log "initdb: new PostgreSQL cluster in $PG_DATA ($("$PG_BIN/postgres" --version))"
    as_pg "$PG_BIN/initdb" -D "$PG_DATA" -U postgres -E UTF8 --locale=C \
        --auth-local=trust --auth-host=scram-sha-256 >"$LOCAL/initdb.log" 2>&1 ||
        { cat "$LOCAL/initdb.log" >&2; die "initdb failed"; }
}

pg_start_server() {
    if port_in_use "$PG_PORT"; then
        die "port $PG_PORT is already in use by another program: set PG_PORT to a free port"
    fi
    log "starting PostgreSQL on 127.0.0.1:$PG_PORT (log: $PG_LOG)"
    # A disposable dev cluster: durability settings are off for speed (tests create a
    # database each run). Unix socket only for its OS user; TCP needs a password.
    if ! as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$PG_LOG" -w -t 60 -o \
        "-p $PG_PORT -k '$PG_SOCK' -c listen_addresses=127.0.0.1 -c unix_socket_permissions=0700 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
        start >/dev/null 9>&-; then
        tail -n 20 "$PG_LOG" >&2 || true
        die "PostgreSQL did not start (see $PG_LOG)"
    fi
}

# Roles and database, idempotently. Run as the superuser over the unix socket.
pg_bootstrap() {
    local port="$1" sock="$2"
    as_pg "$PSQL" -X -q -h "$sock" -p "$port" -U postgres -d postgres >/dev/null <<SQL
\\set ON_ERROR_STOP on
\\set owner_pw '$EPEP_PG_OWNER_PASSWORD'
\\set app_pw '$EPEP_PG_APP_PASSWORD'
SELECT NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '$PG_OWNER') AS need_owner \\gset
\\if :need_owner
CREATE ROLE $PG_OWNER;
\\endif
ALTER ROLE $PG_OWNER WITH LOGIN CREATEDB NOSUPERUSER NOCREATEROLE NOREPLICATION NOBYPASSRLS
    PASSWORD :'owner_pw';
SELECT NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '$PG_APP') AS need_app \\gset
\\if :need_app
CREATE ROLE $PG_APP;
\\endif
ALTER ROLE $PG_APP WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS
    PASSWORD :'app_pw';
-- The application role must never be a member of the owner role (INHERIT would bypass RLS).
SELECT EXISTS (
    SELECT 1 FROM pg_auth_members m
    JOIN pg_roles r ON r.oid = m.roleid JOIN pg_roles u ON u.oid = m.member
    WHERE r.rolname = '$PG_OWNER' AND u.rolname = '$PG_APP'
) AS app_in_owner \\gset
\\if :app_in_owner
REVOKE $PG_OWNER FROM $PG_APP;
\\endif
SELECT NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = '$PG_DB') AS need_db \\gset
\\if :need_db
CREATE DATABASE $PG_DB OWNER $PG_OWNER;
\\endif
ALTER DATABASE $PG_DB OWNER TO $PG_OWNER;
\\connect $PG_DB
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO $PG_APP;
-- Databases Django creates (test_epep, from template1) get the same schema rights.
\\connect template1
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO $PG_APP;
SQL
}

# Prints the port of the (now) running private server; sets PG_STARTED=1 if started here.
PG_STARTED=0
pg_start() {
    find_pg_bin install
    ensure_pg_osuser
    resolve_pg_paths
    local port sock
    if pg_pid >/dev/null; then
        port="$(pg_running_port)"
        sock="$(pg_running_sock)"
        [ "$port" = "$PG_PORT" ] ||
            warn "private PostgreSQL is already running on port $port (not PG_PORT=$PG_PORT): reusing it"
        log "reusing running PostgreSQL on 127.0.0.1:$port"
    else
        pg_prepare_dirs
        [ -f "$PG_DATA/PG_VERSION" ] || pg_initdb
        if [ -f "$PG_DATA/postmaster.pid" ]; then
            # Not running (checked above): a leftover from a crash or reboot.
            warn "removing stale $PG_DATA/postmaster.pid"
            rm -f "$PG_DATA/postmaster.pid" "$PG_SOCK"/.s.PGSQL.*
        fi
        pg_start_server
        PG_STARTED=1
        port="$PG_PORT"
        sock="$PG_SOCK"
    fi
    load_secrets
    pg_bootstrap "$port" "$sock" || die "could not create the roles/database in the private PostgreSQL"
    PG_RUN_PORT="$port"
}

pg_stop() {
    resolve_pg_paths
    local pid
    pid="$(pg_pid)" || { log "PostgreSQL: not running"; return 0; }
    log "stopping PostgreSQL (pid $pid)"
    if find_pg_bin; then
        as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast -w -t 60 stop >/dev/null ||
            warn "pg_ctl stop failed"
    else
        kill -INT "$pid" 2>/dev/null || true # SIGINT = fast shutdown
        for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    fi
}

pg_status() {
    resolve_pg_paths
    local pid
    if pid="$(pg_pid)"; then
        echo "postgres: running (pid $pid) on 127.0.0.1:$(pg_running_port), data $PG_DATA"
    else
        echo "postgres: stopped (data $PG_DATA)"
    fi
}

# ---------------------------------------------------------------- Redis

redis_pid() {
    local pid
    [ -f "$REDIS_PIDFILE" ] || return 1
    pid="$(cat "$REDIS_PIDFILE" 2>/dev/null)"
    [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
    # Guard against a stale pid file whose pid now belongs to another program.
    if command -v ps >/dev/null 2>&1; then
        ps -p "$pid" -o comm= 2>/dev/null | grep -q redis || return 1
    fi
    printf '%s\n' "$pid"
}

REDIS_STARTED=0
redis_start() {
    local port pid
    if redis_pid >/dev/null; then
        port="$(cat "$REDIS_PORTFILE" 2>/dev/null || echo "$REDIS_PORT")"
        [ "$port" = "$REDIS_PORT" ] ||
            warn "private Redis is already running on port $port (not REDIS_PORT=$REDIS_PORT): reusing it"
        log "reusing running Redis on 127.0.0.1:$port"
        REDIS_RUN_PORT="$port"
        return 0
    fi
    if ! command -v redis-server >/dev/null 2>&1; then
        apt_install redis-server ||
            die "redis-server not found: install Redis (e.g. apt-get install redis-server) or set REDIS_URL"
    fi
    if port_in_use "$REDIS_PORT"; then
        die "port $REDIS_PORT is already in use by another program: set REDIS_PORT to a free port"
    fi
    mkdir -p "$REDIS_DIR"
    rm -f "$REDIS_PIDFILE"
    log "starting Redis on 127.0.0.1:$REDIS_PORT (log: $REDIS_DIR/redis.log)"
    # The broker's queue must survive a restart (docs/operations.md): append-only file,
    # fsync every second, no snapshots; never evict a queued task.
    redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly yes \
        --appendfsync everysec --maxmemory-policy noeviction \
        --dir "$REDIS_DIR" --daemonize yes --pidfile "$REDIS_PIDFILE" \
        --logfile "$REDIS_DIR/redis.log" >&2 9>&- || die "redis-server failed to start"
    echo "$REDIS_PORT" >"$REDIS_PORTFILE"
    REDIS_STARTED=1
    for _ in $(seq 1 100); do
        if command -v redis-cli >/dev/null 2>&1; then
            [ "$(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null)" = PONG ] && break
        else
            port_in_use "$REDIS_PORT" && break
        fi
        sleep 0.1
    done
    pid="$(redis_pid)" || { tail -n 20 "$REDIS_DIR/redis.log" >&2 || true; die "Redis did not start"; }
    REDIS_RUN_PORT="$REDIS_PORT"
}

redis_stop() {
    local pid port
    pid="$(redis_pid)" || { log "Redis: not running"; rm -f "$REDIS_PIDFILE"; return 0; }
    port="$(cat "$REDIS_PORTFILE" 2>/dev/null || echo "$REDIS_PORT")"
    log "stopping Redis (pid $pid, port $port)"
    if command -v redis-cli >/dev/null 2>&1; then
        # Flushes the append-only file; no snapshot is configured, so none is written.
        redis-cli -h 127.0.0.1 -p "$port" shutdown >/dev/null 2>&1 || true
    else
        kill -TERM "$pid" 2>/dev/null || true
    fi
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then
        warn "Redis did not stop; sending SIGTERM"
        kill -TERM "$pid" 2>/dev/null || true
    fi
    rm -f "$REDIS_PIDFILE"
}

redis_status() {
    local pid
    if pid="$(redis_pid)"; then
        echo "redis:    running (pid $pid) on 127.0.0.1:$(cat "$REDIS_PORTFILE" 2>/dev/null || echo '?')"
    else
        echo "redis:    stopped"
    fi
}

# ---------------------------------------------------------------- commands

emit() { printf 'export %s=%q\n' "$1" "$2"; }

cmd_start() {
    lock
    local started=() db_url owner_url redis_url
    START_OK=0
    # If something fails half-way, stop what this call started.
    trap '[ "$START_OK" = 1 ] || { [ "$REDIS_STARTED" = 1 ] && redis_stop; [ "$PG_STARTED" = 1 ] && pg_stop; } || true' EXIT

    if [ -n "${DATABASE_URL:-}" ]; then
        [ -n "${DATABASE_OWNER_URL:-}" ] ||
            die "DATABASE_URL is set but DATABASE_OWNER_URL is not. Set both (application role and table-owner role), or neither to use the private PostgreSQL."
        log "using DATABASE_URL / DATABASE_OWNER_URL from the environment (no private PostgreSQL)"
        db_url="$DATABASE_URL"
        owner_url="$DATABASE_OWNER_URL"
    else
        [ -z "${DATABASE_OWNER_URL:-}" ] ||
            die "DATABASE_OWNER_URL is set but DATABASE_URL is not. Set both, or neither to use the private PostgreSQL."
        pg_start
        [ "$PG_STARTED" = 1 ] && started+=(pg)
        db_url="postgres://$PG_APP:$EPEP_PG_APP_PASSWORD@127.0.0.1:$PG_RUN_PORT/$PG_DB"
        owner_url="postgres://$PG_OWNER:$EPEP_PG_OWNER_PASSWORD@127.0.0.1:$PG_RUN_PORT/$PG_DB"
    fi

    if [ -n "${REDIS_URL:-}" ]; then
        log "using REDIS_URL from the environment (no private Redis)"
        redis_url="$REDIS_URL"
    else
        redis_start
        [ "$REDIS_STARTED" = 1 ] && started+=(redis)
        redis_url="redis://127.0.0.1:$REDIS_RUN_PORT/0"
    fi

    emit DATABASE_URL "$db_url"
    emit DATABASE_OWNER_URL "$owner_url"
    emit REDIS_URL "$redis_url"
    emit EPEP_STARTED_SERVICES "${started[*]:-}"
    START_OK=1
}

cmd_stop() {
    lock
    local which=("$@")
    [ ${#which[@]} -gt 0 ] || which=(pg redis)
    for s in "${which[@]}"; do
        case "$s" in
            pg | postgres) pg_stop ;;
            redis) redis_stop ;;
            "") ;;
            *) die "unknown service '$s' (expected pg or redis)" ;;
        esac
    done
}

cmd_status() {
    pg_status
    redis_status
}

cmd_clean() {
    cmd_stop pg redis
    resolve_pg_paths
    log "removing .local/ (private database data, passwords, logs)"
    rm -rf -- "$LOCAL"
    [ -d "$PG_ALT_BASE" ] && rm -rf -- "$PG_ALT_BASE"
    rm -rf -- "/tmp/epep-pgsock-$REPO_ID-$(id -u)"
}

case "${1:-}" in
    start) shift; cmd_start "$@" ;;
    stop) shift; cmd_stop "$@" ;;
    status) shift; cmd_status ;;
    clean) shift; cmd_clean ;;
    *) echo "usage: $0 start | stop [pg] [redis] | status | clean" >&2; exit 2 ;;
esac
