import Foundation
import Prometheus

/// The server's Prometheus metrics: counts, gauges and histograms only, with no labels at all, so no name, id or
/// text can ever reach a scrape. Recorded by the hub on its service thread (and the gauges refreshed by its tick);
/// served by a `MetricsListener` on `metrics_address` (off by default), never on the public port. Safe from any
/// thread: the registry's metrics are atomic.
final class ServerMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()

    /// Open WebSocket connections.
    let connections: Gauge
    /// Rooms live in memory (someone in them, waiting, or a message in flight).
    let roomsLive: Gauge
    /// Crisis alerts raised and neither acknowledged nor escalated.
    let alertsOpen: Gauge
    /// Messages committed to the store (resends of a stored message are not counted again).
    let messagesStored: Counter
    /// Messages per group commit (one transaction).
    let commitBatch: ValueHistogram
    /// One group commit on the writer thread: its statements, the commit and its fsync.
    let commitDuration: DurationHistogram
    /// From accepting a `send` until its `message` frames are queued to the room: what a reader waits for.
    let deliveryLatency: DurationHistogram
    /// Connections closed because they did not read their frames (their send queue stayed over the limits).
    let sendQueueClosures: Counter
    /// How late the once-a-second tick ran: the time the service thread was busy with something else.
    let eventLoopStall: DurationHistogram

    init() {
        let durations: [Duration] = [.microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5),
                                     .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
                                     .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(5)]
        connections = registry.makeGauge(name: "hearth_connections", help: "Open WebSocket connections.")
        roomsLive = registry.makeGauge(name: "hearth_rooms_live", help: "Rooms live in memory.")
        alertsOpen = registry.makeGauge(name: "hearth_alerts_open",
                                        help: "Crisis alerts raised and neither acknowledged nor escalated.")
        messagesStored = registry.makeCounter(name: "hearth_messages_stored_total",
                                              help: "Messages committed to the store.")
        commitBatch = registry.makeValueHistogram(name: "hearth_commit_batch_messages",
                                                  buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000],
                                                  help: "Messages per group commit.")
        commitDuration = registry.makeDurationHistogram(
            name: "hearth_commit_seconds", buckets: durations,
            help: "One group commit on the writer thread: its statements, the commit and its fsync.")
        deliveryLatency = registry.makeDurationHistogram(
            name: "hearth_delivery_latency_seconds", buckets: durations,
            help: "From accepting a send until its message frames are queued to the room.")
        sendQueueClosures = registry.makeCounter(
            name: "hearth_send_queue_closures_total",
            help: "Connections closed because they did not read their frames.")
        eventLoopStall = registry.makeDurationHistogram(
            name: "hearth_event_loop_stall_seconds", buckets: durations,
            help: "How late the once-a-second housekeeping tick ran.")
    }

    /// The Prometheus text exposition of every metric.
    func exposition() -> [UInt8] {
        var buffer: [UInt8] = []
        buffer.reserveCapacity(4096)
        registry.emit(into: &buffer)
        return buffer
    }
}
