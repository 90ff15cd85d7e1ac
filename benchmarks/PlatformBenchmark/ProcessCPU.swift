import Foundation

/// CPU time a process has run, in milliseconds; `nil` when unavailable (another OS, no
/// such process).
///
/// A single-threaded process (the double runs one command at a time on one thread) is read
/// from the scheduler's `se.sum_exec_runtime` (`/proc/PID/task/TID/sched`, microsecond
/// precision). A multi-threaded one is read from `utime + stime` of `/proc/PID/stat`
/// (clock ticks, 10 ms here), which — unlike a sum over the threads alive now — still
/// counts the threads that exited meanwhile (thread pools shrink when idle).
func processCPUMilliseconds(_ pid: Int32?) -> Double? {
    guard let pid else { return nil }
    let tasks = "/proc/\(pid)/task"
    guard let threads = try? FileManager.default.contentsOfDirectory(atPath: tasks) else { return nil }
    if threads.count == 1, let runtime = schedulerRuntime("\(tasks)/\(threads[0])/sched") {
        return runtime
    }
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
        let end = stat.lastIndex(of: ")")
    else { return nil }
    // Fields after the command name: state is field 3, utime 14 and stime 15.
    let fields = stat[stat.index(after: end)...].split(separator: " ")
    guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
    let ticksPerSecond = Double(sysconf(Int32(_SC_CLK_TCK)))
    return (user + system) * 1000 / ticksPerSecond
}

/// `se.sum_exec_runtime` of one thread's `sched` file, in milliseconds.
private func schedulerRuntime(_ path: String) -> Double? {
    guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
    for line in text.split(separator: "\n") where line.hasPrefix("se.sum_exec_runtime") {
        return line.split(separator: ":").last.flatMap { Double($0.trimmingCharacters(in: .whitespaces)) }
    }
    return nil
}
