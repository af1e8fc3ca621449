public import struct Foundation.URL
import Foundation

/// The built `switchyard` executable, for tests that run it as a subprocess.
public enum SwitchyardBinary {
    /// `$SWITCHYARD_BIN`, else the `switchyard` SwiftPM built next to the running test bundle, else the package's
    /// own debug build.
    public static let url: URL = {
        if let path = ProcessInfo.processInfo.environment["SWITCHYARD_BIN"], !path.isEmpty {
            return URL(fileURLWithPath: path)
        }
        var candidates = [Bundle.main.bundleURL, Bundle.main.bundleURL.deletingLastPathComponent()]
        if let executable = Bundle.main.executableURL { candidates.append(executable.deletingLastPathComponent()) }
        for bundle in Bundle.allBundles { candidates.append(bundle.bundleURL.deletingLastPathComponent()) }
        // Fallback: the package's own debug build, found from this file's path (Sources/SwitchyardTesting/…).
        let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        candidates.append(packageRoot.appendingPathComponent(".build/debug"))
        for directory in candidates {
            let url = directory.appendingPathComponent("switchyard")
            if FileManager.default.isExecutableFile(atPath: url.path) { return url }
        }
        fatalError("cannot find the switchyard executable near \(candidates); build it or set SWITCHYARD_BIN")
    }()
}
