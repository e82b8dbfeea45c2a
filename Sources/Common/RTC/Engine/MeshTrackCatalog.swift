import MeshCluster

/// Translates between a node's published tracks and the mesh's description of them
/// (``StreamRecord``): the origin describes what its publisher sends, relays and edges rebuild
/// the tracks from the description.
enum MeshTrackCatalog {
    /// The key a layer's mesh SSRC is kept under: its track's mid and its rid ("" without simulcast).
    static func layerKey(mid: String, rid: String) -> String { "\(mid)/\(rid)" }

    /// The layer keys of a publisher's negotiated session, in order.
    static func layerKeys(of negotiated: NegotiatedSession) -> [String] {
        negotiated.media.flatMap { media in
            (media.simulcastRIDs.isEmpty ? [""] : media.simulcastRIDs).map { layerKey(mid: media.mid, rid: $0) }
        }
    }

    /// The record of `tracks` published as `name` on `originNode`: one entry per layer.
    static func record(
        name: String, originNode: String, tracks: [PublishedTrack], startedAt: UInt64
    ) -> StreamRecord {
        let entries = tracks.flatMap { track in
            track.layers.map { layer in
                MeshTrack(
                    trackID: track.mid, kind: track.kind == .audio ? .audio : .video, ssrc: layer.meshSSRC,
                    codec: track.codec.kind.encodingName, payloadType: track.codec.payloadType,
                    clockRate: Int(track.codec.clockRate), rid: layer.rid.isEmpty ? nil : layer.rid,
                    captureTimeID: track.captureTimeID)
            }
        }
        return StreamRecord(name: name, originNode: originNode, tracks: entries, startedAt: startedAt)
    }

    /// Tracks rebuilt from `record`: entries sharing a track id become the layers of one track,
    /// in the record's order. Throws when a codec is unknown or a track mixes codecs.
    static func tracks(from record: StreamRecord) throws(LinkError) -> [PublishedTrack] {
        var order: [String] = []
        var grouped: [String: [MeshTrack]] = [:]
        for entry in record.tracks {
            guard entry.ssrc != 0 else { throw .invalid("track '\(entry.trackID)' has mesh SSRC 0") }
            if grouped[entry.trackID] == nil { order.append(entry.trackID) }
            grouped[entry.trackID, default: []].append(entry)
        }
        return try order.map { id throws(LinkError) in
            let entries = grouped[id] ?? []
            guard let first = entries.first else { throw .invalid("track '\(id)' has no layers") }
            guard
                let kind = CodecKind.allCases.first(where: { $0.encodingName.lowercased() == first.codec.lowercased() })
            else { throw .invalid("track '\(id)': unknown codec '\(first.codec)'") }
            guard entries.allSatisfy({ $0.codec == first.codec && $0.payloadType == first.payloadType }) else {
                throw .invalid("track '\(id)': layers differ in codec")
            }
            let codec = NegotiatedCodec(
                payloadType: first.payloadType, kind: kind, clockRate: kind.clockRate,
                channels: kind == .opus ? 2 : 1, fmtp: nil, rtxPayloadType: nil, feedback: [])
            let slots = kind.mediaKind == .audio ? 256 : 1024
            let layers = entries.enumerated().map { index, entry in
                PublishedLayer(
                    index: index, rid: entry.rid ?? "", meshSSRC: entry.ssrc, history: PacketHistory(capacity: slots),
                    clockRate: kind.clockRate)
            }
            // Relay links forward the origin's stored bytes unchanged, so the packets keep the
            // publisher's abs-capture-time ID; every layer of a track has the same one.
            return PublishedTrack(
                mid: id, kind: kind.mediaKind, codec: codec, layers: layers, captureTimeID: first.captureTimeID)
        }
    }
}
