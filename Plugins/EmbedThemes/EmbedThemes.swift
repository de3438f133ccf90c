import Foundation
import PackagePlugin

/// Compiles the shipped `themes/*.toml` into the module that uses them, so a `skylight`
/// binary copied anywhere still has its themes; the files stay the one place they are edited.
@main
struct EmbedThemes: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let folder = context.package.directoryURL.appending(path: "themes")
        let files = try FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "toml" }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
        let output = context.pluginWorkDirectoryURL.appending(path: "ShippedThemes.swift")
        return [.buildCommand(displayName: "Embedding \(files.count) themes from themes/",
                              executable: try context.tool(named: "theme-embedder").url,
                              arguments: [output.path] + files.map(\.path),
                              inputFiles: files, outputFiles: [output])]
    }
}
