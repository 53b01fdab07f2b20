import Domain
import Foundation
import Store

extension StoreWorld {
    /// Adds a contact to an agency's directory entry (as the command line) and returns them as an action's owner.
    public func contactOwner(_ name: String, agency: String, email: String = "") throws -> ActionOwner {
        .contact(try stores.agencies.saveContact(id: nil, agencyID: try agencyID(agency), name: name, role: "Officer", email: email,
                                                 phone: email.isEmpty ? "01000 000000" : "", isSPOC: false, active: true, by: .commandLine))
    }

    /// The user with this username as an action's owner.
    public func userOwner(_ username: String) throws -> ActionOwner { .user(try viewer(username).user.id) }
}
