#!/usr/bin/env bash
# Make sure a PostgreSQL server answers on 127.0.0.1:5432 with trust auth for user
# postgres and a database "test": start the local cluster, or install one.
set -euo pipefail
answers() { python3 - <<'PY'
import socket, sys
try:
    socket.create_connection(("127.0.0.1", 5432), timeout=1).close()
except OSError:
    sys.exit(1)
PY
}
wait_for_it() { for _ in $(seq 1 30); do answers && return 0; sleep 1; done; return 1; }

if ! answers; then
  if ! ls /etc/postgresql/*/main >/dev/null 2>&1; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq && apt-get install -y -qq postgresql >/dev/null
  fi
  version=$(ls /etc/postgresql | sort -V | tail -n 1)
  hba=/etc/postgresql/$version/main/pg_hba.conf
  grep -q "noiday-ci" "$hba" || sed -i "1i host all all 127.0.0.1/32 trust # noiday-ci" "$hba"
  pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  wait_for_it
fi
psql -h 127.0.0.1 -U postgres -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname='test'" | grep -q 1 \
  || psql -h 127.0.0.1 -U postgres -d postgres -c "CREATE DATABASE test" >/dev/null
