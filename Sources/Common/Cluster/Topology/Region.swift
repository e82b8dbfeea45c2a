/// A place nodes run in and viewers are routed to, such as a data centre or a cloud region.
public struct Region: Sendable, Equatable, Codable {
    /// The region's name, unique in its topology (`eu-west`).
    public var name: String
    /// Client address blocks that belong to this region, used to route viewers.
    public var cidrs: [CIDRBlock]
    /// Where the region is, for maps and distance estimates; optional.
    public var coordinates: GeoCoordinates?

    /// Creates a region.
    public init(name: String, cidrs: [CIDRBlock] = [], coordinates: GeoCoordinates? = nil) {
        self.name = name
        self.cidrs = cidrs
        self.coordinates = coordinates
    }
}

/// A point on Earth in decimal degrees.
public struct GeoCoordinates: Sendable, Equatable, Codable {
    /// Latitude, -90 (south) to 90 (north).
    public var latitude: Double
    /// Longitude, -180 (west) to 180 (east).
    public var longitude: Double

    /// Creates coordinates; the loader has already checked the ranges.
    public init(latitude: Double, longitude: Double) {
        self.latitude = latitude
        self.longitude = longitude
    }
}

/// One entry of the latency table: the one-way delay between two distinct regions.
public struct RegionLatency: Sendable, Equatable, Codable {
    /// One region of the pair.
    public var first: String
    /// The other region of the pair.
    public var second: String
    /// The delay in milliseconds, zero or more.
    public var milliseconds: Double

    /// Creates a latency entry.
    public init(first: String, second: String, milliseconds: Double) {
        self.first = first
        self.second = second
        self.milliseconds = milliseconds
    }

    /// Whether this entry is about these two regions, in either order (latency is symmetric).
    public func connects(_ a: String, _ b: String) -> Bool {
        (first == a && second == b) || (first == b && second == a)
    }
}
