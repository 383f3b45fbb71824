import Foundation
import Logging
import TundraObjectStore
import TundraTestSupport

/// Stores the lock and manifest tests run against: a folder, and SeaweedFS with SigV4 on.
enum TestStores {
    static let logger = Logger(label: "compaction-test")

    static func filesystem(_ dir: TempDir) throws -> any ObjectStore {
        try FilesystemStore(directory: dir.path + "/bucket")
    }

    static func seaweed(_ weed: SeaweedFSProcess) throws -> any ObjectStore {
        var c = S3BucketConfig(bucket: weed.bucket, endpoint: weed.endpoint)
        c.insecure = true
        c.region = weed.region
        c.accessKey = weed.accessKey
        c.secretKey = weed.secretKey
        c.bucketLookupType = .path
        c.retry = RetryPolicy(maxRetries: 5, baseDelay: .milliseconds(20), maxDelay: .milliseconds(200))
        c.requestTimeout = .seconds(30)
        return try S3Store(config: c, logger: logger)
    }
}
