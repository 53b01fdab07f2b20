// swift-tools-version:6.0
import PackageDescription

/// Layers point inward: C wrappers ← HTTPServer/Database/Crypto ← Store ← WebApp ← mappa; Adapters (mail,
/// iCalendar) and Documents (PDF) sit beside Store, on Domain and their C wrappers only.
/// Domain imports nothing of ours. See ../shared/DESIGN.md.
let package = Package(
    name: "MAPPACoordinator",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "mappa", targets: ["mappa"]),
    ],
    targets: [
        // Thin C wrappers over Debian libraries.
        .systemLibrary(name: "CMicroHTTPD", path: "Sources/CMicroHTTPD", pkgConfig: "libmicrohttpd"),
        .systemLibrary(name: "CSQLite", path: "Sources/CSQLite", pkgConfig: "sqlite3"),
        .systemLibrary(name: "CSodium", path: "Sources/CSodium", pkgConfig: "libsodium"),
        .systemLibrary(name: "CPostgres", path: "Sources/CPostgres", pkgConfig: "libpq"),
        .systemLibrary(name: "CCurl", path: "Sources/CCurl", pkgConfig: "libcurl",
                       providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(name: "CPangoCairo", path: "Sources/CPangoCairo", pkgConfig: "pangocairo"),
        .systemLibrary(name: "CXLSXWriter", path: "Sources/CXLSXWriter", pkgConfig: "xlsxwriter",
                       providers: [.apt(["libxlsxwriter-dev"])]),
        .systemLibrary(name: "CPWQuality", path: "Sources/CPWQuality", pkgConfig: "pwquality",
                       providers: [.apt(["libpwquality-dev", "cracklib-runtime"])]),

        .target(name: "HTTPServer", dependencies: ["CMicroHTTPD"]),
        .target(name: "Database", dependencies: ["CSQLite", "CPostgres"]),
        .target(name: "Crypto", dependencies: ["CSodium", "CPWQuality"]),
        .target(name: "Domain"),
        .target(name: "Documents", dependencies: ["Domain", "CPangoCairo"]),
        .target(name: "Store", dependencies: ["Domain", "Database", "Crypto"]),
        .target(name: "Adapters", dependencies: ["Domain", "CCurl", "CXLSXWriter"]),
        .target(name: "WebApp", dependencies: ["HTTPServer", "Database", "Crypto", "Domain", "Store", "Adapters", "Documents"]),
        .executableTarget(name: "mappa", dependencies: ["WebApp", "Store", "Database", "Domain", "Crypto", "HTTPServer",
                                                        "Adapters"]),

        // Shared by the test targets only: throwaway SQLite files and PostgreSQL schemas.
        .target(name: "TestSupport", dependencies: ["Database", "Domain", "Store"], path: "Tests/TestSupport"),
        .testTarget(name: "HTTPServerTests", dependencies: ["HTTPServer"]),
        .testTarget(name: "DatabaseTests", dependencies: ["Database", "TestSupport"]),
        .testTarget(name: "DomainTests", dependencies: ["Domain"]),
        .testTarget(name: "CryptoTests", dependencies: ["Crypto"]),
        .testTarget(name: "AdaptersTests", dependencies: ["Adapters", "Domain"]),
        .testTarget(name: "DocumentsTests", dependencies: ["Documents", "Domain"]),
        .testTarget(name: "StoreTests", dependencies: ["Store", "Database", "Domain", "Crypto", "TestSupport"]),
        .testTarget(name: "WebAppTests", dependencies: ["WebApp", "HTTPServer", "Store", "Database", "Domain", "Crypto",
                                                     "TestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
