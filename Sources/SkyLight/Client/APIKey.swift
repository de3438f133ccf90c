/// A SkyLight API key. Its description never shows the key itself, so it cannot leak
/// into logs, errors or debug output by accident.
public struct APIKey: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible {
    /// The secret, for the transport's headers only.
    let secret: String

    /// Wraps a key as given by the SkyLight dashboard.
    public init(_ secret: String) { self.secret = secret.trimmingCharacters(in: .whitespacesAndNewlines) }

    /// Whether the key is empty.
    public var isEmpty: Bool { secret.isEmpty }

    /// A short one-way fingerprint (FNV-1a), to tell accounts apart without keeping the key.
    public var fingerprint: String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in secret.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return String(hash, radix: 16)
    }

    public var description: String { "APIKey(redacted)" }
    public var debugDescription: String { description }
}

/// How the key travels: `Authorization: Bearer KEY` (default) or `X-Api-Key: KEY`.
public enum AuthScheme: String, Sendable, Hashable, CaseIterable {
    case bearer
    case apiKeyHeader = "x-api-key"
}

import Foundation
