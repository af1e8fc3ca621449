import Foundation
import PackagePlugin

/// Embeds the package's migrations into generated Swift source, so the built binary carries its schema and can
/// migrate a new database with no source tree beside it: `migrations/*.sql` (SQLite) for most targets,
/// `migrations/<folder>/*.sql` for a target named in ``folders``.
@main
struct EmbedMigrations: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: any Target) throws -> [Command] {
        var migrationsDirectory = context.package.directoryURL.appending(path: "migrations")
        if let folder = Self.folders[target.name] { migrationsDirectory.append(path: folder) }
        let files = try FileManager.default
            .contentsOfDirectory(at: migrationsDirectory, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "sql" }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
        let output = context.pluginWorkDirectoryURL.appending(path: "EmbeddedMigrations.swift")
        return [
            .buildCommand(
                displayName: "Embedding \(files.count) migration(s)",
                executable: try context.tool(named: "EmbedMigrationsTool").url,
                arguments: [output.path()] + files.map { $0.path() },
                inputFiles: files,
                outputFiles: [output]
            )
        ]
    }

    /// The migrations folder of each target whose engine is not SQLite.
    static let folders = ["SwitchyardPostgres": "postgres"]
}
