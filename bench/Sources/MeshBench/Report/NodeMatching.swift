/// Which node of report A stands for which node of report B, so `compare` lines up the node
/// figures of two different targets (Meshcast's `origin-1` and Janus's `janus` never share an
/// id). Matched in three passes, each over what the previous left: the same id (two runs of
/// one topology, meshbench itself), the same role in order of position, then what remains in
/// order of position (servers of different kinds in the same place).
struct NodeMatching: Equatable {
    /// How a pair was matched.
    enum Rule: String, Equatable {
        case id
        case role
        case position
    }

    /// One matched pair.
    struct Pair: Equatable {
        var a: String
        var b: String
        var rule: Rule
    }

    /// The matches, in A's node order.
    let pairs: [Pair]
    /// Nodes of A and of B left without a partner.
    let unmatchedA: [String]
    let unmatchedB: [String]

    /// Matches `a`'s nodes with `b`'s.
    init(_ a: [NodeFigures], _ b: [NodeFigures]) {
        var leftA = a
        var leftB = b
        var pairs: [(index: Int, pair: Pair)] = []
        func take(_ rule: Rule, _ same: (NodeFigures, NodeFigures) -> Bool) {
            var index = 0
            while index < leftA.count {
                if let other = leftB.firstIndex(where: { same(leftA[index], $0) }) {
                    let node = leftA.remove(at: index)
                    let partner = leftB.remove(at: other)
                    let order = a.firstIndex { $0.id == node.id } ?? 0
                    pairs.append((order, Pair(a: node.id, b: partner.id, rule: rule)))
                } else {
                    index += 1
                }
            }
        }
        take(.id) { $0.id == $1.id }
        take(.role) { $0.role == $1.role }
        take(.position) { _, _ in true }
        self.pairs = pairs.sorted { $0.index < $1.index }.map(\.pair)
        unmatchedA = leftA.map(\.id)
        unmatchedB = leftB.map(\.id)
    }

    /// The name both sides' figures of a node go under: its id, or "A-id↔B-id" when the ids differ.
    func label(a id: String) -> String {
        guard let pair = pairs.first(where: { $0.a == id }), pair.a != pair.b else { return id }
        return "\(pair.a)↔\(pair.b)"
    }

    /// The same for a node of B.
    func label(b id: String) -> String {
        guard let pair = pairs.first(where: { $0.b == id }), pair.a != pair.b else { return id }
        return "\(pair.a)↔\(pair.b)"
    }

    /// One line per pair of different ids and per unmatched node, saying what was matched with
    /// what and why (nodes of the same id need no line: their figures carry the same name).
    var lines: [String] {
        pairs.filter { $0.rule != .id }.map { "nodes: A \($0.a) with B \($0.b) (by \($0.rule.rawValue))" }
            + unmatchedA.map { "nodes: A \($0) has no partner in B" }
            + unmatchedB.map { "nodes: B \($0) has no partner in A" }
    }

    /// `name` with its `nodes[ID]` part renamed by `label`.
    static func rename(_ name: String, _ label: (String) -> String) -> String {
        guard name.hasPrefix("nodes["), let close = name.firstIndex(of: "]") else { return name }
        let id = String(name[name.index(name.startIndex, offsetBy: 6)..<close])
        return "nodes[\(label(id))" + name[close...]
    }
}
