import ArgumentParser

/// `skylight`: the terminal inbox for SkyLight Chat, and its local sandbox server.
@main
struct SkyLightCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "skylight",
        abstract: "A terminal inbox for SkyLight Chat support agents.",
        discussion: """
        Run with no subcommand to open the inbox for the account in SKYLIGHT_API_KEY or
        ~/.config/skylight/config.toml. Try it without an account: skylight --demo
        """,
        version: "0.1.0",
        subcommands: [InboxCommand.self, SandboxCommand.self],
        defaultSubcommand: InboxCommand.self
    )
}
