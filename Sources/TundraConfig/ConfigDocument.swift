import Foundation
import Yams

/// Reading the YAML configuration file. `tundra serve` and `tundra-compactor` read the
/// same file, each its own sections; both go through here so that a file that does not
/// read or parse gets the same message from either.
public enum ConfigDocument {
    public static func read(path: String) throws(ConfigError) -> String {
        do {
            return try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ConfigError(file: path, line: nil, message: "cannot read: \(error.localizedDescription)")
        }
    }

    /// The document's root node; nil for an empty file.
    public static func compose(_ text: String, file: String) throws(ConfigError) -> Node? {
        do {
            // A file holding only `---` (or `--- ~`) is an empty document: Yams gives a
            // null scalar for it, which is no settings, as an empty file is.
            let root = try Yams.compose(yaml: text)
            if case .scalar(let s)? = root, s.tag == Tag(.null) || (s.string.isEmpty || s.string == "~" || s.string == "null") {
                return nil
            }
            return root
        } catch let e as YamlError {
            throw ConfigError(file: file, line: nil, message: "not valid YAML: \(e)")
        } catch {
            throw ConfigError(file: file, line: nil, message: "not valid YAML: \(error)")
        }
    }
}
