import MeshCluster

/// The names a scenario uses that only a topology can confirm (node ids, regions), and the
/// places that need a topology at all; collected while decoding, checked by
/// `ScenarioValidator` once the target is known.
final class ScenarioReferences {
    /// A name and the field it was written in, for the message.
    struct Reference {
        var name: Located<String>
        var field: String
    }

    /// `target.topology` as written, for messages about the topology file.
    var topologyPath: Located<String>?
    /// Node ids, from `enter`, `under_test` and faults.
    private(set) var nodes: [Reference] = []
    /// Region names, from `viewers.regions`.
    private(set) var regions: [Reference] = []
    /// `viewers.turn`'s transport and where it was written, with the node viewers enter
    /// (`nil`: placement), to check that a TURN listener is there.
    var turn: (transport: String, location: SourceLocation, entry: String?)?
    /// Fields that only make sense when meshbench starts the nodes itself.
    private(set) var needingTopology: [Located<String>] = []

    /// Records a node id to check.
    func node(_ name: Located<String>, in field: String) {
        nodes.append(Reference(name: name, field: field))
    }

    /// Records a region name to check.
    func region(_ name: Located<String>, in field: String) {
        regions.append(Reference(name: name, field: field))
    }

    /// Records a field (by its description) that needs `target.topology`.
    func needsTopology(_ field: String, at location: SourceLocation) {
        needingTopology.append(Located(value: field, location: location))
    }
}
