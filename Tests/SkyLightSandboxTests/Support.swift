import Foundation
import SkyLight
import SkyLightSandbox
import Testing

/// Raw HTTP against a sandbox on 127.0.0.1, reading bodies as untyped JSON.
struct API {
    let sandbox: Sandbox
    var key = SandboxOptions.defaultAPIKey

    static func start(seed: SeedKind = .demo, keys: [String] = [SandboxOptions.defaultAPIKey], scale: Double = 1) async throws -> API {
        var options = SandboxOptions()
        options.seed = seed
        options.apiKeys = keys
        options.tickInterval = 3600
        options.clockScale = scale
        return API(sandbox: try await Sandbox.start(options), key: keys[0])
    }

    struct Reply {
        var status: Int
        var headers: [String: String]
        var body: Data
        var json: [String: Any] { (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] ?? [:] }
        var data: [String: Any] { json["data"] as? [String: Any] ?? [:] }
        var list: [[String: Any]] { json["data"] as? [[String: Any]] ?? [] }
        var errors: [String: [String]] { json["errors"] as? [String: [String]] ?? [:] }
        var meta: [String: Int] { json["meta"] as? [String: Int] ?? [:] }
    }

    @discardableResult
    func call(_ method: String, _ path: String, _ body: Any? = nil, headers: [String: String]? = nil) async throws -> Reply {
        var request = HTTPRequest(method: method, url: "http://127.0.0.1:\(sandbox.port)" + (path.hasPrefix("/_sandbox") ? path : "/api/v1" + path))
        request.headers = headers ?? ["Authorization": "Bearer \(key)"]
        if let body {
            request.body = try JSONSerialization.data(withJSONObject: body)
            request.headers["Content-Type"] = "application/json"
        }
        let response = try await AsyncHTTPClientTransport.shared.send(request)
        return Reply(status: response.status, headers: response.headers, body: response.body)
    }

    func stop() async { await sandbox.stop() }
}
