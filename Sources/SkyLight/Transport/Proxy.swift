import Foundation

/// An HTTP or SOCKS5 proxy the requests go through, named the way `curl` and most tools read
/// it from the environment: a server behind a company's proxy reaches SkyLight only through it.
///
///     let proxy = try Proxy.fromEnvironment(ProcessInfo.processInfo.environment,
///                                           for: "https://dashboard.skylightchat.com/api/v1")
///     let transport = AsyncHTTPClientTransport.shared(proxy: proxy)
public struct Proxy: Sendable, Hashable, CustomStringConvertible {
    /// How the proxy is spoken to.
    public enum Kind: Sendable, Hashable {
        /// An HTTP proxy, asked to open a tunnel with `CONNECT`.
        case http
        /// A SOCKS5 proxy.
        case socks5
    }

    public var kind: Kind
    public var host: String
    public var port: Int
    public var username: String?
    public var password: String?
    /// The environment variable it was read from, to name in messages.
    public var variable: String?

    /// Creates a proxy setting.
    public init(kind: Kind = .http, host: String, port: Int, username: String? = nil, password: String? = nil, variable: String? = nil) {
        self.kind = kind; self.host = host; self.port = port; self.username = username; self.password = password
        self.variable = variable
    }

    /// Reads a proxy address: `http://user:secret@proxy.corp:3128`, `proxy.corp:3128` (HTTP),
    /// `socks5://127.0.0.1:1080` or `socks5h://…`. An HTTP proxy without a port listens on 80,
    /// a SOCKS one on 1080.
    public init(address: String) throws(ProxyError) {
        let text = address.trimmingCharacters(in: .whitespaces)
        let full = text.contains("://") ? text : "http://" + text
        guard let url = URLComponents(string: full), let host = url.host, !host.isEmpty else {
            throw ProxyError(description: "cannot read the proxy address “\(address)” (write it as http://HOST:PORT)")
        }
        switch url.scheme?.lowercased() {
        case "http": kind = .http
        case "socks5", "socks5h": kind = .socks5
        case "https":
            throw ProxyError(description: "the proxy “\(address)” is spoken to over TLS, which is not supported: use its http:// address")
        default:
            throw ProxyError(description: "the proxy “\(address)” is neither http:// nor socks5://")
        }
        self.host = host.hasPrefix("[") ? String(host.dropFirst().dropLast()) : host
        port = url.port ?? (kind == .http ? 80 : 1080)
        username = url.percentEncodedUser?.removingPercentEncoding.flatMap { $0.isEmpty ? nil : $0 }
        password = url.percentEncodedPassword?.removingPercentEncoding
        if kind == .socks5, username != nil {
            throw ProxyError(description: "the SOCKS proxy “\(self)” asks for a user name, which is not supported: use an HTTP proxy")
        }
    }

    /// The proxy the environment names for requests to `url`, or nil for none.
    ///
    /// `https_proxy` (or `HTTPS_PROXY`) for an https:// address, `http_proxy` (or `HTTP_PROXY`)
    /// for an http:// one, then `all_proxy`; `no_proxy` lists hosts and domains that go
    /// direct (`*` for all). The loopback addresses always go direct: the sandbox of `--demo`
    /// is there.
    public static func fromEnvironment(_ environment: [String: String], for url: String) throws(ProxyError) -> Proxy? {
        guard let target = URLComponents(string: url), let host = target.host?.lowercased() else { return nil }
        func variable(_ name: String) -> (name: String, value: String)? {
            [name, name.uppercased()].lazy.compactMap { key in environment[key].map { (key, $0) } }.first { !$0.1.isEmpty }
        }
        let scheme = target.scheme?.lowercased() == "http" ? "http" : "https"
        guard let (name, address) = variable("\(scheme)_proxy") ?? variable("all_proxy") else { return nil }
        if isLoopback(host) || bypasses(host, noProxy: variable("no_proxy")?.value ?? "") { return nil }
        do {
            var proxy = try Proxy(address: address)
            proxy.variable = name
            return proxy
        } catch {
            throw ProxyError(description: "\(name): \(error.description)")
        }
    }

    /// Whether `host` is one `no_proxy` sends direct: an entry that is the host, or a domain
    /// the host is in (`example.com` and `.example.com` both cover `api.example.com`).
    static func bypasses(_ host: String, noProxy: String) -> Bool {
        let host = host.lowercased()
        for entry in noProxy.split(separator: ",") {
            var domain = entry.trimmingCharacters(in: .whitespaces).lowercased()
            if domain == "*" { return true }
            // A port in the entry (example.com:443) is not a reason to go through the proxy.
            if let colon = domain.lastIndex(of: ":"), !domain.contains("]"), domain.filter({ $0 == ":" }).count == 1 {
                domain = String(domain[..<colon])
            }
            if domain.hasPrefix(".") { domain.removeFirst() }
            if domain.isEmpty { continue }
            if host == domain || host.hasSuffix("." + domain) { return true }
        }
        return false
    }

    static func isLoopback(_ host: String) -> Bool {
        let host = host.trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        return host == "localhost" || host.hasSuffix(".localhost") || host.hasPrefix("127.") || host == "::1"
    }

    /// `proxy.corp:3128`, or `socks5://proxy.corp:1080`: never the password.
    public var description: String {
        (kind == .socks5 ? "socks5://" : "") + (host.contains(":") ? "[\(host)]" : host) + ":\(port)"
    }
}

/// A proxy setting that cannot be used, said as a sentence.
public struct ProxyError: Error, Sendable, Hashable, CustomStringConvertible {
    public var description: String
}
