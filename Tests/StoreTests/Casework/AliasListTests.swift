@testable import Store
import Testing

@Suite("Other names kept with the record")
struct AliasListTests {
    @Test("any names come back exactly as they went in, in byte order", arguments: [
        [], ["Spike"], ["Jo-Jo", "Big: Sam, Jr"], ["12:3", "3:", ":", ""], ["Zoë", "Zoe", "Åsa", "李"], [String(repeating: "x", count: 300)],
    ])
    func roundTrip(names: [String]) {
        let sorted = names.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        #expect(AliasList.decode(AliasList.encode(names)) == sorted)
    }

    @Test("a damaged list gives the names before the damage, never a crash")
    func damaged() {
        #expect(AliasList.decode("5:Spike3:Jo") == ["Spike"])
        #expect(AliasList.decode("x:Spike") == [])
        #expect(AliasList.decode("5:Spike99999999999999999999:") == ["Spike"])
        #expect(AliasList.decode("no colon") == [])
    }
}
