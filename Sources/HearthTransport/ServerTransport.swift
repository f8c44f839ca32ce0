/// What the hub needs from a server transport: the seam between the rules and the wire.
///
/// `WebSocketServer` is the real one (libwebsockets, one service thread); tests run the same hub over an in-memory
/// transport with no sockets. Events come in through `WebSocketServerDelegate`, on the transport's service thread:
/// the one thread that runs the delegate and may call the service-thread methods below. Only `execute(_:)` may be
/// called from any thread; it is how other threads (the message writer, the records queue) reach the hub.
///
/// The owner (`HearthServer`) keeps the transport and the hub alive together; the transport holds its delegate
/// weakly, the hub holds the transport `unowned`.
public protocol ServerTransport: AnyObject, Sendable {
    /// Receives the transport's events on the service thread. Set before `start()`; held weakly.
    var delegate: (any WebSocketServerDelegate)? { get set }

    /// The port listened on once started (0 for a transport without one).
    var port: Int { get }

    /// Starts the service thread (and binds the port, if any). Called once, by the owner.
    func start() throws

    /// Closes every connection with 1001, stops the service thread and returns once it has stopped. Jobs passed to
    /// `execute` afterwards never run. Called by the owner, not on the service thread.
    func stop()

    /// Runs `job` on the service thread, after the jobs queued before it. Safe from any thread; a job queued from the
    /// service thread runs in a later turn, never inside the caller. No job is dropped while the transport runs.
    func execute(_ job: @escaping @Sendable () -> Void)

    /// Queues a text frame for a connection (ignored once it is closed or closing). `frame` may be shared between
    /// connections. Service thread only.
    func send(_ frame: [UInt8], to id: ConnectionID)

    /// Sends what is queued for the connection, then closes it with `code` and `reason`; the delegate hears
    /// `connectionClosed` later, never inside this call. Service thread only.
    func close(_ id: ConnectionID, code: CloseCode, reason: String)

    /// The connection has signed in: it no longer counts against its address's cap on connections not yet signed
    /// in. Service thread only.
    func markAuthenticated(_ id: ConnectionID)

    /// Counts a refusal or close for the abuse log under the connection's address. Service thread only.
    func noteAbuse(_ reason: AbuseReason, on id: ConnectionID)

    /// Connections closed so far because they did not read their frames (their backlog stayed over the limits).
    /// Any thread.
    var slowConsumerClosures: Int { get }

    /// Asks for the delegate's `loopTurnEnded` once the events of the current loop turn are handled (once, however
    /// often it is asked in that turn). Service thread only.
    func scheduleTurnEnd()
}

extension WebSocketServer: ServerTransport {}
