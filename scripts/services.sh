#!/usr/bin/env bash
# Starts the local PostgreSQL and Redis this project's tests may use, when they are not already up.
# Safe to run repeatedly. Used by .ci/run; harmless on a machine where they already run.
set -u
if command -v pg_isready >/dev/null 2>&1 && ! pg_isready -h 127.0.0.1 -p 5432 -q; then
	if command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
		pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || echo "services: could not start PostgreSQL" >&2
	fi
fi
if command -v redis-cli >/dev/null 2>&1 && ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
	if command -v redis-server >/dev/null 2>&1; then
		mkdir -p /var/lib/redis /var/log/redis 2>/dev/null
		redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
			--dir /var/lib/redis --logfile /var/log/redis/ci.log || echo "services: could not start Redis" >&2
	fi
fi
for i in $(seq 1 20); do
	ok=1
	if command -v pg_isready >/dev/null 2>&1; then pg_isready -h 127.0.0.1 -p 5432 -q || ok=0; fi
	if command -v redis-cli >/dev/null 2>&1; then redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 || ok=0; fi
	[ "$ok" = 1 ] && exit 0
	sleep 0.5
done
echo "services: PostgreSQL or Redis is not answering (continuing; tests that need them will say so)" >&2
exit 0
