import Foundation
import Synchronization
import Testing
import TundraTestSupport

#if canImport(Glibc)
import Glibc
#endif

/// Starts the real `tundra serve`, feeds it samples on standard input, kills it with
/// SIGKILL at random moments, restarts it, and checks that every acknowledged sample
/// survived exactly once.
@Suite(.serialized)
struct CrashRecoveryTests {
    struct SentSample: Hashable {
        var series: Int
        var t: Int64
        var v: Double
    }

    @Test(.timeLimit(.minutes(3)))
    func everyAcknowledgedSampleSurvivesRepeatedSIGKILL() throws {
        signal(SIGPIPE, SIG_IGN)
        let dir = try TempDir("tundra-crash")
        defer { dir.remove() }
        let seed = UInt64(ProcessInfo.processInfo.environment["TUNDRA_TEST_SEED"] ?? "") ?? UInt64.random(in: 1...UInt64.max)
        var rng = SeededRandom(seed: seed)
        let seriesCount = 50
        var nextT = [Int64](repeating: 1_700_000_000_000, count: seriesCount)
        var acked: [SentSample] = []
        var maybe: [SentSample] = []
        let kills = 24
        var restartsWithData = 0

        for round in 0..<kills {
            let server = try ServerProcess(dataDir: dir.path)
            var sentThisRound: [SentSample] = []
            // One round in four is killed early, during WAL replay and start-up; the
            // others once the server acknowledges, at a random moment while it works.
            let early = round % 4 == 3
            let killAfter = Duration.milliseconds(early ? Int.random(in: 5...100, using: &rng) : Int.random(in: 30...350, using: &rng))
            var start = ContinuousClock.now
            var armed = early
            let startupDeadline = ContinuousClock.now + .seconds(20)
            while !armed || ContinuousClock.now - start < killAfter {
                var text = ""
                for _ in 0..<Int.random(in: 1...300, using: &rng) {
                    let k = Int.random(in: 0..<seriesCount, using: &rng)
                    nextT[k] += Int64.random(in: 1...15_000, using: &rng)
                    let v = Self.value(series: k, t: nextT[k])
                    sentThisRound.append(SentSample(series: k, t: nextT[k], v: v))
                    text += "crash_test{series=\"\(k)\"} \(v) \(nextT[k])\n"
                }
                if !server.send(text) { break }
                usleep(UInt32.random(in: 0...3000, using: &rng))
                if !armed && (server.ackedLines > 0 || ContinuousClock.now > startupDeadline) {
                    armed = true
                    start = ContinuousClock.now
                }
            }
            server.kill()
            let ackedLines = server.ackedLines
            let sentCount = sentThisRound.count
            #expect(ackedLines <= sentCount, "round \(round): more acks than lines sent (seed \(seed))")
            acked += sentThisRound.prefix(ackedLines)
            maybe += sentThisRound.dropFirst(ackedLines)
            if ackedLines > 0 { restartsWithData += 1 }
        }
        #expect(restartsWithData >= kills * 3 / 4 - 1, "too few rounds acknowledged anything; the test proved little (seed \(seed))")

        let dump = try TundraBinary.run(["tools", "dump", "--data-dir", dir.path, "--metric", "crash_test"])
        #expect(dump.status == 0, "dump failed: \(dump.stderr)")
        var stored: [SentSample] = []
        for line in dump.stdout.split(separator: "\n") {
            // {__name__="crash_test", series="12"} 3.25 1700000001234
            guard let close = line.firstIndex(of: "}") else { continue }
            let labels = line[..<close]
            let fields = line[line.index(after: close)...].split(separator: " ")
            guard let q1 = labels.range(of: "series=\""), fields.count == 2 else {
                Issue.record("unparseable dump line: \(line)")
                continue
            }
            let rest = labels[q1.upperBound...]
            guard let k = Int(rest.prefix { $0 != "\"" }), let v = Double(fields[0]), let t = Int64(fields[1]) else {
                Issue.record("unparseable dump line: \(line)")
                continue
            }
            stored.append(SentSample(series: k, t: t, v: v))
        }
        let storedSet = Set(stored)
        let distinct = storedSet.count
        let total = stored.count
        #expect(distinct == total, "a sample is stored twice (seed \(seed))")
        let missing = acked.filter { !storedSet.contains($0) }
        let lost = missing.count
        let firstLost = Array(missing.prefix(3))
        #expect(lost == 0, "acknowledged samples lost, first \(firstLost) (seed \(seed))")
        let known = Set(acked).union(maybe)
        let invented = stored.filter { !known.contains($0) }
        let inventedCount = invented.count
        let firstInvented = Array(invented.prefix(3))
        #expect(inventedCount == 0, "stored samples that were never sent as such: \(firstInvented) (seed \(seed))")
        let ackedCount = acked.count
        #expect(ackedCount > 1000, "only \(acked.count) samples acknowledged over \(kills) rounds (seed \(seed))")
    }

    static func value(series: Int, t: Int64) -> Double {
        Double(t % 100_000) / 8 + Double(series)
    }
}

/// One `tundra serve --ingest -` child with its acknowledgement reader.
final class ServerProcess: Sendable {
    private let process: Process
    private let input: Pipe
    private let acked = AckCounter()
    private let readerDone = DispatchSemaphore(value: 0)

    init(dataDir: String) throws {
        process = Process()
        process.executableURL = URL(fileURLWithPath: TundraBinary.path)
        process.arguments = [
            "serve", "--data-dir", dataDir, "--ingest", "-", "--self-monitor-interval", "0", "--log-level", "error",
            "--listen", "127.0.0.1:\(FreePort.next())",
        ]
        input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let reader = output.fileHandleForReading
        let acked = self.acked
        let done = readerDone
        Thread.detachNewThread {
            var pending = Data()
            while true {
                let chunk = reader.availableData
                if chunk.isEmpty { break }
                pending.append(chunk)
                while let nl = pending.firstIndex(of: 0x0a) {
                    let line = String(decoding: pending[pending.startIndex..<nl], as: UTF8.self)
                    pending.removeSubrange(pending.startIndex...nl)
                    let parts = line.split(separator: " ")
                    if parts.count >= 2, parts[0] == "ok", let n = Int(parts[1]) {
                        acked.value.withLock { $0 = max($0, n) }
                    }
                }
            }
            done.signal()
        }
    }

    /// Writes to the child's standard input; false once the child is gone.
    func send(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        var off = 0
        let fd = input.fileHandleForWriting.fileDescriptor
        while off < bytes.count {
            let n = bytes.withUnsafeBytes { p in write(fd, p.baseAddress! + off, p.count - off) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return false }
            off += n
        }
        return true
    }

    func kill() {
        Glibc.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        try? input.fileHandleForWriting.close()
        readerDone.wait()
    }

    /// Lines the server acknowledged as durable before it died.
    var ackedLines: Int { acked.value.withLock { $0 } }
}

final class AckCounter: Sendable {
    let value = Mutex(0)
}
