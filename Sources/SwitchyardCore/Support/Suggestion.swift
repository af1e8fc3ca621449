/// "Did you mean" for misspelt keys and choices.
package enum Suggestion {
    /// The candidate closest to `text`, when it is close enough to be a likely typo: at most a third of its
    /// characters (at least one) edited, and not all of them.
    package static func closest(to text: String, among candidates: [String]) -> String? {
        let scored = candidates.map { ($0, distance(text.lowercased(), $0.lowercased())) }
        guard let best = scored.min(by: { $0.1 < $1.1 }), best.1 > 0, best.1 <= max(1, best.0.count / 3),
            best.1 < best.0.count
        else { return nil }
        return best.0
    }

    /// Edits (insertions, deletions, substitutions and swaps of neighbours) that turn `lhs` into `rhs`.
    package static func distance(_ lhs: String, _ rhs: String) -> Int {
        let (a, b) = (Array(lhs), Array(rhs))
        if a.isEmpty || b.isEmpty { return max(a.count, b.count) }
        var table = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { table[i][0] = i }
        for j in 0...b.count { table[0][j] = j }
        for i in 1...a.count {
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                table[i][j] = min(table[i - 1][j] + 1, table[i][j - 1] + 1, table[i - 1][j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    table[i][j] = min(table[i][j], table[i - 2][j - 2] + 1)
                }
            }
        }
        return table[a.count][b.count]
    }
}
