# Start a throwaway PostgreSQL cluster on loopback for the tests; source this file, then the tests read
# EGOVINDEX_TEST_POSTGRES_URL. Installs Debian's postgresql package when it is missing. The cluster trusts
# connections from 127.0.0.1 only and lives in a temporary folder that is removed when the shell exits.
start_test_postgres() {
  if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  fi
  local bin port
  bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  PG_TEST_DIR=$(mktemp -d /tmp/egovindex-pg.XXXXXX)
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
  local as=""
  if [ "$(id -u)" = "0" ]; then
    chown postgres "$PG_TEST_DIR"
    as="su postgres -s /bin/sh -c"
  else
    as="sh -c"
  fi
  $as "$bin/initdb -D $PG_TEST_DIR/data -A trust -U postgres -E UTF8 >/dev/null"
  $as "$bin/pg_ctl -D $PG_TEST_DIR/data -l $PG_TEST_DIR/log -w -o '-c listen_addresses=127.0.0.1 -p $port -k $PG_TEST_DIR -c max_connections=100' start >/dev/null"
  $as "$bin/createdb -h 127.0.0.1 -p $port -U postgres egovindex_test"
  export EGOVINDEX_TEST_POSTGRES_URL="postgresql+psycopg://postgres@127.0.0.1:$port/egovindex_test"
  PG_TEST_STOP="$as \"$bin/pg_ctl -D $PG_TEST_DIR/data -m fast -w stop >/dev/null\"; rm -rf $PG_TEST_DIR"
  trap 'eval "$PG_TEST_STOP"' EXIT
  echo "PostgreSQL for the tests on 127.0.0.1:$port"
}
