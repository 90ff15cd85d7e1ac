# Sourced by the benchmark scripts that start servers on 127.0.0.1 (after setting ROOT):
# the release GatewayBenchmark, a free port, waiting until a server answers, a server's RSS,
# nginx's temporary directories and configurations,
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

# Replaces GatewayBenchmark's upstream (on port UPSTREAM, pid UPSTREAM_PID) with nginx
# answering every request itself ({"status":"ok"}) and serving the JWK set it fetched from
# it, on a new port, printed. A cheaper upstream, so the proxies in front of it are the
# bottleneck. nginx is started by PREFIX (e.g. `taskset -c 0`), with WORKERS workers; its
# pid file is DIR/upstream-nginx.pid. Needs $NGINX.
replace_upstream_with_nginx() {  # DIR UPSTREAM UPSTREAM_PID WORKERS [PREFIX...]
    local dir=$1 old_port=$2 old_pid=$3 workers=$4 port
    shift 4
    curl -fsS "http://127.0.0.1:$old_port/.well-known/jwks.json" >"$dir/jwks.json"
    kill "$old_pid"
    port=$(free_port)
    mkdir -p "$dir/upstream-nginx"
    # keepalive_requests: nginx closes a kept-alive connection after 1,000 requests by
    # default, which would make the proxies reconnect; GatewayBenchmark's upstream does not.
    cat >"$dir/upstream-nginx.conf" <<NGINX
daemon on;
user root;
worker_processes $workers;
pid $dir/upstream-nginx.pid;
error_log $dir/upstream-nginx/error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    keepalive_requests 1000000000;
$(nginx_temp_paths "$dir/upstream-nginx")
    server {
        listen 127.0.0.1:$port;
        default_type application/json;
        location = /.well-known/jwks.json { alias $dir/jwks.json; }
        location / { return 200 '{"status":"ok"}'; }
    }
}
NGINX
    "$@" "$NGINX" -c "$dir/upstream-nginx.conf" -p "$dir/upstream-nginx" >&2
    wait_for "http://127.0.0.1:$port/health"
    echo "$port"
}

# An nginx configuration proxying 127.0.0.1:PORT to 127.0.0.1:UPSTREAM with 64 kept-alive
# upstream connections, as the gateway keeps, never closing a kept-alive connection (nginx
# closes one after 1,000 requests by default, client side and upstream side; the gateway
# never does); WORKERS workers, its files under DIR (DIR/nginx.pid).
nginx_proxy_configuration() {  # DIR PORT UPSTREAM WORKERS
    mkdir -p "$1/nginx"
    cat <<NGINX
daemon on;
user root;
worker_processes $4;
pid $1/nginx.pid;
error_log $1/nginx/error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    keepalive_requests 1000000000;
$(nginx_temp_paths "$1/nginx")
    upstream benchmark_upstream { server 127.0.0.1:$3; keepalive 64; keepalive_requests 1000000000; }
    server {
        listen 127.0.0.1:$2;
        location / {
            proxy_pass http://benchmark_upstream;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
        }
    }
}
NGINX
}
