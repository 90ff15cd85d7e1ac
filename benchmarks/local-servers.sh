# Sourced by the benchmark scripts that start servers on 127.0.0.1 (after setting ROOT):
# the release GatewayBenchmark, a free port, waiting until a server answers, a server's RSS,
# nginx's temporary directories,
# and servers in sessions of their own (`setsid`), as a daemon or a container would run. With the kernel's autogroup scheduling (on by default) each session
# is scheduled as one group, so a server left in the script's session would share a group
# with the load generator.

# The path of the GatewayBenchmark of the release build benchmarks/run makes
# (.build-release), built first when missing; exits when the build fails.
release_gateway_benchmark() {
    local scratch="$ROOT/.build-release"
    local build=(swift build -c release --static-swift-stdlib --scratch-path "$scratch")
    local binary
    binary="$("${build[@]}" --show-bin-path)/GatewayBenchmark"
    if [[ ! -x "$binary" ]]; then
        echo "building GatewayBenchmark in release mode (scratch path .build-release)" >&2
        "${build[@]}" --product GatewayBenchmark >"$scratch.log" 2>&1 || { echo "build failed: $scratch.log" >&2; exit 1; }
    fi
    echo "$binary"
}

# The resident set of process PID in kB (0 once it is gone).
rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }

# A port nothing listens on now.
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

# Waits until URL answers 2xx (at most a minute); exits otherwise.
wait_for() {
    for _ in $(seq 1 600); do curl -fsS -o /dev/null "$1" 2>/dev/null && return 0; sleep 0.1; done
    echo "no answer from $1" >&2
    exit 1
}

# The PID of the server just started with `setsid CMD &` (a background job of a script is no
# process group leader, so setsid does not fork: $! is the server itself, in its own session,
# once CMD has exec'd). Exits when it is not in a session of its own.
started_in_own_session() {
    local pid=$!
    for _ in $(seq 1 100); do  # setsid(2) runs a moment after the fork
        [[ "$(awk '{print $6}' "/proc/$pid/stat" 2>/dev/null)" == "$pid" ]] && { echo "$pid"; return; }
        sleep 0.01
    done
    echo "process $pid is not in a session of its own" >&2
    exit 1
}

# nginx's temporary directories under DIR, for a configuration's http block.
nginx_temp_paths() {  # DIR
    printf '    client_body_temp_path %s/body;\n    proxy_temp_path %s/proxy;\n' "$1" "$1"
    printf '    fastcgi_temp_path %s/fastcgi;\n    uwsgi_temp_path %s/uwsgi;\n    scgi_temp_path %s/scgi;\n' "$1" "$1" "$1"
}
