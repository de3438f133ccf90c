import Hummingbird
import NIOCore

/// The request context of the sandbox: Hummingbird's core storage plus the connection,
/// which the fault injector closes to simulate an answer lost after the work was done.
public struct SandboxContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The client connection this request arrived on.
    public let channel: any Channel

    public init(source: ApplicationRequestContextSource) {
        coreContext = CoreRequestContextStorage(source: source)
        channel = source.channel
    }
}
