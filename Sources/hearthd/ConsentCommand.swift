import ArgumentParser
import Foundation
import HearthCore
import HearthStore

/// `hearthd consent`: participants' written consents (42 CFR Part 2 §2.31), of three kinds: for a family member to
/// take part in family sessions (numbered `N`), to take part with their family in multi-family group sessions
/// (numbered `mN`), and to disclose their records to a recipient for a purpose (numbered `dN`), which an external
/// transcript export needs.
struct ConsentCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "consent",
        abstract: "Record, revoke and list participants' consents (42 CFR Part 2 §2.31): family participation, multi-family group participation, and disclosure to a recipient for a purpose.",
        subcommands: [Add.self, Revoke.self, List.self])

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record a participant's written consent: --family F for a family member to join their family sessions, --multi-family for them and their family to join multi-family group sessions, or --recipient and --purpose to disclose their records.",
            discussion: """
                hearthd consent add --participant alex --family maria [--series family-therapy]
                hearthd consent add --participant alex --multi-family [--series multi-family-2026-12]
                hearthd consent add --participant alex --recipient "County Probation" --purpose "court compliance"
                """)
        @OptionGroup var database: DatabaseOption
        @Option(help: "The participant who consents (id or key).") var participant: String
        @Option(help: "The family member it is for (id or key).") var family: String?
        @Flag(help: "Consent to take part, with their family, in multi-family group sessions, where other participants' families read what they say.")
        var multiFamily = false
        @Option(help: "With --family: only this series (key), default every family and multi-family session; with --multi-family: only this multi-family series, default every one.") var series: String?
        @Option(help: "Who may receive the records, as the signed form names them (a person or an organization).") var recipient: String?
        @Option(help: "The purpose of the disclosure, as the signed form states it.") var purpose: String?
        @Option(help: "Last day it is valid, e.g. 2027-01-31.") var expires: String?
        @Option(help: "Where the signed form is kept, or other context (no clinical detail).") var note: String?

        func validate() throws {
            let disclosure = recipient != nil || purpose != nil
            if [family != nil, multiFamily, disclosure].filter({ $0 }).count > 1 {
                throw ValidationError("Give one kind of consent at a time (not both): --family (family participation), --multi-family (multi-family group participation), or --recipient and --purpose (disclosure).")
            }
            if family == nil && !multiFamily && !disclosure {
                throw ValidationError("Give --family F for a family member's participation, --multi-family for multi-family group sessions, or --recipient WHO and --purpose WHY for a disclosure.")
            }
            if disclosure && (recipient?.trimmingCharacters(in: .whitespaces).isEmpty ?? true) {
                throw ValidationError("A disclosure consent needs --recipient: who may receive the records.")
            }
            if disclosure && (purpose?.trimmingCharacters(in: .whitespaces).isEmpty ?? true) {
                throw ValidationError("A disclosure consent needs --purpose: why the records are disclosed.")
            }
            if disclosure && series != nil {
                throw ValidationError("--series applies to family and multi-family participation only; a disclosure consent covers the participant's records.")
            }
        }

        func run() throws {
            let database = try openDatabase(database)
            let directory = Directory(database)
            let who = try person(participant, in: directory, role: .participant)
            let expiresOn = try expires.map { try parseDate($0, "--expires") }
            if let recipient, let purpose {
                let consent = try DisclosureConsentStore(database).add(participant: who.id, recipient: recipient,
                                                                       purpose: purpose, expiresOn: expiresOn, note: note)
                print("consent \(consent.label): \(who.displayName) consents to disclosing their records to \(consent.recipient) for \(consent.purpose)\(expires.map { " until \($0)" } ?? "")")
                return
            }
            var seriesID: SeriesID?
            if let series {
                guard let record = try ScheduleStore(database).series(key: series) else {
                    throw AdminError("No series has the key \"\(series)\".")
                }
                if multiFamily && record.kind != .multiFamily {
                    throw AdminError("Series \"\(series)\" is a \(record.kind.rawValue) session; a multi-family group consent covers multi_family series only.")
                }
                seriesID = record.id
            }
            if multiFamily {
                let consent = try MultiFamilyConsentStore(database).add(participant: who.id, series: seriesID,
                                                                        expiresOn: expiresOn, note: note)
                print("consent \(consent.label): \(who.displayName) consents to taking part, with their family, in \(series.map { "series \($0)" } ?? "multi-family group sessions")\(expires.map { " until \($0)" } ?? "")")
                return
            }
            guard let family else { return }
            let member = try person(family, in: directory, role: .family)
            let consent = try ConsentStore(database).add(participant: who.id, family: member.id, series: seriesID,
                                                         expiresOn: expiresOn, note: note)
            print("consent \(consent.id!): \(who.displayName) consents to \(member.displayName) taking part in \(series.map { "series \($0)" } ?? "their family sessions")\(expires.map { " until \($0)" } ?? "")")
        }
    }

    struct Revoke: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Revoke a consent: a family member, or for a multi-family group consent the participant and their family, loses access at once (connected clients within a second); a disclosure consent covers no later export.")
        @OptionGroup var database: DatabaseOption
        @Argument(help: "The consent's id as `consent list` prints it: N for family participation, mN for multi-family group participation, dN for disclosure.")
        var id: String

        /// The three kinds of consent, by the letter before their number.
        enum Kind { case family, multiFamily, disclosure }

        func validate() throws {
            if Self.parse(id) == nil {
                throw ValidationError("Give the consent's id as `consent list` prints it: a number (family), m and a number (multi-family) or d and a number (disclosure), e.g. 3, m3 or d3.")
            }
        }

        static func parse(_ text: String) -> (kind: Kind, number: Int64)? {
            let lowered = text.lowercased()
            if lowered.hasPrefix("d"), let number = Int64(lowered.dropFirst()), number > 0 { return (.disclosure, number) }
            if lowered.hasPrefix("m"), let number = Int64(lowered.dropFirst()), number > 0 { return (.multiFamily, number) }
            if let number = Int64(lowered), number > 0 { return (.family, number) }
            return nil
        }

        func run() throws {
            guard let (kind, number) = Self.parse(id) else { return }
            let database = try openDatabase(database)
            let revoked = switch kind {
            case .family: try ConsentStore(database).revoke(id: number)
            case .multiFamily: try MultiFamilyConsentStore(database).revoke(id: number)
            case .disclosure: try DisclosureConsentStore(database).revoke(id: number)
            }
            guard revoked else { throw AdminError("Consent \(id) is unknown or already revoked. (`hearthd consent list` shows them.)") }
            print("consent \(id) revoked")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List consents, newest first: family participation (N), then multi-family group participation (mN), then disclosure (dN).")
        @OptionGroup var database: DatabaseOption
        @Option(help: "Only this participant's (id or key).") var participant: String?

        func run() throws {
            let database = try openDatabase(database)
            let directory = Directory(database)
            let who = try participant.map { try person($0, in: directory, role: .participant) }
            let series = Dictionary(uniqueKeysWithValues: try ScheduleStore(database).allSeries().map { ($0.id, $0.key) })
            for consent in try ConsentStore(database).list(participant: who?.id) {
                let from = try directory.person(consent.participantId)?.displayName ?? "?"
                let to = try directory.person(consent.familyId)?.displayName ?? "?"
                let scope = consent.seriesId.map { "series \(series[$0] ?? $0.rawValue)" } ?? "all family sessions"
                let state = consent.revokedAt.map { "revoked \(WireTime.local(Date(epochMilliseconds: $0), in: .current))" }
                    ?? (consent.isActive(at: Date(), in: .current) ? "in force" : "expired")
                print("\(consent.id!)  \(from) for \(to)  \(scope)  expires \(consent.expiresOn ?? "never")  \(state)")
            }
            let today = LocalDate(Date(), in: .current)
            for consent in try MultiFamilyConsentStore(database).list(participant: who?.id) {
                let from = try directory.person(consent.participantId)?.displayName ?? "?"
                let scope = consent.seriesId.map { "series \(series[$0] ?? $0.rawValue)" } ?? "all multi-family sessions"
                let state = consent.revokedAt.map { "revoked \(WireTime.local(Date(epochMilliseconds: $0), in: .current))" }
                    ?? (consent.isInForce(on: today) ? "in force" : "expired")
                print("\(consent.label)  \(from) with their family in multi-family groups  \(scope)  expires \(consent.expiresOn ?? "never")  \(state)")
            }
            for consent in try DisclosureConsentStore(database).list(participant: who?.id) {
                let from = try directory.person(consent.participantId)?.displayName ?? "?"
                let state = consent.revokedAt.map { "revoked \(WireTime.local(Date(epochMilliseconds: $0), in: .current))" }
                    ?? (consent.isInForce(on: today) ? "in force" : "expired")
                print("\(consent.label)  \(from) discloses to \(consent.recipient) for \(consent.purpose)  expires \(consent.expiresOn ?? "never")  \(state)")
            }
        }
    }
}
