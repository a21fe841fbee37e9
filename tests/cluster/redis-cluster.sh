#!/usr/bin/env bash
# Starts (or stops) a throwaway 3-node Redis Cluster on local ports for the adapter tests.
#   tests/cluster/redis-cluster.sh start   -> prints the seed URL (redis://127.0.0.1:PORT)
#   tests/cluster/redis-cluster.sh stop
# Ports: $SK_CLUSTER_PORT (default 7101) and the next two. Data lives in a temp dir, nothing on disk survives.
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

start() {
  stop
  mkdir -p "$dir"
  for p in "${ports[@]}"; do
    redis-server --port "$p" --bind 127.0.0.1 --cluster-enabled yes \
      --cluster-config-file "$dir/nodes-$p.conf" --dir "$dir" --save "" --appendonly no \
      --daemonize yes --logfile "$dir/$p.log" >/dev/null
  done
  for p in "${ports[@]}"; do
    for _ in $(seq 50); do redis-cli -p "$p" ping >/dev/null 2>&1 && break; sleep 0.1; done
  done
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

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
