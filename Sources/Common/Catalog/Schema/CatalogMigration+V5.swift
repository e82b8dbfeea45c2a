extension CatalogMigration {
    /// Version 5: simulcast layers in recordings. A `layers: all` recording has a video track
    /// per layer, named by its rid; a `layers: top` recording moves between layers at key
    /// frames and starts a new segment there, so each segment names the layer its video holds.
    /// Both are NULL without simulcast (and for rows written before this version).
    static let recordedLayers = CatalogMigration(
        version: 5, name: "recorded simulcast layers",
        statements: [
            "ALTER TABLE tracks ADD COLUMN rid text",
            "ALTER TABLE segments ADD COLUMN rid text",
        ])
}
