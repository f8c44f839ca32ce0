import Foundation

/// One workload on one server: hearth-load's result line, and the server's CPU over the sending phase and its
/// memory at the end of it.
struct Measurement {
    let figures: LoadFigures
    let serverCPUSeconds: Double
    let rssKiB: Int?

    var deliveries: Int { figures.int("deliveries") ?? 0 }
    var expected: Int { figures.int("expected") ?? 0 }

    /// throughput: hearth-load's figure (first send to last delivery); paced: over the sending seconds.
    var deliveriesPerSecond: Double? {
        if let rate = figures.double("deliveries_per_s") { return rate }
        guard let seconds = figures.double("seconds"), seconds > 0 else { return nil }
        return Double(deliveries) / seconds
    }

    var cpuPerDeliveryMicros: Double? { deliveries > 0 ? serverCPUSeconds / Double(deliveries) * 1e6 : nil }
    func latencyMs(_ percentile: String) -> Double? { figures.double("latency_\(percentile)_ms") }
    var rssMiB: Double? { rssKiB.map { Double($0) / 1024 } }
}

/// The side-by-side table: per workload and figure, Hearth, the reference, their ratio, and issue 14's goal.
struct CompareReport {
    struct Workload {
        var hearth: [Measurement?] = []
        var reference: [Measurement?] = []
    }

    let command: CompareCommand
    var saturating = Workload()
    var paced = Workload()

    /// The median of the runs that gave the figure (the middle one; of two, their mean).
    private static func median(_ runs: [Measurement?], _ figure: (Measurement) -> Double?) -> Double? {
        let values = runs.compactMap { $0.flatMap(figure) }.sorted()
        guard !values.isEmpty else { return nil }
        let middle = values.count / 2
        return values.count % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2
    }

    private struct Row {
        let figure: String
        let value: (Measurement) -> Double?
        let format: (Double) -> String
        /// Issue 14's goal for this figure, given Hearth's value and the ratio; nil where it sets none.
        var goal: ((Double, Double) -> (text: String, met: Bool))?
    }

    private static func ms(_ value: Double) -> String { String(format: value < 10 ? "%.2f ms" : "%.0f ms", value) }

    private func rows(paced: Bool) -> [Row] {
        var rows = [
            Row(figure: "deliveries/s", value: { $0.deliveriesPerSecond }, format: { String(format: "%.0f", $0) }),
            Row(figure: "server CPU per delivery", value: { $0.cpuPerDeliveryMicros },
                format: { String(format: "%.2f µs", $0) }),
            Row(figure: "latency p50", value: { $0.latencyMs("p50") }, format: Self.ms),
            Row(figure: "latency p99", value: { $0.latencyMs("p99") }, format: Self.ms),
            Row(figure: "latency p99.9", value: { $0.latencyMs("p999") }, format: Self.ms),
            Row(figure: "server VmRSS", value: { $0.rssMiB }, format: { String(format: "%.1f MiB", $0) }),
        ]
        if paced {
            rows[3].goal = { _, ratio in ("≤ 1.5x", ratio <= 1.5) }
            rows[4].goal = { hearth, _ in ("Hearth < 10 ms", hearth < 10) }
        } else {
            rows[0].goal = { _, ratio in ("≥ 0.8x", ratio >= 0.8) }
            rows[1].goal = { _, ratio in ("≤ 1.5x", ratio <= 1.5) }
        }
        return rows
    }

    /// "1440000 of 1440000, 0 lost, 0 duplicated" for each run, or what went wrong.
    private static func accounting(_ runs: [Measurement?]) -> String {
        runs.map { run -> String in
            guard let run else { return "no result" }
            var text = "\(run.deliveries) of \(run.expected)"
            if let lost = run.figures.int("lost"), let duplicates = run.figures.int("duplicates") {
                text += ", \(lost) lost, \(duplicates) duplicated"
            }
            return run.figures.complete ? text : text + " (unfinished)"
        }.joined(separator: "; ")
    }

    /// Every run finished with every delivery made, none lost and none twice.
    private static func allAccountedFor(_ runs: [Measurement?]) -> Bool {
        runs.allSatisfy { run in
            guard let run, run.figures.complete, run.deliveries == run.expected else { return false }
            return (run.figures.int("lost") ?? 0) == 0 && (run.figures.int("duplicates") ?? 0) == 0
        }
    }

    func table() -> String {
        var lines = ["| workload | figure | Hearth | reference | Hearth / reference | goal (issue 14) |",
                     "| --- | --- | --- | --- | --- | --- |"]
        let workloads: [(String, Workload, Bool)] = [
            ("saturating: \(command.rooms) rooms x \(command.members), \(command.messages) messages each, window "
             + "\(command.window)" + (command.runs > 1 ? ", median of \(command.runs) runs" : ""), saturating, false),
            ("paced: \(command.rooms * command.members) members, \(command.pacedRate) messages/s for "
             + "\(command.pacedSeconds) s", paced, true),
        ]
        for (title, workload, isPaced) in workloads where !workload.hearth.isEmpty {
            for (index, row) in rows(paced: isPaced).enumerated() {
                let label = index == 0 ? title : ""
                let hearth = Self.median(workload.hearth, row.value)
                let reference = Self.median(workload.reference, row.value)
                var ratio = "n/a", goal = ""
                if let hearth, let reference, reference > 0 {
                    ratio = String(format: "%.2fx", hearth / reference)
                    if let check = row.goal?(hearth, hearth / reference) {
                        goal = check.text + (check.met ? ": met" : ": not met")
                    }
                } else if let check = row.goal {
                    goal = check(.infinity, .infinity).text + ": n/a"
                }
                lines.append("| \(label) | \(row.figure) | \(hearth.map(row.format) ?? "n/a") | "
                             + "\(reference.map(row.format) ?? "n/a") | \(ratio) | \(goal) |")
            }
            // Only the saturating run checks each message at each member (lost, duplicated); paced counts them.
            let goal = isPaced ? "every one delivered" : "every one, once"
            let whole = Self.allAccountedFor(workload.hearth)
            lines.append("| | deliveries (each run) | \(Self.accounting(workload.hearth)) | "
                         + "\(Self.accounting(workload.reference)) | | \(goal): \(whole ? "met" : "not met") |")
        }
        return lines.joined(separator: "\n")
    }
}
