import ArgumentParser

/// `skylight [--demo]`: opens the inbox.
struct InboxCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "inbox", abstract: "Open the inbox (the default).")

    @Flag(help: "Run on an embedded sandbox with demo data: no account needed.") var demo = false

    func run() async throws {
        throw ValidationError("the inbox front end is not built yet in this revision")
    }
}
