import Foundation
import Hummingbird
import NIOCore

/// Builders for the API's envelopes and for reading requests the way the API does.
enum Reply {
    static func json(_ status: HTTPResponse.Status, _ body: JSON, headers: HTTPFields = [:]) -> Response {
        var out = [UInt8]()
        body.write(to: &out)
        var fields = headers
        fields[.contentType] = "application/json"
        return Response(status: status, headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(bytes: out)))
    }

    /// `{success: true, data, message?}`.
    static func data(_ data: JSON, message: String? = nil, status: HTTPResponse.Status = .ok) -> Response {
        var fields: [(String, JSON)] = [("success", true), ("data", data)]
        if let message { fields.append(("message", .string(message))) }
        return json(status, .object(fields))
    }

    /// `{success: true, data: [...], meta}`.
    static func page(_ result: (JSON, JSON)) -> Response {
        json(.ok, ["success": true, "data": result.0, "meta": result.1])
    }

    /// `{success: true, data: [...]}` for the listings the reference shows without `meta`.
    static func list(_ items: JSON) -> Response { json(.ok, ["success": true, "data": items]) }

    static func noContent() -> Response { Response(status: .noContent) }

    static func message(_ status: HTTPResponse.Status, _ text: String) -> Response {
        json(status, ["success": false, "message": .string(text)])
    }

    /// The API's answer to a refusal.
    static func error(_ error: SandboxError) -> Response {
        switch error {
        case .notFound(let noun): return message(.notFound, "\(noun) not found.")
        case .unprocessable(let text): return message(.unprocessableContent, text)
        case .badRequest(let text): return message(.badRequest, text)
        case .validation(let errors):
            var grouped: [(String, JSON)] = []
            for (field, text) in errors {
                if let i = grouped.firstIndex(where: { $0.0 == field }), case .array(let items) = grouped[i].1 {
                    grouped[i].1 = .array(items + [.string(text)])
                } else {
                    grouped.append((field, [.string(text)]))
                }
            }
            let first = errors.first?.1 ?? "The given data was invalid."
            let more = errors.count - 1
            let summary = more > 0 ? "\(first) (and \(more) more error\(more == 1 ? "" : "s"))" : first
            return json(.unprocessableContent, ["success": false, "message": .string(summary), "errors": .object(grouped)])
        }
    }
}

extension Request {
    /// The JSON body; an empty body reads as `{}`.
    func jsonBody() async throws -> JSON {
        let buffer = try await body.collect(upTo: 1 << 20)
        if buffer.readableBytes == 0 { return .object([]) }
        guard let value = JSON.parse(Data(buffer.readableBytesView)), case .object = value else {
            throw SandboxError.badRequest("The request body must be a JSON object.")
        }
        return value
    }

    func query(_ name: String) -> String? {
        uri.queryParameters.get(name).flatMap { $0.isEmpty ? nil : $0 }
    }

    /// `page` and `per_page`, validated as the API does (`per_page` at most 100).
    func pageRequest(defaultPerPage: Int = 15) throws -> PageRequest {
        var v = Validator()
        var perPage = defaultPerPage
        if let text = query("per_page") {
            if let value = Int(text) {
                if value > 100 { v.fail("per_page", "The per page field must not be greater than 100.") }
                else if value < 1 { v.fail("per_page", "The per page field must be at least 1.") }
                else { perPage = value }
            } else {
                v.fail("per_page", "The per page field must be an integer.")
            }
        }
        var page = 1
        if let text = query("page") {
            if let value = Int(text), value >= 1 { page = value } else { v.fail("page", "The page field must be at least 1.") }
        }
        try v.check()
        return PageRequest(page: page, perPage: perPage)
    }

    /// A boolean query value: `true`/`false`/`1`/`0`.
    func boolQuery(_ name: String) throws -> Bool? {
        guard let text = query(name)?.lowercased() else { return nil }
        switch text {
        case "true", "1": return true
        case "false", "0": return false
        default: throw SandboxError.validation([(name, "The \(name) field must be true or false.")])
        }
    }

    func enumQuery(_ name: String, _ allowed: [String]) throws -> String? {
        guard let value = query(name) else { return nil }
        guard allowed.contains(value) else { throw SandboxError.validation([(name, "The selected \(name) is invalid.")]) }
        return value
    }
}

extension SandboxContext {
    /// A numeric path parameter; anything else is an unknown resource (404).
    func id(_ name: String = "id", noun: String) throws -> Int64 {
        guard let value = parameters.get(name, as: Int64.self) else { throw SandboxError.notFound(noun) }
        return value
    }
}
