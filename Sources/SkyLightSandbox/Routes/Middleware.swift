import Foundation
import HTTPTypes
import Hummingbird

/// Turns the sandbox's refusals and unknown routes into the API's JSON error bodies.
struct ErrorMiddleware: RouterMiddleware {
    typealias Context = SandboxContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as SandboxError {
            return Reply.error(error)
        } catch let error as HTTPError where error.status == .notFound {
            return Reply.message(.notFound, "Not found.")
        } catch let error as HTTPError where error.status == .methodNotAllowed {
            return Reply.message(.methodNotAllowed, "Method not allowed.")
        } catch let error as HTTPError where error.status == .contentTooLarge {
            return Reply.message(.contentTooLarge, "The request body is too large.")
        }
    }
}

/// Accepts `Authorization: Bearer KEY` or `X-Api-Key: KEY`; anything else is a 401 JSON body.
struct AuthMiddleware: RouterMiddleware {
    typealias Context = SandboxContext
    let apiKeys: Set<String>

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let bearer = request.headers[.authorization].flatMap { value -> String? in
            let parts = value.split(separator: " ", maxSplits: 1)
            return parts.count == 2 && parts[0].lowercased() == "bearer" ? String(parts[1]) : nil
        }
        let headerKey = HTTPField.Name("X-Api-Key").flatMap { request.headers[$0] }
        guard bearer.map(apiKeys.contains) == true || headerKey.map(apiKeys.contains) == true else {
            return Reply.message(.unauthorized, "Unauthenticated.")
        }
        return try await next(request, context)
    }
}

/// Applies the faults currently set through `/_sandbox/faults` to API requests.
struct FaultMiddleware: RouterMiddleware {
    typealias Context = SandboxContext
    let faults: FaultInjector

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let plan = faults.plan(method: request.method.rawValue, path: request.uri.path)
        if plan.latency > 0 { try await Task.sleep(for: .milliseconds(plan.latency)) }
        switch plan.before {
        case .none: break
        case .serverError(let status, let message):
            return Reply.message(HTTPResponse.Status(code: status), message)
        case .rateLimited(let retryAfter):
            var headers = HTTPFields()
            headers[.retryAfter] = String(retryAfter)
            return Reply.json(.tooManyRequests, ["success": false, "message": "Too Many Attempts."], headers: headers)
        case .htmlPage(let status):
            let html = "<!DOCTYPE html><html><head><title>\(status) Bad Gateway</title></head><body><h1>Bad Gateway</h1></body></html>"
            return Response(status: HTTPResponse.Status(code: status), headers: [.contentType: "text/html; charset=utf-8"],
                            body: ResponseBody(byteBuffer: ByteBuffer(string: html)))
        }
        let response = try await next(request, context)
        if plan.answerLatency > 0 { try await Task.sleep(for: .milliseconds(plan.answerLatency)) }
        switch plan.after {
        case .none:
            return response
        case .drop:
            // The work is done; the answer never arrives: the client cannot know the outcome.
            try? await context.channel.close()
            return response
        case .truncate:
            let collector = BodyCollector()
            try await response.body.write(collector)
            let bytes = collector.buffer.readableBytesView
            let cut = ByteBuffer(bytes: bytes.prefix(max(1, bytes.count / 2)))
            var headers = response.headers
            headers[.contentLength] = nil
            return Response(status: response.status, headers: headers, body: ResponseBody(byteBuffer: cut))
        }
    }
}

/// Gathers a response body in memory so the fault injector can cut it short.
final class BodyCollector: ResponseBodyWriter {
    var buffer = ByteBuffer()
    func write(_ buffer: ByteBuffer) async throws {
        var copy = buffer
        self.buffer.writeBuffer(&copy)
    }
    func finish(_ trailingHeaders: HTTPFields?) async throws {}
}
