import Foundation

/// A message someone asks to post in a room.
public struct PostRequest: Sendable {
    public var sender: Identity
    public var body: String
    /// Nil: to the room. `.staff`: a question for the counselor. `.member`: a staff whisper.
    public var recipient: Recipient?
    /// A staff announcement.
    public var announce: Bool

    public init(sender: Identity, body: String, recipient: Recipient? = nil, announce: Bool = false) {
        self.sender = sender; self.body = body; self.recipient = recipient; self.announce = announce
    }
}

/// How much room the message writer's queue has, as the server measured it before deciding a post.
public enum WriterRoom: Sendable {
    case available
    /// At its bound, within the reserve kept for participants' crisis messages.
    case crisisReserveOnly
    /// Past the reserve too.
    case full
}

/// A post the room accepted: what to store. Nothing is delivered until it is committed.
public struct AcceptedPost: Equatable, Sendable {
    public var kind: MessageKind
    /// A whisper's recipient.
    public var to: MemberInfo?
    /// Held for a counselor's review (review mode, or a high-severity crisis signal when the clinic holds those).
    public var held: Bool
    /// The crisis signal a participant's message matched: an alert is raised once it is committed.
    public var crisis: CrisisMatch?

    public init(kind: MessageKind, to: MemberInfo?, held: Bool, crisis: CrisisMatch?) {
        self.kind = kind; self.to = to; self.held = held; self.crisis = crisis
    }
}

/// Why a post was refused, and what else the server should do about it.
public struct PostRefusal: Error, Equatable, Sendable {
    /// What else the refusal means.
    public enum Note: Equatable, Sendable {
        /// The room's window is closed: a resend of a message committed before it closed still gets its ack.
        case roomClosed
        /// A staff-only kind of post by someone else: recorded as a refused request (`what`).
        case staffOnly(what: String)
        /// Slow mode: counted with the rate-limited abuse.
        case slowMode
        /// The message writer's queue is full.
        case writerFull
    }

    public var error: ProtocolError
    public var note: Note?

    public init(_ error: ProtocolError, note: Note? = nil) { self.error = error; self.note = note }
}

extension RoomCore {
    /// Decides a post by someone in the room, in the order the protocol states its refusals (PROTOCOL.md 3.3), and
    /// notes the participant's time for slow mode when it is accepted. `scan` is the crisis lexicon's.
    public mutating func post(_ request: PostRequest, now: Date, limits: MessageLimits, writer: WriterRoom,
                              holdHighSeverity: Bool, scan: (String) -> CrisisMatch?) -> Result<AcceptedPost, PostRefusal> {
        let sender = request.sender
        let staff = sender.role.isStaff
        guard AccessRule.mayAccess(sender, descriptor) else {
            return .failure(PostRefusal(.forbidden("Break-glass access is read-only: you cannot write in this room.")))
        }
        if case .failure(let error) = AccessRule.send(sender, descriptor, now: now) {
            return .failure(PostRefusal(error, note: .roomClosed))
        }
        if ended {
            return .failure(PostRefusal(ProtocolError(.ended, "This session has ended: nothing more can be sent.")))
        }
        if (request.announce || request.recipient.map({ $0 != .staff }) == true) && !staff {
            return .failure(PostRefusal(.forbidden("Only counselors can announce or whisper."),
                                        note: .staffOnly(what: request.announce ? "send announce" : "send whisper")))
        }
        var kind = MessageKind.chat
        var to: MemberInfo?
        switch request.recipient {
        case .staff?: kind = .private
        case .member(let member)?:
            guard let target = present[member]?.member, !target.role.isStaff else {
                return .failure(PostRefusal(.badRequest("You can whisper only to a participant or family member in the room.")))
            }
            kind = .whisper
            to = target
        case nil: kind = request.announce ? .announcement : .chat
        }
        if !staff, let refusal = memberRefusal(sender, kind: kind, now: now) { return .failure(PostRefusal(refusal)) }
        if let error = limits.validate(body: request.body) { return .failure(PostRefusal(error)) }
        var crisis: CrisisMatch?
        var scanned = false
        switch writer {
        case .available: break
        case .full: return .failure(PostRefusal(Self.busy, note: .writerFull))
        case .crisisReserveOnly:
            crisis = staff ? nil : scan(request.body)
            scanned = true
            if crisis == nil { return .failure(PostRefusal(Self.busy, note: .writerFull)) }
        }
        guard !staff else { return .success(AcceptedPost(kind: kind, to: to, held: false, crisis: nil)) }
        if kind == .chat, let wait = SlowMode(seconds: control.slowSeconds).wait(since: lastPost[sender.id], now: now) {
            return .failure(PostRefusal(ProtocolError(.rateLimited,
                "Slow mode is on: one message every \(control.slowSeconds) s. Wait \(wait) s.", retryAfter: wait), note: .slowMode))
        }
        if !scanned { crisis = scan(request.body) }
        let held = kind == .chat && (control.reviewMode || (holdHighSeverity && crisis?.severity == .high))
        if kind == .chat { lastPost[sender.id] = now }
        return .success(AcceptedPost(kind: kind, to: to, held: held, crisis: crisis))
    }

    /// What stops a participant or family member from writing now (a question for the counselor goes through mutes
    /// and rounds), or nil.
    private func memberRefusal(_ sender: Identity, kind: MessageKind, now: Date) -> ProtocolError? {
        if let until = mute(of: sender.id, at: now), kind != .private {
            let end = until.map { " for \(max(1, Int(($0.timeIntervalSince(now) / 60).rounded(.up)))) more min" } ?? ""
            return ProtocolError(.muted, "A counselor has muted you\(end). You can still read, and write to the counselor privately.")
        }
        if let speaker, speaker.id != sender.id, kind != .private {
            return ProtocolError(.notYourTurn,
                "It is \(speaker.name)'s turn in the check-in round. You can write when the talking piece reaches you.")
        }
        if agreementToAccept(by: sender) != nil {
            return ProtocolError(.agreementRequired, "Please read and accept the group agreement before you write.")
        }
        if paused {
            return ProtocolError(.noStaff, "The session is paused until a counselor joins. You can still read.")
        }
        return nil
    }

    /// The refusal of a post while the message writer's queue is full.
    public static var busy: ProtocolError { .busy }
}
