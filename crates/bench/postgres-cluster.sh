#!/bin/bash
# Several servers on one PostgreSQL database (BENCHMARKS.md, "Several servers on PostgreSQL"):
# for N = 1, 2, 3 trailstack servers on one fresh database behind nginx (one worker, keep-alive
# upstreams), the bench's scenarios against nginx's endpoint, with a trailstack on SQLite,
# started by the bench, in the same run. Needs nginx and a release build; run it with a
# throw-away cluster (TRAILSTACK_CI_PG_FSYNC=on for writes as durable as SQLite's):
#   cargo build --release -p trailstack-server -p trailstack-bench
#   TRAILSTACK_CI_PG_FSYNC=on .ci/with-postgres crates/bench/postgres-cluster.sh
set -u
cd "$(dirname "$0")/../.."
BIN=$PWD/target/release/trailstack
BENCH=$PWD/target/release/trailstack-bench
base=${TRAILSTACK_TEST_DATABASE%/postgres}
W=/tmp/pgb; rm -rf $W; mkdir -p $W
head -c 32 /dev/urandom > $W/root.key; chmod 600 $W/root.key
SCEN=${SCEN:-put-1k,get-1k,head-1k,list-1000,kms-encrypt-1k,put-1g,get-1g}
for N in 1 2 3; do
  psql -q "$TRAILSTACK_TEST_DATABASE" -c "CREATE DATABASE b$N" >/dev/null
  pids=(); ups=""
  for i in $(seq 1 $N); do
    port=$((7100 + 10*N + i))
    $BIN serve --listen 127.0.0.1:$port --data-dir $W/n$N-$i --database "$base/b$N" \
      --root-key-file $W/root.key --delivery-interval 24h --access-log-interval 24h > $W/n$N-$i.log 2>&1 &
    pids+=($!); ups="$ups server 127.0.0.1:$port;"
    sleep 2
  done
  cat > $W/nginx-$N.conf <<NG
worker_processes 1; pid $W/nginx-$N.pid; error_log $W/nginx-$N.err;
events { worker_connections 4096; }
http { access_log off; upstream ts { $ups keepalive 128; }
  server { listen 127.0.0.1:7000; client_max_body_size 0; proxy_request_buffering off; proxy_buffering off;
    location / { proxy_pass http://ts; proxy_set_header Host \$host:\$server_port; proxy_http_version 1.1; proxy_set_header Connection ""; } } }
NG
  nginx -c $W/nginx-$N.conf
  sleep 1
  echo "### $N server(s) on PostgreSQL behind nginx"
  $BENCH run --targets ${TARGETS:-trailstack} --endpoint http://127.0.0.1:7000 --scenarios $SCEN --duration 4 --rounds 2 --warmup 1 \
    --big-mib ${BIG_MIB:-256} --big-requests 2 --big-rounds 2 2>&1 | tail -80
  nginx -c $W/nginx-$N.conf -s stop
  kill ${pids[@]}; wait ${pids[@]} 2>/dev/null
done
