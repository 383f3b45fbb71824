import Foundation

/// The files of a fixture folder, sorted by name, with their bytes: the corpora the
/// fuzz targets are replayed over.
public enum FixtureCorpus {
    public static func load(_ dir: URL) throws -> [(name: String, bytes: [UInt8])] {
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
        return try names.map { name in
            (name, [UInt8](try Data(contentsOf: dir.appendingPathComponent(name))))
        }
    }
}
