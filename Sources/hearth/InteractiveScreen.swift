import Dispatch
import Foundation
import HearthClient
import HearthCore
import HearthTerminal
#if canImport(Glibc)
import Glibc
#endif

/// The counselors' screen over a real terminal: one owner task takes keys, connection events, resizes and ticks
/// from one stream in order, updates the `ClientState` and the `ScreenModel`, and redraws once per batch.
enum InteractiveScreen {
    /// What the owner task takes, in order.
    enum Input: Sendable {
        case bytes([UInt8])
        case event(ClientEvent)
        case linkEnded
        case resize
        case tick
        case redraw
    }

    static func run(settings: ClientSettingsFile) async throws {
        guard Terminal.isInteractive else { throw TerminalError.notATerminal }
        let client = try HearthClient(caFile: settings.caFile)
        let link = ReconnectingConnection(client: client, url: settings.url, token: settings.token)
        let terminal = Terminal()
        try terminal.enter()
        defer {
            terminal.restore()
            link.stop()
            client.shutdown()
        }
        let (inputs, feed) = AsyncStream.makeStream(of: Input.self)
        let sources = watchSignals(terminal: terminal, feed: feed)
        defer { sources.forEach { $0.cancel() } }
        KeyReader.start { bytes in feed.yield(.bytes(bytes)) }
        let events = Task {
            for await event in link.events { feed.yield(.event(event)) }
            feed.yield(.linkEnded)
        }
        let ticks = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(1))
                feed.yield(.tick)
            }
        }
        defer {
            events.cancel()
            ticks.cancel()
        }
        link.start()

        var state = ClientState()
        var model = ScreenModel(clientIDPrefix: UUID().uuidString, webAddress: ScreenModel.webAddress(forServer: settings.url))
        var decoder = KeyDecoder()
        var renderer = TerminalRenderer()
        var size = Terminal.size()
        var redrawPending = false
        let zone = TimeZone.current

        func draw() {
            // PgUp/PgDn move by what fits on this screen.
            model.view.pageSize = max(1, ScreenRenderer.messageRows(state: state, view: model.view, width: size.width,
                                                                    height: size.height) - 1)
            let grid = ScreenRenderer.render(state: state, view: model.view, width: size.width, height: size.height,
                                             now: Date(), timeZone: zone)
            Terminal.write(renderer.frame(grid))
        }
        draw()

        loop: for await input in inputs {
            let now = Date()
            var actions: [ScreenAction] = []
            var urgent = false
            switch input {
            case .bytes(let bytes):
                if bytes.isEmpty { break loop }
                var keys = decoder.feed(bytes)
                // A read that ends right after ESC is the Escape key itself (terminals send a sequence in one write).
                if decoder.hasPending { keys += decoder.flush() }
                for key in keys { actions += model.handle(key, state: state, now: now) }
                urgent = true
            case .event(let event):
                link.perform(state.apply(event, now: now))
                if case .frame(let frame) = event { actions += model.observe(frame, state: state, now: now) }
            case .linkEnded:
                break
            case .resize:
                size = Terminal.size()
                renderer.invalidate()
                urgent = true
            case .tick:
                // Requests the server rate-limited go again once their `retry_after` is over.
                link.perform(state.apply(.tick, now: now))
            case .redraw:
                redrawPending = false
                draw()
                continue
            }
            for action in actions {
                switch action {
                case .apply(let event):
                    link.perform(state.apply(event, now: now))
                case .send(let request):
                    if !link.send(request) {
                        model.view.status = .init(.error, "Not connected: the command was not sent. Try again once the connection is back.")
                    }
                case .bell:
                    Terminal.write("\u{07}")
                case .quit:
                    break loop
                }
            }
            if urgent {
                draw()
            } else if !redrawPending {
                // Frames come in bursts (a busy room): draw once per burst, at most every 30 ms.
                redrawPending = true
                Task {
                    try? await Task.sleep(for: .milliseconds(30))
                    feed.yield(.redraw)
                }
            }
        }
    }

    /// SIGWINCH redraws; SIGTERM and SIGHUP put the terminal back before the process ends.
    private static func watchSignals(terminal: Terminal, feed: AsyncStream<Input>.Continuation) -> [any DispatchSourceSignal] {
        var sources: [any DispatchSourceSignal] = []
        signal(SIGWINCH, SIG_IGN)
        let resize = DispatchSource.makeSignalSource(signal: SIGWINCH, queue: .global())
        resize.setEventHandler { @Sendable in feed.yield(.resize) }
        resize.resume()
        sources.append(resize)
        for sig in [SIGTERM, SIGHUP] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler { @Sendable in
                terminal.restore()
                exit(0)
            }
            source.resume()
            sources.append(source)
        }
        return sources
    }
}
