/// Why a bucket manifest or a deletion mark could not be read. Each `description` is a
/// complete log line.
public enum ManifestError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No manifest in the bucket yet: the compactor has not run.
    case notFound(key: String)
    /// Written by a newer (or older) build; never guessed at.
    case unsupportedVersion(key: String, found: Int, supported: Int)
    /// Not the JSON this build writes.
    case corrupt(key: String, reason: String)

    public var description: String {
        switch self {
        case .notFound(let key):
            return "bucket manifest \(key) not found: the compactor writes it on its first pass"
        case .unsupportedVersion(let key, let found, let supported):
            return "\(key): version \(found), this build reads version \(supported)"
        case .corrupt(let key, let reason):
            return "\(key): cannot parse: \(reason)"
        }
    }
}
