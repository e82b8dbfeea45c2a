#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One-way latency between every pair of regions, and each region's others nearest first.
///
/// The latency table rarely lists every pair, so the distance between two regions is the
/// shortest path over the table's entries (a region reached through a hub costs the sum of
/// both legs). Regions the table does not connect at all are estimated from their
/// coordinates: great-circle distance at 100 km per millisecond (light in fibre covers about
/// 200 km/ms; routes are rarely straight, so half that). Regions with neither are unreachable
/// (`Double.infinity`) and sort last, by name.
public struct RegionDistances: Sendable {
    /// How one distance was obtained.
    public enum Basis: String, Sendable, Equatable {
        /// The same region: zero.
        case sameRegion = "same region"
        /// A direct latency table entry.
        case table = "latency table"
        /// A chain of latency table entries.
        case shortestPath = "latency table, via other regions"
        /// Estimated from coordinates.
        case greatCircle = "great-circle estimate"
        /// No way to tell.
        case unknown = "unknown"
    }

    /// Region names in topology order; indices below refer to this list.
    public let names: [String]
    private let indexByName: [String: Int]
    private let milliseconds: [[Double]]
    private let bases: [[Basis]]
    private let nearestOrder: [[Int]]

    /// Millisecond estimate per kilometre of great-circle distance.
    public static let millisecondsPerKilometre = 0.01

    /// Computes every pair once (Floyd-Warshall: 50 regions cost 125,000 steps).
    public init(topology: Topology) {
        names = topology.regions.map(\.name)
        let count = names.count
        var index: [String: Int] = [:]
        for (position, name) in names.enumerated() where index[name] == nil { index[name] = position }
        indexByName = index
        var distance = [[Double]](repeating: [Double](repeating: .infinity, count: count), count: count)
        var basis = [[Basis]](repeating: [Basis](repeating: .unknown, count: count), count: count)
        for position in 0..<count {
            distance[position][position] = 0
            basis[position][position] = .sameRegion
        }
        for entry in topology.latencies {
            guard let a = index[entry.first], let b = index[entry.second], a != b else { continue }
            if entry.milliseconds < distance[a][b] {
                distance[a][b] = entry.milliseconds
                distance[b][a] = entry.milliseconds
                basis[a][b] = .table
                basis[b][a] = .table
            }
        }
        for via in 0..<count {
            for from in 0..<count where distance[from][via] < .infinity {
                for to in 0..<count where distance[from][via] + distance[via][to] < distance[from][to] {
                    distance[from][to] = distance[from][via] + distance[via][to]
                    basis[from][to] = .shortestPath
                }
            }
        }
        let coordinates = topology.regions.map(\.coordinates)
        for from in 0..<count {
            for to in 0..<count where distance[from][to] == .infinity {
                guard let a = coordinates[from], let b = coordinates[to] else { continue }
                distance[from][to] = Self.greatCircleKilometres(a, b) * Self.millisecondsPerKilometre
                basis[from][to] = .greatCircle
            }
        }
        milliseconds = distance
        bases = basis
        let regionNames = names
        nearestOrder = (0..<count).map { from in
            (0..<count).sorted { left, right in
                let l = distance[from][left]
                let r = distance[from][right]
                return l != r ? l < r : regionNames[left] < regionNames[right]
            }
        }
    }

    /// The one-way latency between two regions; `infinity` when unknown or unnamed.
    public func milliseconds(from first: String, to second: String) -> Double {
        guard let a = indexByName[first], let b = indexByName[second] else { return .infinity }
        return milliseconds[a][b]
    }

    /// Latency by region index (as in `names`), for hot loops.
    public func milliseconds(fromIndex first: Int, toIndex second: Int) -> Double {
        milliseconds[first][second]
    }

    /// The index of a region in `names`.
    public func index(of region: String) -> Int? {
        indexByName[region]
    }

    /// How the distance between two regions was obtained.
    public func basis(from first: String, to second: String) -> Basis {
        guard let a = indexByName[first], let b = indexByName[second] else { return .unknown }
        return bases[a][b]
    }

    /// Every region, the given one first, then by latency, ties by name; empty when unknown.
    public func nearest(to region: String) -> [(region: String, milliseconds: Double)] {
        guard let from = indexByName[region] else { return [] }
        return nearestOrder[from].map { (names[$0], milliseconds[from][$0]) }
    }

    /// Region indices nearest first, for hot loops.
    public func nearestIndices(to regionIndex: Int) -> [Int] {
        nearestOrder[regionIndex]
    }

    /// Haversine distance on a sphere of the Earth's mean radius, 6371 km.
    static func greatCircleKilometres(_ a: GeoCoordinates, _ b: GeoCoordinates) -> Double {
        let radians = Double.pi / 180
        let deltaLatitude = (b.latitude - a.latitude) * radians
        let deltaLongitude = (b.longitude - a.longitude) * radians
        let h =
            sin(deltaLatitude / 2) * sin(deltaLatitude / 2)
            + cos(a.latitude * radians) * cos(b.latitude * radians) * sin(deltaLongitude / 2) * sin(deltaLongitude / 2)
        return 2 * 6371 * asin(min(1, h.squareRoot()))
    }
}
