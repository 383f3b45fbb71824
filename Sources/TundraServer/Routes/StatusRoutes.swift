import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Prometheus
import TundraHead
import TundraIngest

/// Health, readiness, Tundra's own metrics, metadata and build information.
struct StatusRoutes: Sendable {
    let holder: HeadHolder
    let registry: PrometheusCollectorRegistry
    let exporter: HeadMetricsExporter

    /// Health and `/metrics` stay open (probes and scrapers seldom carry
    /// credentials); the API routes go in the read group.
    func register<Context: RequestContext>(open router: Router<Context>, read: RouterGroup<Context>) {
        router.get("/-/healthy") { _, _ in
            WriteRoute.text(.ok, "Tundra is Healthy.")
        }
        router.get("/-/ready") { _, _ in
            if let why = holder.startupError { return WriteRoute.text(.serviceUnavailable, "Tundra failed to start: \(why)") }
            guard holder.head != nil else { return WriteRoute.text(.serviceUnavailable, "Tundra is not ready: replaying the WAL.") }
            return WriteRoute.text(.ok, "Tundra is Ready.")
        }
        router.get("/metrics") { _, _ in
            if let head = holder.head { exporter.update(from: head) }
            var headers = HTTPFields()
            headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
            return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: registry.emitToBuffer())))
        }
        read.get("/api/v1/metadata") { request, _ in
            let metric = request.uri.queryParameters.get("metric")
            let limit = request.uri.queryParameters.get("limit").flatMap { Int($0) } ?? -1
            var data: [String: [[String: String]]] = [:]
            for (name, md) in holder.metadata.all().sorted(by: { $0.key < $1.key }) {
                if let metric, metric != name { continue }
                if limit >= 0 && data.count >= limit { break }
                data[name] = [["type": md.type, "help": md.help, "unit": md.unit]]
            }
            return try APIResponse.success(data)
        }
        read.get("/api/v1/status/buildinfo") { _, _ in
            try APIResponse.success(["version": TundraBuild.version, "revision": "", "branch": "", "goVersion": ""])
        }
    }
}

public enum TundraBuild {
    public static let version = "0.1.0"
}

/// The Prometheus API envelope: `{"status":"success","data":...}`.
enum APIResponse {
    struct Envelope<T: Encodable>: Encodable {
        let status: String
        let data: T
    }

    static func success(_ data: some Encodable) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let body = try encoder.encode(Envelope(status: "success", data: data))
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
    }
}
