/// Keeps error text that repeats a client's input short. An error body or log line built
/// from an offer's mids, codecs or lines otherwise grows with the offer: a 1000-section offer
/// once earned a 53 KB 400.
public enum ErrorEcho {
    /// Bytes of a client's text an error message repeats.
    public static let echoBytes = 200
    /// Bytes of a whole error sentence sent in a response body.
    public static let sentenceBytes = 400

    /// `text` when it fits in `bytes` of UTF-8, else its longest prefix of whole characters
    /// that fits with a trailing `…`.
    public static func capped(_ text: some StringProtocol, bytes: Int = sentenceBytes) -> String {
        guard text.utf8.count > bytes else { return String(text) }
        let ellipsis = "…"
        var budget = bytes - ellipsis.utf8.count
        var kept = ""
        for character in text {
            budget -= character.utf8.count
            guard budget >= 0 else { break }
            kept.append(character)
        }
        return kept + ellipsis
    }

    /// `text` cut to ``echoBytes``, for a client's text inside a sentence.
    public static func echoed(_ text: some StringProtocol) -> String { capped(text, bytes: echoBytes) }
}
