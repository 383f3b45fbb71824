import Foundation

/// The content of the lock object (`compactor.lock`): who holds the bucket and until
/// when. Format: docs/format/manifest.md.
public struct LockRecord: Sendable, Equatable, Codable, CustomStringConvertible {
    public static let formatVersion = 1

    public var version: Int
    /// A fresh UUID per ``BucketLock``: tells two compactors of one process apart.
    public var owner: String
    public var hostname: String
    public var pid: Int32
    /// Unix milliseconds when this owner took the lock.
    public var acquiredMs: Int64
    /// Unix milliseconds when the lease was last extended (the acquisition at first).
    public var renewedMs: Int64
    /// Unix milliseconds past which anyone may take the lock over.
    public var leaseExpiresMs: Int64

    enum CodingKeys: String, CodingKey {
        case version, owner, hostname, pid
        case acquiredMs = "acquired_ms"
        case renewedMs = "renewed_ms"
        case leaseExpiresMs = "lease_expires_ms"
    }

    public init(owner: String, hostname: String, pid: Int32, acquired: Date, leaseExpires: Date) {
        version = Self.formatVersion
        self.owner = owner
        self.hostname = hostname
        self.pid = pid
        acquiredMs = acquired.unixMilliseconds
        renewedMs = acquiredMs
        leaseExpiresMs = leaseExpires.unixMilliseconds
    }

    public var acquired: Date { Date(unixMilliseconds: acquiredMs) }
    public var leaseExpires: Date { Date(unixMilliseconds: leaseExpiresMs) }

    /// `owner 6F1C... on host build-3 (pid 4242)`: how errors and logs name a holder.
    public var description: String { "owner \(owner) on host \(hostname) (pid \(pid))" }

    func encoded() throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return Array(try encoder.encode(self)) + [0x0A]
    }

    /// Checks the version before anything else, so that a lock written by a newer
    /// compactor is reported as such rather than as garbage.
    static func decode(_ bytes: [UInt8], key: String) throws(BucketLockError) -> LockRecord {
        struct Versioned: Decodable { var version: Int }
        let data = Data(bytes)
        guard let versioned = try? JSONDecoder().decode(Versioned.self, from: data) else {
            throw .unreadable(key: key, reason: "not a JSON object with a \"version\" number")
        }
        guard versioned.version == formatVersion else {
            throw .unreadable(key: key, reason: "lock version \(versioned.version), this build reads \(formatVersion)")
        }
        do {
            return try JSONDecoder().decode(LockRecord.self, from: data)
        } catch {
            throw .unreadable(key: key, reason: "\(error)")
        }
    }
}
