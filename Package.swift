// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "SkyLightInbox",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "skylight", targets: ["skylight"]),
        .library(name: "SkyLight", targets: ["SkyLight"]),
        .library(name: "SkyLightSandbox", targets: ["SkyLightSandbox"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.0.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.0.0"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
    ],
    targets: [
        .systemLibrary(name: "CNcursesw", path: "Sources/CNcursesw"),
        .target(
            name: "SkyLight",
            dependencies: [
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "SkyLightSandbox",
            dependencies: [
                "SkyLight",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "Inbox",
            dependencies: [
                "SkyLight",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "TOMLKit", package: "TOMLKit"),
                .product(name: "Logging", package: "swift-log"),
            ],
            // Sources/Inbox/themes links to the top-level themes/: compiled in, an installed binary has them.
            resources: [.embedInCode("themes")]
        ),
        .target(name: "Terminal", dependencies: ["CNcursesw", "Inbox"]),
        .executableTarget(
            name: "skylight",
            dependencies: [
                "SkyLight", "SkyLightSandbox", "Inbox", "Terminal",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "skylight-bench",
            dependencies: ["SkyLight", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .target(name: "TestSupport", dependencies: [.product(name: "GRDB", package: "GRDB.swift")], path: "Tests/TestSupport"),
        .testTarget(name: "SkyLightTests", dependencies: ["SkyLight", "SkyLightSandbox"], resources: [.copy("Fixtures")]),
        .testTarget(name: "SkyLightSandboxTests", dependencies: ["SkyLightSandbox", "SkyLight", "TestSupport"]),
        .testTarget(name: "InboxTests", dependencies: ["Inbox", "SkyLight", "SkyLightSandbox", "TestSupport",
                                                      .product(name: "GRDB", package: "GRDB.swift")]),
        .testTarget(name: "TerminalTests", dependencies: ["Terminal", "Inbox", "SkyLight"], exclude: ["Snapshots"]),
        .testTarget(name: "EndToEndTests", dependencies: ["SkyLight", "SkyLightSandbox", "CNcursesw", "Terminal", "TestSupport",
                                                          .product(name: "GRDB", package: "GRDB.swift")]),
    ],
    swiftLanguageModes: [.v6]
)
