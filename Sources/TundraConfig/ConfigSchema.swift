import Yams

/// The keys the configuration file may hold. Checked before decoding, so that a
/// misspelt key is an error naming it and its line, not silently ignored.
public indirect enum ConfigSchema: Sendable {
    case value
    case map([String: ConfigSchema])
    case list(ConfigSchema)
    /// Free-form keys with plain values (label sets).
    case labels
    /// Anything: a section another program reads and checks.
    case any

    /// Checks `node` against the schema; `path` names where we are, for errors.
    public func check(_ node: Node, path: String, file: String) throws(ConfigError) {
        switch self {
        case .any:
            return
        case .value:
            if case .scalar = node { return }
            throw ConfigError(file: file, line: node.mark?.line, message: "\(path) must be a single value")
        case .labels:
            guard case .mapping(let m) = node else {
                throw ConfigError(file: file, line: node.mark?.line, message: "\(path) must be a map of label names to values")
            }
            for (k, v) in m {
                guard case .scalar = v else {
                    throw ConfigError(file: file, line: v.mark?.line, message: "\(path).\(k.string ?? "?") must be a single value")
                }
            }
        case .list(let element):
            guard case .sequence(let seq) = node else {
                throw ConfigError(file: file, line: node.mark?.line, message: "\(path) must be a list")
            }
            for (i, item) in seq.enumerated() { try element.check(item, path: "\(path)[\(i)]", file: file) }
        case .map(let keys):
            guard case .mapping(let m) = node else {
                throw ConfigError(file: file, line: node.mark?.line, message: "\(path) must be a map")
            }
            for (k, v) in m {
                let name = k.string ?? "?"
                guard let sub = keys[name] else {
                    let known = keys.keys.sorted().joined(separator: ", ")
                    throw ConfigError(
                        file: file, line: k.mark?.line,
                        message: "unknown key \"\(name)\" in \(path.isEmpty ? "the top level" : path) (known keys: \(known))")
                }
                try sub.check(v, path: path.isEmpty ? name : "\(path).\(name)", file: file)
            }
        }
    }
}

/// A configuration problem, with the file and line it is on.
public struct ConfigError: Error, CustomStringConvertible {
    public let file: String
    public let line: Int?
    public let message: String

    public init(file: String, line: Int?, message: String) {
        self.file = file
        self.line = line
        self.message = message
    }

    public var description: String {
        if let line { return "\(file):\(line): \(message)" }
        return "\(file): \(message)"
    }
}
