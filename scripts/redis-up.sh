#!/usr/bin/env bash
# Make sure Redis answers on 127.0.0.1:6379 (shared rate-limit storage): start it, or install it.
set -euo pipefail
answers() { python3 -c "import socket; socket.create_connection(('127.0.0.1', 6379), timeout=1).close()" 2>/dev/null; }
answers && exit 0
if ! command -v redis-server >/dev/null; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq redis-server >/dev/null
fi
mkdir -p /var/lib/redis /var/log/redis
redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no \
  --dir /var/lib/redis --logfile /var/log/redis/ci.log
for _ in $(seq 1 20); do answers && exit 0; sleep 0.5; done
echo "Redis did not start" >&2
exit 1
