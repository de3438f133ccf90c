import SkyLight

extension RetryPolicy {
    /// The inbox's policy: short waits are the SDK's, a long `Retry-After` is the inbox's own.
    ///
    /// A 429 asking for 30 s, waited out inside the SDK, kept the status bar on "live" and a
    /// reply on "queued" for a minute with no reason shown. Thrown at once, the refresher shows
    /// "retrying in 30 s" with the server's words, and the outbox sends when the time comes.
    public static let inbox = RetryPolicy(maxAttempts: 3, maxRetryAfter: 2)
}
