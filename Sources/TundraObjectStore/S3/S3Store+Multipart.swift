import Foundation
import Logging

#if canImport(Glibc)
import Glibc
#endif

extension S3Store {
    /// Parts uploaded at once: enough to keep a link busy while the next part is read and
    /// hashed, few enough to bound memory at this many times the part size.
    static let partsInFlight = 2

    public func putFile(_ key: String, path: String) async throws {
        try ObjectKey.validate(key)
        guard let st = POSIX.status(path) else { throw POSIX.fail("stat", path) }
        let size = Int64(st.st_size)
        if size <= Int64(config.partSize) {
            let bytes = try await readPart(path, offset: 0, count: Int(size))
            try await put(key, bytes: bytes, ifNoneMatch: false)
            return
        }
        let partCount = Int((size + Int64(config.partSize) - 1) / Int64(config.partSize))
        guard partCount <= 10_000 else {
            throw ObjectStoreError.badConfig(key: "part_size", reason: "\(path) (\(size) bytes) needs \(partCount) parts; S3 allows 10,000")
        }
        let initiated = try await send("POST", key: key, query: [("uploads", "")], headers: [("Content-Type", "application/octet-stream")])
        let uploadID = try S3Responses.uploadID(initiated.body, url: endpoint.url(path: endpoint.path(key), query: [("uploads", "")]))
        do {
            let etags = try await uploadParts(key: key, path: path, size: size, partCount: partCount, uploadID: uploadID)
            _ = try await send(
                "POST", key: key, query: [("uploadId", uploadID)], headers: [("Content-Type", "application/xml")],
                body: S3Responses.completeMultipartBody(etags),
                retriedFailure: { error in
                    // A completion whose answer was lost leaves nothing to complete on retry.
                    guard case .s3(let e) = error, e.code == "NoSuchUpload" else { return false }
                    return try await self.head(key)?.size == size
                })
        } catch {
            await abortMultipart(key: key, uploadID: uploadID, cause: error)
            throw error
        }
    }

    private func uploadParts(key: String, path: String, size: Int64, partCount: Int, uploadID: String) async throws -> [String] {
        let partSize = Int64(config.partSize)
        return try await withThrowingTaskGroup(of: (Int, String).self) { group in
            var etags = [String](repeating: "", count: partCount)
            var next = 0
            func addPart() {
                let index = next
                next += 1
                group.addTask {
                    let offset = Int64(index) * partSize
                    let bytes = try await self.readPart(path, offset: offset, count: Int(min(partSize, size - offset)))
                    let query = [("partNumber", String(index + 1)), ("uploadId", uploadID)]
                    let response = try await self.send("PUT", key: key, query: query, body: bytes)
                    guard let etag = response.headers["etag"] else {
                        throw ObjectStoreError.malformedResponse(
                            url: self.endpoint.url(path: self.endpoint.path(key), query: query), reason: "UploadPart answer without ETag")
                    }
                    return (index, S3Responses.unquote(etag))
                }
            }
            while next < min(Self.partsInFlight, partCount) { addPart() }
            while let (index, etag) = try await group.next() {
                etags[index] = etag
                if next < partCount { addPart() }
            }
            return etags
        }
    }

    private func abortMultipart(key: String, uploadID: String, cause: any Error) async {
        do {
            _ = try await send("DELETE", key: key, query: [("uploadId", uploadID)])
        } catch ObjectStoreError.s3(let e) where e.code == "NoSuchUpload" {
        } catch {
            // The upload's parts stay billed until a lifecycle rule removes them; say so.
            logger.warning(
                "could not abort multipart upload", metadata: ["key": "\(key)", "upload_id": "\(uploadID)", "error": "\(error)", "cause": "\(cause)"])
        }
    }

    fileprivate func readPart(_ path: String, offset: Int64, count: Int) async throws -> [UInt8] {
        try await offloaded {
            let fd = try POSIX.open(path, O_RDONLY)
            defer { close(fd) }
            let bytes = try POSIX.read(fd, count: count, offset: offset, path: path)
            // A file that shrank under us would upload as a shorter object.
            guard bytes.count == count else { throw ObjectStoreError.io(operation: "read (file shrank)", path: path, errno: EIO) }
            return bytes
        }
    }
}
