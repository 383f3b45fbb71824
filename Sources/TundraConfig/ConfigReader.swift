import TundraModel
import TundraObjectStore
import Yams

/// Typed access to checked YAML nodes, with errors that name the key and line.
public struct ConfigReader: Sendable {
    public let file: String

    public init(file: String) { self.file = file }

    public func error(_ node: Node?, _ message: String) -> ConfigError {
        ConfigError(file: file, line: node?.mark?.line, message: message)
    }

    public func string(_ node: Node?, _ key: String) throws(ConfigError) -> String? {
        guard let node else { return nil }
        guard let s = node.string else { throw error(node, "\(key) must be text") }
        return s
    }

    public func int(_ node: Node?, _ key: String, min: Int) throws(ConfigError) -> Int? {
        guard let s = try string(node, key) else { return nil }
        guard let n = Int(s), n >= min else { throw error(node, "\(key): \"\(s)\" must be a whole number of at least \(min)") }
        return n
    }

    /// `bucket:` in the shape of the Thanos object-store file.
    public func bucket(_ node: Node) throws(ConfigError) -> BucketConfig {
        guard let type = try string(node["type"], "bucket.type") else { throw error(node, "bucket needs a type: S3 or FILESYSTEM") }
        var settings: [String: String] = [:]
        if case .mapping(let m)? = node["config"] {
            for (k, v) in m { if let name = k.string, let value = v.string { settings[name] = value } }
        }
        do {
            return try BucketConfig(type: type, settings: settings)
        } catch let e as ObjectStoreError {
            if case .badConfig(let key, let reason) = e {
                let at = key == "type" ? node["type"] : (node["config"]?[key] ?? node["config"] ?? node)
                throw error(at, "bucket.\(key == "type" ? "type" : "config." + key): \(reason)")
            }
            throw error(node, "bucket: \(e)")
        } catch {
            throw self.error(node, "bucket: \(error)")
        }
    }

    public func bool(_ node: Node?, _ key: String) throws(ConfigError) -> Bool? {
        guard let s = try string(node, key) else { return nil }
        switch s {
        case "true": return true
        case "false": return false
        default: throw error(node, "\(key): \"\(s)\" must be true or false")
        }
    }

    public func duration(_ node: Node?, _ key: String, allowZero: Bool = false) throws(ConfigError) -> Int64? {
        guard let s = try string(node, key) else { return nil }
        if allowZero && s == "0" { return 0 }
        guard let ms = DurationText.milliseconds(s), ms > 0 || allowZero else {
            throw error(node, "\(key): \"\(s)\" is not a duration (examples: 15s, 1m, 1h30m)")
        }
        return ms
    }

    public func strings(_ node: Node?, _ key: String) throws(ConfigError) -> [String] {
        guard case .sequence(let seq)? = node else { return [] }
        var out: [String] = []
        for (i, item) in seq.enumerated() {
            guard let s = item.string else { throw error(item, "\(key)[\(i)] must be text") }
            out.append(s)
        }
        return out
    }

    public func labels(_ node: Node?, _ key: String) throws(ConfigError) -> [String: String] {
        guard case .mapping(let m)? = node else { return [:] }
        var out: [String: String] = [:]
        for (k, v) in m {
            guard let name = k.string, LabelValidation.isValidName(name) else {
                throw error(k, "\(key): \"\(k.string ?? "?")\" is not a valid label name")
            }
            out[name] = v.string ?? ""
        }
        return out
    }
}
