/// Finds the known name a misspelt one was most likely meant to be ("did you mean").
public enum NearestName {
    /// The closest candidate within a small edit distance, or `nil` when none is close.
    ///
    /// The allowance grows with the name's length (a third of it, at least one, at most
    /// three) so short keys do not "match" unrelated short keys.
    public static func suggestion(for name: String, among candidates: [String]) -> String? {
        let allowance = min(3, max(1, name.count / 3))
        var best: (candidate: String, distance: Int)?
        for candidate in candidates {
            let distance = editDistance(name.lowercased(), candidate.lowercased())
            if distance <= allowance, distance < (best?.distance ?? Int.max) {
                best = (candidate, distance)
            }
        }
        return best?.candidate
    }

    /// `; did you mean 'x'?` or nothing, ready to append to a message.
    public static func hint(for name: String, among candidates: [String]) -> String {
        suggestion(for: name, among: candidates).map { "; did you mean '\($0)'?" } ?? ""
    }

    /// Levenshtein distance with adjacent transpositions counted as one edit
    /// (optimal string alignment), since swapped letters are the commonest typo.
    public static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a)
        let b = Array(b)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previousRow = [Int](repeating: 0, count: b.count + 1)
        var row = Array(0...b.count)
        var twoRowsBack = row
        for i in 1...a.count {
            twoRowsBack = previousRow
            previousRow = row
            row = [Int](repeating: 0, count: b.count + 1)
            row[0] = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                var value = min(previousRow[j] + 1, row[j - 1] + 1, previousRow[j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    value = min(value, twoRowsBack[j - 2] + 1)
                }
                row[j] = value
            }
        }
        return row[b.count]
    }
}
