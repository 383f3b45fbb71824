import Foundation
import Logging
import TundraHead
import TundraIngest

/// Reads text-format samples from a file or standard input on its own thread
/// (the reads block) and appends them batch by batch.
public final class IngestThread: @unchecked Sendable {
    // @unchecked: all state is owned by the one thread that runs `loop`.
    private let head: Head
    private let source: String
    private let logger: Logger

    public init(head: Head, source: String, logger: Logger) {
        self.head = head
        self.source = source
        self.logger = logger
    }

    public func start() throws {
        let fd: Int32
        if source == "-" {
            fd = 0
        } else {
            fd = open(source, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { throw ServerError("--ingest: cannot open \(source): \(String(cString: strerror(errno)))") }
        }
        let thread = Thread { [self] in self.loop(fd) }
        thread.name = "tundra-ingest"
        thread.start()
    }

    private func loop(_ fd: Int32) {
        var ingester = TextStreamIngester(head: head, now: UnixTime.millis)
        var buf = [UInt8](repeating: 0, count: 1 << 20)
        var appended = 0
        var rejected = 0
        while true {
            let n = buf.withUnsafeMutableBytes { p -> Int in
                guard let base = p.baseAddress else { return 0 }
                return read(fd, base, p.count)
            }
            if n < 0 && errno == EINTR { continue }
            do {
                let result = n > 0 ? try ingester.feed(buf[0..<n]) : try ingester.finish()
                appended += result.append.appended
                rejected += result.append.rejectedSamples + result.parseErrors.count
                for e in result.parseErrors.prefix(10) {
                    logger.warning("ingest: malformed line", metadata: ["source": "\(source)", "error": "\(e)"])
                }
                for r in result.append.rejections.prefix(10) {
                    logger.warning("ingest: sample refused", metadata: ["source": "\(source)", "reason": "\(r)"])
                }
                // The acknowledgement: everything up to this line is in the WAL.
                let ack = "ok \(result.linesTotal) \(appended) \(rejected)\n"
                writeStdout(ack)
            } catch {
                logger.error("ingest: WAL write failed; batch not acknowledged", metadata: ["error": "\(error)"])
                writeStdout("error \(error)\n")
            }
            if n <= 0 { break }
        }
        logger.info("ingest: end of input", metadata: ["source": "\(source)", "appended": "\(appended)", "rejected": "\(rejected)"])
    }

    private func writeStdout(_ s: String) {
        var bytes = Array(s.utf8)
        var off = 0
        while off < bytes.count {
            let w = bytes.withUnsafeMutableBytes { p -> Int in
                guard let base = p.baseAddress else { return 0 }
                return write(1, base + off, p.count - off)
            }
            if w < 0 && errno == EINTR { continue }
            if w <= 0 { return }
            off += w
        }
    }
}
