#!/usr/bin/env bash
# Starts (or stops) a throwaway 3-node Redis Cluster on local ports for the adapter tests.
#   tests/cluster/redis-cluster.sh start   -> prints the seed URL (redis://127.0.0.1:PORT)
#   tests/cluster/redis-cluster.sh stop
#   tests/cluster/redis-cluster.sh stop-node PORT    (saves its data, then shuts it down)
#   tests/cluster/redis-cluster.sh start-node PORT   (starts it again with that data and its slots)
# Ports: $SK_CLUSTER_PORT (default 7101) and the next two. Data lives in a temp dir, nothing on
# disk survives `stop`; stop-node/start-node let the outage tests take one master away and back.
set -euo pipefail
base=${SK_CLUSTER_PORT:-7101}
ports=("$base" "$((base + 1))" "$((base + 2))")
dir=${SK_CLUSTER_DIR:-/tmp/sessionkeeper-cluster-$base}

stop() {
  for p in "${ports[@]}"; do
    redis-cli -p "$p" shutdown nosave >/dev/null 2>&1 || true
  done
  rm -rf "$dir"
}

node() {
  # One RDB file per node (they share $dir), written only by stop-node's SHUTDOWN SAVE.
  redis-server --port "$1" --bind 127.0.0.1 --cluster-enabled yes \
    --cluster-config-file "$dir/nodes-$1.conf" --dir "$dir" --dbfilename "dump-$1.rdb" \
    --save "" --appendonly no --daemonize yes --logfile "$dir/$1.log" >/dev/null
  for _ in $(seq 50); do redis-cli -p "$1" ping >/dev/null 2>&1 && return 0; sleep 0.1; done
  echo "node $1 did not start; see $dir/$1.log" >&2
  return 1
}

start() {
  stop
  mkdir -p "$dir"
  for p in "${ports[@]}"; do node "$p"; done
  redis-cli --cluster create "${ports[@]/#/127.0.0.1:}" --cluster-replicas 0 --cluster-yes >"$dir/create.log" 2>&1
  for _ in $(seq 100); do
    if redis-cli -p "$base" cluster info 2>/dev/null | grep -q 'cluster_state:ok'; then
      echo "redis://127.0.0.1:$base"
      return 0
    fi
    sleep 0.1
  done
  echo "cluster did not become ready; see $dir" >&2
  return 1
}

# The cluster's own state again: every node sees every slot served.
ready() {
  for _ in $(seq 100); do
    local ok=1
    for p in "${ports[@]}"; do
      redis-cli -p "$p" cluster info 2>/dev/null | grep -q 'cluster_state:ok' || ok=0
    done
    [ "$ok" = 1 ] && return 0
    sleep 0.1
  done
  echo "cluster did not recover; see $dir" >&2
  return 1
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  stop-node) redis-cli -p "$2" shutdown save >/dev/null 2>&1 || true ;;
  start-node) node "$2" && ready ;;
  *) echo "usage: $0 start|stop|stop-node PORT|start-node PORT" >&2; exit 2 ;;
esac
