import ArgumentParser

/// `--port`, overriding the service's port variable.
struct PortOption: ParsableArguments {
    @Option(help: "The port to listen on (0 = any free port); overrides the environment.")
    var port: Int?

    func validate() throws {
        if let port, !(0...65535).contains(port) {
            throw ValidationError("--port must be 0…65535")
        }
    }
}
