import ArgumentParser
import Logging
import SwitchyardServer

/// `switchyard serve`: runs the HTTP service until SIGTERM or SIGINT.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the HTTP service until SIGTERM or SIGINT.",
        discussion: """
            Serves the OpenAI-compatible API (POST /v1/chat/completions), the simple API (POST /chat/completions), \
            /healthz, /metrics and the admin endpoints. With no configuration it runs the built-in demo: four \
            simulated providers, no network, no API keys, on 127.0.0.1:8080 with ./switchyard.sqlite.

            On SIGTERM or SIGINT it stops accepting connections, finishes the requests in flight, commits the \
            ledger and exits 0.

            Admin endpoints (reports, budgets, /simulate/failure) answer without a key only on a loopback \
            address; on 0.0.0.0 set server.admin_key_env in the configuration and export that variable.

            Examples:
              switchyard serve
              switchyard serve --config switchyard.yaml --db /data/switchyard.sqlite
              switchyard serve --host 0.0.0.0 --port 9000
              curl -s localhost:8080/chat/completions -d '{"prompt": "hello"}'
            """)

    @OptionGroup var options: ConfigOptions

    @Option(
        help: ArgumentHelp(
            "Address to listen on (default: the configuration's server.host, 127.0.0.1).", valueName: "address"))
    var host: String?

    @Option(
        help: ArgumentHelp("Port to listen on; 0 picks a free one (default: server.port, 8080).", valueName: "port"))
    var port: Int?

    @Option(
        name: .customLong("log-level"),
        help: ArgumentHelp(
            "Lowest level logged to stderr. The default, notice, logs the start-up line, warnings and errors; info "
                + "and below add the HTTP server's own messages.",
            valueName: "level"))
    var logLevel: LogLevelArgument = .notice

    func validate() throws {
        if let port, !(0...65_535).contains(port) {
            throw ValidationError("--port must be between 0 and 65535, not \(port)")
        }
        if let host, host.isEmpty { throw ValidationError("--host must not be empty") }
    }

    func run() async throws {
        var (config, source) = try options.resolve()
        if let host { config.server.host = host }
        if let port { config.server.port = port }
        var logger = Logger(label: "switchyard")
        logger.logLevel = logLevel.level
        let log = logger
        let configSource = source
        let shownHost = config.server.host.contains(":") ? "[\(config.server.host)]" : config.server.host
        let database = config.database.location
        try await SwitchyardRuntime.withRuntime(config: config, logger: logger) { runtime in
            try await runtime.run { port in
                log.notice(
                    "listening on http://\(shownHost):\(port) (config: \(configSource); database: \(database))")
            }
        }
    }
}
