# Shared by the CI scripts that start the server: a free loopback port, and the server started in
# the background until it answers /readyz (its log printed if it never does).

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# start_server BINARY LOG BASE_URL: sets server_pid.
start_server() {
  local bin=$1 log=$2 base=$3
  "$bin" serve >"$log" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 100); do
    if python3 -c "import urllib.request, sys; urllib.request.urlopen(sys.argv[1], timeout=1)" "$base/readyz" 2>/dev/null; then
      return 0
    fi
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.2
  done
  echo "the server did not become ready; its log:" >&2
  cat "$log" >&2
  return 1
}

stop_server() {
  if [ -n "${server_pid:-}" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  server_pid=
}
