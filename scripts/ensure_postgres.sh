#!/usr/bin/env bash
# Make sure a local PostgreSQL is running for the dbt project's tests and print its settings.
#
# Idempotent and quick when everything is already up:
#   * installs Debian's `postgresql` package when no server binaries are present;
#   * creates (once) a dedicated cluster named $CONFLUENCE_PG_CLUSTER that listens only on
#     127.0.0.1:$CONFLUENCE_PG_PORT (other clusters on the machine are left alone);
#   * starts it through pg_ctlcluster (the server runs as the `postgres` user, never as root);
#   * creates the login role and the database used by dbt.
#
# Output: `export NAME=value` lines on stdout (everything else goes to stderr), so that
#   eval "$(scripts/ensure_postgres.sh)"
# sets CONFLUENCE_PG_HOST/PORT/USER/PASSWORD/DBNAME for dbt_project/profiles.yml.
#
# Settings (environment, all optional):
#   CONFLUENCE_PG_PORT      port of the dedicated cluster (default 54329)
#   CONFLUENCE_PG_USER      role to create (default confluence)
#   CONFLUENCE_PG_PASSWORD  its password (default confluence)
#   CONFLUENCE_PG_DBNAME    database to create (default confluence_dbt)
#   CONFLUENCE_PG_CLUSTER   cluster name (default confluence_dbt)
set -euo pipefail

PORT="${CONFLUENCE_PG_PORT:-54329}"
PG_USER="${CONFLUENCE_PG_USER:-confluence}"
PG_PASSWORD="${CONFLUENCE_PG_PASSWORD:-confluence}"
PG_DB="${CONFLUENCE_PG_DBNAME:-confluence_dbt}"
CLUSTER="${CONFLUENCE_PG_CLUSTER:-confluence_dbt}"
HOST=127.0.0.1

log() { echo "ensure_postgres: $*" >&2; }

print_settings() {
    echo "export CONFLUENCE_PG_HOST=${HOST}"
    echo "export CONFLUENCE_PG_PORT=${PORT}"
    echo "export CONFLUENCE_PG_USER=${PG_USER}"
    echo "export CONFLUENCE_PG_PASSWORD=${PG_PASSWORD}"
    echo "export CONFLUENCE_PG_DBNAME=${PG_DB}"
}

can_login() {
    command -v psql >/dev/null 2>&1 || return 1
    PGPASSWORD="$PG_PASSWORD" PGCONNECT_TIMEOUT=3 psql -X -q -h "$HOST" -p "$PORT" -U "$PG_USER" \
        -d "$PG_DB" -tAc 'select 1' >/dev/null 2>&1
}

# Fast path: already running and set up.
if can_login; then
    print_settings
    exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
    SUDO=sudo
else
    SUDO=
fi

# Serialise concurrent callers (two test sessions starting at once).
LOCK_FILE=/tmp/ensure_postgres_${CLUSTER}.lock
exec 9>"$LOCK_FILE"
if command -v flock >/dev/null 2>&1; then
    flock -w 300 9
fi
if can_login; then
    print_settings
    exit 0
fi

pg_version() {
    ls /usr/lib/postgresql 2>/dev/null | sort -V | tail -n 1
}

if [ -z "$(pg_version)" ] || ! command -v pg_ctlcluster >/dev/null 2>&1; then
    log "installing Debian's postgresql package"
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update >&2
    $SUDO apt-get install -y postgresql >&2
fi
VERSION="$(pg_version)"
if [ -z "$VERSION" ]; then
    log "no PostgreSQL server found after installation"
    exit 1
fi

# Create the dedicated cluster once.
if ! pg_lsclusters -h 2>/dev/null | awk '{print $1" "$2}' | grep -qx "$VERSION $CLUSTER"; then
    log "creating cluster $VERSION/$CLUSTER on 127.0.0.1:$PORT"
    $SUDO pg_createcluster "$VERSION" "$CLUSTER" -p "$PORT" -- --auth-local=peer --auth-host=scram-sha-256 >&2
fi
CONF_DIR="/etc/postgresql/$VERSION/$CLUSTER"
# Listen on loopback only, on our port; small footprint for a test server.
$SUDO tee "$CONF_DIR/conf.d/confluence_dbt.conf" >/dev/null <<CONF
listen_addresses = '127.0.0.1'
port = $PORT
max_connections = 50
shared_buffers = 64MB
fsync = off
synchronous_commit = off
full_page_writes = off
CONF

STATUS="$(pg_lsclusters -h | awk -v v="$VERSION" -v c="$CLUSTER" '$1==v && $2==c {print $4}')"
if [ "$STATUS" != "online" ]; then
    log "starting cluster $VERSION/$CLUSTER"
    # The server refuses to run as root: pg_ctlcluster switches to the cluster owner (postgres).
    if ! $SUDO pg_ctlcluster "$VERSION" "$CLUSTER" start >&2; then
        log "start failed; log follows"
        $SUDO tail -n 40 "/var/log/postgresql/postgresql-$VERSION-$CLUSTER.log" >&2 || true
        exit 1
    fi
fi

# Wait until it accepts connections.
for _ in $(seq 1 60); do
    if pg_isready -q -h "$HOST" -p "$PORT"; then
        break
    fi
    sleep 0.5
done
if ! pg_isready -q -h "$HOST" -p "$PORT"; then
    log "server on $HOST:$PORT did not become ready"
    exit 1
fi

as_postgres() {
    if [ "$(id -un)" = postgres ]; then
        "$@"
    elif [ "$(id -u)" -eq 0 ]; then
        runuser -u postgres -- "$@"
    else
        sudo -u postgres "$@"
    fi
}
psql_admin() {
    # Unix socket + peer auth as the postgres superuser.
    as_postgres psql -X -q -p "$PORT" -v ON_ERROR_STOP=1 "$@"
}

ROLE_EXISTS="$(psql_admin -d postgres -tAc "select 1 from pg_roles where rolname = '${PG_USER}'")"
if [ "$ROLE_EXISTS" != "1" ]; then
    log "creating role $PG_USER"
    psql_admin -d postgres -c "create role \"${PG_USER}\" login createdb password '${PG_PASSWORD}'" >&2
else
    psql_admin -d postgres -c "alter role \"${PG_USER}\" login createdb password '${PG_PASSWORD}'" >&2
fi
DB_EXISTS="$(psql_admin -d postgres -tAc "select 1 from pg_database where datname = '${PG_DB}'")"
if [ "$DB_EXISTS" != "1" ]; then
    log "creating database $PG_DB"
    psql_admin -d postgres -c "create database \"${PG_DB}\" owner \"${PG_USER}\"" >&2
fi

if ! can_login; then
    log "cannot log in as $PG_USER on $HOST:$PORT/$PG_DB"
    exit 1
fi
print_settings
