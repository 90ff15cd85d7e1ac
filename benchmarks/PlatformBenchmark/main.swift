// The load scenarios of `benchmarks/run` against a running event service, auth service and
// MongoDB (the test double): claims, progress and a login storm. A benchmark, not a test:
// it prints one JSON object of figures per run and asserts nothing about speed (it does
// check exactly-once after every claims run, and says so in the JSON).
//
//   PlatformBenchmark claims   --event-url URL --mongo-uri URI --event-database DB --key-file PEM ...
//   PlatformBenchmark progress --event-url URL --mongo-uri URI --event-database DB --key-file PEM ...
//   PlatformBenchmark logins   --auth-url URL ...
//
// `--help` on each subcommand lists its options.

import ArgumentParser

/// Runs the command; inside an async function `main()` resolves to the async overload
/// (top-level code would pick the synchronous one).
func runCommand() async {
    await PlatformBenchmarkCommand.main()
}

await runCommand()
