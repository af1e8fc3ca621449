import ArgumentParser
import SwitchyardServer

/// `switchyard config keys`: every configuration key with its default and meaning.
struct ConfigKeysCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys",
        abstract: "List every configuration key with its default and meaning (Markdown).",
        discussion: """
            The same tables as the reference in docs/configuration.md, made from the declarations that read the file.
            """)

    func run() throws {
        print(SwitchyardConfig.referenceMarkdown(), terminator: "")
    }
}
