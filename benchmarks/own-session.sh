# Sourced by benchmarks/run and benchmarks/gateway: servers under test run in sessions of
# their own (`setsid`), as a daemon or a container would. With the kernel's autogroup
# scheduling (on by default) each session is scheduled as one group, so a server left in the
# script's session would share a group with the load generator.

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
