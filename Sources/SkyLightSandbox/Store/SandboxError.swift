/// Why the sandbox refuses a request, mapped to the API's status codes and bodies.
enum SandboxError: Error {
    /// 404 with the resource's name.
    case notFound(String)
    /// 422 with Laravel-style field errors, in the order they were found.
    case validation([(String, String)])
    /// 422 with a message and no field errors (a lifecycle rule, say).
    case unprocessable(String)
    /// 400: the body is not JSON.
    case badRequest(String)
}

/// Collects field errors the way Laravel reports them.
struct Validator {
    var errors: [(String, String)] = []

    mutating func fail(_ field: String, _ message: String) { errors.append((field, message)) }

    func check() throws {
        if !errors.isEmpty { throw SandboxError.validation(errors) }
    }

    mutating func requiredString(_ body: JSON, _ field: String, max: Int = 255) -> String? {
        guard let value = body[field], !value.isNull else {
            fail(field, "The \(field.replacingOccurrences(of: "_", with: " ")) field is required.")
            return nil
        }
        guard let text = value.string else {
            fail(field, "The \(field.replacingOccurrences(of: "_", with: " ")) field must be a string.")
            return nil
        }
        if text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            fail(field, "The \(field.replacingOccurrences(of: "_", with: " ")) field is required.")
            return nil
        }
        if text.count > max {
            fail(field, "The \(field.replacingOccurrences(of: "_", with: " ")) field must not be greater than \(max) characters.")
            return nil
        }
        return text
    }

    mutating func optionalString(_ body: JSON, _ field: String, max: Int = 255) -> String?? {
        guard let value = body[field] else { return .none }
        if value.isNull { return .some(nil) }
        guard let text = value.string else {
            fail(field, "The \(field.replacingOccurrences(of: "_", with: " ")) field must be a string.")
            return .none
        }
        if text.count > max {
            fail(field, "The \(field.replacingOccurrences(of: "_", with: " ")) field must not be greater than \(max) characters.")
            return .none
        }
        return .some(text)
    }
}

import Foundation
