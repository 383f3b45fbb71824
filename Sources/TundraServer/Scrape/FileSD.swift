import Foundation

#if canImport(Glibc)
import Glibc
#endif
import Logging
import TundraIngest
import Yams

/// Target groups from `file_sd_configs` files (JSON or YAML, as Prometheus reads
/// them), re-read when a file changes. A file that cannot be read or parsed keeps
/// its last good groups, with an error in the log.
final class FileSD: @unchecked Sendable {
    // @unchecked: used only from the scrape manager's loop.
    private var cache: [String: (modified: Date, groups: [TargetGroup])] = [:]
    private let logger: Logger

    init(logger: Logger) { self.logger = logger }

    func groups(_ configs: [FileSDConfig]) -> [TargetGroup] {
        var out: [TargetGroup] = []
        for config in configs {
            for pattern in config.files {
                for path in FileSD.expand(pattern) { out += load(path) }
            }
        }
        return out
    }

    private func load(_ path: String) -> [TargetGroup] {
        let modified = (try? FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as? Date) ?? nil
        if let cached = cache[path], let modified, cached.modified == modified { return cached.groups }
        guard let modified, let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            if cache[path] == nil { logger.error("file_sd: cannot read", metadata: ["file": "\(path)"]) }
            return cache[path]?.groups ?? []
        }
        do {
            let groups = try FileSD.parse(text, path: path)
            cache[path] = (modified, groups)
            logger.info("file_sd: loaded", metadata: ["file": "\(path)", "groups": "\(groups.count)"])
            return groups
        } catch {
            logger.error("file_sd: cannot parse; keeping the last good targets", metadata: ["file": "\(path)", "error": "\(error)"])
            cache[path] = (modified, cache[path]?.groups ?? [])
            return cache[path]?.groups ?? []
        }
    }

    /// The files a pattern names now: a plain path, or a glob in its last part
    /// (`/etc/tundra/targets/*.json`), as Prometheus allows.
    static func expand(_ pattern: String) -> [String] {
        guard pattern.contains("*") || pattern.contains("?") || pattern.contains("[") else { return [pattern] }
        var g = glob_t()
        defer { globfree(&g) }
        guard glob(pattern, 0, nil, &g) == 0 else { return [] }
        return (0..<Int(g.gl_pathc)).compactMap { i in g.gl_pathv[i].map { String(cString: $0) } }.sorted()
    }

    /// `[{"targets": ["host:port", ...], "labels": {...}}, ...]` in JSON or YAML.
    static func parse(_ text: String, path: String) throws -> [TargetGroup] {
        guard case .sequence(let list)? = try Yams.compose(yaml: text) else {
            throw ServerError("\(path): expected a list of target groups")
        }
        var out: [TargetGroup] = []
        for (i, item) in list.enumerated() {
            guard case .sequence(let targets)? = item["targets"] else {
                throw ServerError("\(path): group \(i) has no targets list")
            }
            var labels: [String: String] = [:]
            if case .mapping(let m)? = item["labels"] {
                for (k, v) in m { if let k = k.string, let v = v.string { labels[k] = v } }
            }
            out.append(TargetGroup(targets: targets.compactMap(\.string), labels: labels))
        }
        return out
    }
}
