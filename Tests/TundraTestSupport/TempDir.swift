import Foundation

/// A fresh folder under the system temp dir, removed by ``remove()``.
public struct TempDir: Sendable {
    public let path: String

    public init(_ name: String = "tundra-test") throws {
        let base = FileManager.default.temporaryDirectory.path
        path = base + "/" + name + "-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    public func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }
}
