import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A loopback HTTP/1.1 proxy that injects faults by a fixed schedule between a client and
/// an upstream server (SeaweedFS in the object-store tests).
///
/// Each ``Rule`` fires once, on the first request that matches it after the rules before it
/// with the same match have fired; requests no rule matches are forwarded untouched. So a
/// sequential client meets the same faults in the same order on every run. Upstream
/// connections are one per request. Client connections are closed after each answer
/// unless `keepAlive`: libcurl silently resends a request whose reused connection died
/// before any answer, which would hide some faults from the client's retry count.
public final class FaultProxy: @unchecked Sendable {
    // @unchecked: mutable state is guarded by `lock`.
    public enum Fault: Sendable, Equatable, CustomStringConvertible {
        /// Answer 500 InternalError without forwarding.
        case internalError
        /// Answer 503 SlowDown without forwarding.
        case slowDown
        /// Read half the request body, then close the connection; nothing is forwarded.
        case dropRequestMidBody
        /// Forward, then send the client only the first half of the answer and close.
        case dropResponseMidBody
        /// Wait, then forward (unless the client gave up meanwhile).
        case delay(milliseconds: Int)

        public var description: String {
            switch self {
            case .internalError: return "500"
            case .slowDown: return "503 SlowDown"
            case .dropRequestMidBody: return "drop request mid-body"
            case .dropResponseMidBody: return "drop response mid-body"
            case .delay(let ms): return "delay \(ms)ms"
            }
        }
    }

    public struct Rule: Sendable {
        public var method: String?
        /// Matched against the request target (path and query).
        public var targetContains: String?
        public var fault: Fault

        public init(method: String? = nil, targetContains: String? = nil, _ fault: Fault) {
            self.method = method
            self.targetContains = targetContains
            self.fault = fault
        }

        func matches(method m: String, target: String) -> Bool {
            (method == nil || method == m) && (targetContains.map { target.contains($0) } ?? true)
        }
    }

    /// A fault that fired: which, and on what request.
    public struct Injected: Sendable, CustomStringConvertible {
        public var fault: Fault
        public var method: String
        public var target: String
        public var description: String { "\(fault) on \(method) \(target)" }
    }

    public let port: Int
    private let upstreamPort: Int
    private let keepAlive: Bool
    private let listener: Int32
    private let lock = NSLock()
    private var rules: [Rule]
    private var injectedLog: [Injected] = []
    private var requestCount = 0
    private var clients: Set<Int32> = []
    private var stopped = false

    public init(upstreamPort: Int, rules: [Rule], keepAlive: Bool = false) throws {
        self.upstreamPort = upstreamPort
        self.keepAlive = keepAlive
        self.rules = rules
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestFailure("socket: \(errno)") }
        listener = fd
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var addr = Self.loopback(port: 0)
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &addr) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) == 0 && getsockname(fd, $0, &len) == 0 }
        }
        guard bound, listen(fd, 64) == 0 else {
            close(fd)
            throw TestFailure("fault proxy cannot listen: errno \(errno)")
        }
        port = Int(UInt16(bigEndian: addr.sin_port))
        let thread = Thread { [self] in self.acceptLoop() }
        thread.name = "fault-proxy-accept"
        thread.start()
    }

    public var endpoint: String { "127.0.0.1:\(port)" }

    /// The faults that fired, in order.
    public var injected: [Injected] { lock.withLock { injectedLog } }
    /// Requests seen, faulty or not.
    public var requests: Int { lock.withLock { requestCount } }
    /// Rules that have not fired yet.
    public var pendingRules: Int { lock.withLock { rules.count } }

    /// Stops accepting and closes every client connection.
    public func stop() {
        let open: Set<Int32> = lock.withLock {
            stopped = true
            return clients
        }
        Glibc.shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
        for fd in open { Glibc.shutdown(fd, Int32(SHUT_RDWR)) }
    }

    private static func loopback(port: Int) -> sockaddr_in {
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = UInt16(port).bigEndian
        return addr
    }

    private func acceptLoop() {
        while true {
            let fd = accept(listener, nil, nil)
            if fd < 0 {
                if errno == EINTR { continue }
                return
            }
            let accepted: Bool = lock.withLock {
                if stopped { return false }
                clients.insert(fd)
                return true
            }
            guard accepted else {
                close(fd)
                return
            }
            let thread = Thread { [self] in
                self.serve(client: fd)
                self.lock.withLock { _ = self.clients.remove(fd) }
                close(fd)
            }
            thread.start()
        }
    }

    private func nextFault(method: String, target: String) -> Fault? {
        lock.withLock {
            requestCount += 1
            guard let i = rules.firstIndex(where: { $0.matches(method: method, target: target) }) else { return nil }
            let rule = rules.remove(at: i)
            injectedLog.append(Injected(fault: rule.fault, method: method, target: target))
            return rule.fault
        }
    }

    private func serve(client: Int32) {
        let reader = SocketReader(fd: client)
        while let head = reader.readHead() {
            guard let request = ParsedHead(head), let requestLine = request.firstLine else { return }
            let parts = requestLine.split(separator: " ")
            guard parts.count >= 2 else { return }
            let method = String(parts[0])
            let target = String(parts[1])
            let length = Int(request.header("content-length") ?? "0") ?? 0
            let fault = nextFault(method: method, target: target)
            if fault == .dropRequestMidBody {
                _ = reader.read(count: length / 2)
                return
            }
            guard let body = reader.read(count: length) else { return }
            switch fault {
            case .internalError:
                guard reply(client, status: "500 Internal Server Error", code: "InternalError", message: "injected fault"), keepAlive else { return }
                continue
            case .slowDown:
                guard reply(client, status: "503 Slow Down", code: "SlowDown", message: "Please reduce your request rate."), keepAlive else {
                    return
                }
                continue
            case .delay(let ms):
                usleep(UInt32(ms) * 1000)
                // A client that timed out has closed; do not apply its request late.
                var probe: UInt8 = 0
                if recv(client, &probe, 1, Int32(MSG_PEEK | MSG_DONTWAIT)) == 0 { return }
            default:
                break
            }
            guard let response = forward(head: head, body: body) else { return }
            if fault == .dropResponseMidBody {
                let bodyStart = (response.firstRange(of: Array("\r\n\r\n".utf8))?.upperBound) ?? response.count
                let cut = bodyStart < response.count ? bodyStart + (response.count - bodyStart) / 2 : response.count / 2
                _ = sendAll(client, Array(response[..<cut]))
                return
            }
            let (bytes, reusable) = Self.clientFraming(response, method: method, keepAlive: keepAlive)
            guard sendAll(client, bytes), reusable else { return }
        }
    }

    /// Sends one request upstream with `Connection: close` and reads the answer to EOF.
    private func forward(head: [UInt8], body: [UInt8]) -> [UInt8]? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var addr = Self.loopback(port: upstreamPort)
        let connected = withUnsafeMutablePointer(to: &addr) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
        guard connected else { return nil }
        // The head ends with an empty line; put our header before it.
        var upstreamHead = Array(head.dropLast(2))
        upstreamHead += Array("Connection: close\r\n\r\n".utf8)
        guard sendAll(fd, upstreamHead + body) else { return nil }
        let reader = SocketReader(fd: fd)
        return reader.readToEnd()
    }

    /// The answer as the client gets it, and whether its connection stays open: upstream's
    /// `Connection: close` (our doing) is dropped when keeping alive and the answer
    /// delimits itself, and is always sent when closing.
    private static func clientFraming(_ response: [UInt8], method: String, keepAlive: Bool) -> ([UInt8], Bool) {
        guard let end = response.firstRange(of: Array("\r\n\r\n".utf8)),
            let head = ParsedHead(Array(response[..<end.upperBound]))
        else { return (response, false) }
        let status = head.firstLine.flatMap { $0.split(separator: " ").dropFirst().first }.flatMap { Int($0) } ?? 0
        let delimited =
            head.header("content-length") != nil || head.header("transfer-encoding")?.lowercased() == "chunked"
            || method == "HEAD" || status == 204 || status == 304
        let reusable = delimited && keepAlive
        let kept = head.lines.filter { !$0.lowercased().hasPrefix("connection:") } + (reusable ? [] : ["Connection: close"])
        return (Array((kept.joined(separator: "\r\n") + "\r\n\r\n").utf8) + response[end.upperBound...], reusable)
    }

    private func reply(_ fd: Int32, status: String, code: String, message: String) -> Bool {
        let body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>\(code)</Code><Message>\(message)</Message>"
            + "<RequestId>fault-proxy</RequestId></Error>"
        let head = "HTTP/1.1 \(status)\r\nContent-Type: application/xml\r\nContent-Length: \(body.utf8.count)\r\n"
            + (keepAlive ? "" : "Connection: close\r\n") + "\r\n"
        return sendAll(fd, Array((head + body).utf8))
    }

    private func sendAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        var done = 0
        while done < bytes.count {
            // MSG_NOSIGNAL: a client that went away must not SIGPIPE the test process.
            let n = bytes[done...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n <= 0 {
                if n < 0 && errno == EINTR { continue }
                return false
            }
            done += n
        }
        return true
    }
}

/// Buffered reads from a socket: an HTTP head, a body of known length, or all until EOF.
private final class SocketReader {
    let fd: Int32
    var buffer: [UInt8] = []

    init(fd: Int32) { self.fd = fd }

    private func fill() -> Bool {
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if n <= 0 { return false }
        buffer += chunk[..<n]
        return true
    }

    /// Through the empty line; nil on EOF.
    func readHead() -> [UInt8]? {
        while true {
            if let r = buffer.firstRange(of: Array("\r\n\r\n".utf8)) {
                let head = Array(buffer[..<r.upperBound])
                buffer.removeFirst(r.upperBound)
                return head
            }
            guard fill() else { return nil }
        }
    }

    func read(count: Int) -> [UInt8]? {
        while buffer.count < count { guard fill() else { return nil } }
        let out = Array(buffer[..<count])
        buffer.removeFirst(count)
        return out
    }

    func readToEnd() -> [UInt8] {
        while fill() {}
        return buffer
    }
}

private struct ParsedHead {
    var lines: [String]

    init?(_ head: [UInt8]) {
        let text = String(decoding: head, as: UTF8.self)
        lines = text.components(separatedBy: "\r\n").filter { !$0.isEmpty }
        if lines.isEmpty { return nil }
    }

    var firstLine: String? { lines.first }

    func header(_ name: String) -> String? {
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            if line[..<colon].lowercased() == name { return line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces) }
        }
        return nil
    }
}
