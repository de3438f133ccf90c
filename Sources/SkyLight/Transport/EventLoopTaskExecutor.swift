import NIOCore

/// A task executor that runs jobs on one NIO event loop.
///
/// A task that prefers it runs on the same thread as its connection, so a request and its
/// response cost no thread switches:
///
/// ```swift
/// try await withTaskExecutorPreference(client.preferredExecutor) {
///     for id in ids { contacts.append(try await client.contacts.get(id)) }
/// }
/// ```
public final class EventLoopTaskExecutor: TaskExecutor {
    /// The loop the jobs run on.
    public let eventLoop: any EventLoop

    /// Creates an executor for one loop.
    public init(eventLoop: any EventLoop) { self.eventLoop = eventLoop }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedTaskExecutor()
        eventLoop.execute { job.runSynchronously(on: executor) }
    }
}
