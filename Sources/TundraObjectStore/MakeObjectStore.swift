import Foundation
import Logging

/// Opens the store a ``BucketConfig`` describes. A filesystem bucket without a directory
/// lives at `<dataDir>/bucket`. S3 credentials missing from the config are taken from
/// `environment` (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`).
public func makeObjectStore(
    _ config: BucketConfig, dataDir: String, logger: Logger,
    environment: [String: String] = ProcessInfo.processInfo.environment
) throws -> any ObjectStore {
    switch config {
    case .filesystem(let fs):
        return try FilesystemStore(directory: fs.directory ?? (dataDir + "/bucket"))
    case .s3(var s3):
        if s3.accessKey == nil, s3.secretKey == nil {
            s3.accessKey = environment["AWS_ACCESS_KEY_ID"]
            s3.secretKey = environment["AWS_SECRET_ACCESS_KEY"]
            s3.sessionToken = s3.sessionToken ?? environment["AWS_SESSION_TOKEN"]
        }
        return try S3Store(config: s3, logger: logger)
    }
}
