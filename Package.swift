// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "Hearth",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "hearthd", targets: ["hearthd"]),
        .executable(name: "hearth-bench", targets: ["hearth-bench"]),
        .executable(name: "hearth-load", targets: ["hearth-load"]),
        .executable(name: "hearth-reference", targets: ["hearth-reference"]),
        .executable(name: "hearth", targets: ["hearth"]),
        .library(name: "HearthClient", targets: ["HearthClient"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    ],
    targets: [
        // Domain types, wire codec, room rules, schedule maths and the crisis lexicon. Foundation only: no I/O, no
        // threads. The lexicon's phrases are compiled into the binary (PackageResources.crisis_lexicon_txt).
        .target(name: "HearthCore", resources: [.embedInCode("Resources/crisis-lexicon.txt")]),
        // GRDB records, migrations, queries and the group-commit writer thread.
        .target(name: "HearthStore", dependencies: [
            "HearthCore",
            .product(name: "GRDB", package: "GRDB.swift"),
            // SQLite's C API, for the writer's message insert (MessageInsert.swift); the same library GRDB links.
            .product(name: "GRDBSQLite", package: "GRDB.swift"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        // libwebsockets, as Debian ships it.
        .systemLibrary(name: "CLibWebSockets", pkgConfig: "libwebsockets",
                       providers: [.apt(["libwebsockets-dev"])]),
        // Thin Swift over lws: a server and a client, each on one service thread. Knows nothing of rooms.
        .target(name: "HearthTransport", dependencies: [
            "CLibWebSockets",
            .product(name: "Logging", package: "swift-log"),
        ]),
        // The hub: transport events -> rooms -> store -> fan-out. Prometheus metrics on their own listener.
        .target(name: "HearthServer", dependencies: [
            "HearthCore", "HearthStore", "HearthTransport",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Prometheus", package: "swift-prometheus"),
        ]),
        // Clinic administration: people, tokens, YAML schedule import, demo clinic.
        .target(name: "HearthAdmin", dependencies: [
            "HearthCore", "HearthStore",
            .product(name: "Yams", package: "Yams"),
        ]),
        // Protocol client over the lws client transport (tests, benchmark, terminal client).
        .target(name: "HearthClient", dependencies: ["HearthCore", "HearthTransport"]),
        .executableTarget(name: "hearthd", dependencies: [
            "HearthServer", "HearthAdmin", "HearthStore", "HearthCore",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        // The counselors' screen as a pure model: layout and rendering into a grid of cells, keys to actions, the
        // input line, slash commands and completion. No terminal I/O: the tests check the model.
        .target(name: "HearthTerminal", dependencies: ["HearthClient", "HearthCore"]),
        // The counselors' terminal client: the screen over a real terminal, and one-shot commands for scripts.
        .executableTarget(name: "hearth", dependencies: [
            "HearthTerminal", "HearthClient", "HearthCore",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "hearth-bench", dependencies: [
            "HearthTransport", "HearthCore",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        // Bench-only: the C load generator `hearth-bench scenarios` drives (threads of lws client contexts, no JSON
        // parsing; docs/PERFORMANCE.md).
        .executableTarget(name: "hearth-load", linkerSettings: [.linkedLibrary("websockets")]),
        // Bench-only: the reference server `hearth-bench compare` measures hearthd against: bare libwebsockets in C,
        // the same event loop, one SQLite transaction per loop turn, persist then deliver; only hello, join and send
        // (docs/PERFORMANCE.md). Not something to deploy.
        .executableTarget(name: "hearth-reference",
                          linkerSettings: [.linkedLibrary("websockets"), .linkedLibrary("sqlite3")]),
        // Test-only: an echo endpoint on HearthTransport with hearthd's transport settings, for the Autobahn cases
        // (docs/CONFORMANCE.md). Not a product.
        .executableTarget(name: "hearth-echo", dependencies: [
            "HearthTransport",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        // Test support: the client state fixtures (people, rooms, frames, signed-in states) HearthClientTests and
        // HearthTerminalTests share. Not a product.
        .target(name: "HearthClientFixtures", dependencies: ["HearthClient", "HearthCore"],
                path: "Tests/HearthClientFixtures"),
        .testTarget(name: "HearthCoreTests", dependencies: ["HearthCore"]),
        .testTarget(name: "HearthStoreTests", dependencies: [
            "HearthStore", "HearthAdmin", "HearthCore",
            .product(name: "GRDB", package: "GRDB.swift"),
        ]),
        .testTarget(name: "HearthClientTests", dependencies: ["HearthClient", "HearthCore", "HearthClientFixtures"]),
        .testTarget(name: "HearthTerminalTests", dependencies: [
            "HearthTerminal", "HearthClient", "HearthCore", "HearthClientFixtures",
        ]),
        .testTarget(name: "HearthServerTests", dependencies: [
            "HearthServer", "HearthClient", "HearthAdmin", "HearthStore", "HearthCore", "HearthTerminal", "HearthTransport",
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "Logging", package: "swift-log"),
        ]),
    ],
    swiftLanguageModes: [.v6]
)
