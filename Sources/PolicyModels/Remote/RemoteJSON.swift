import Foundation

/// JSON text ⇄ Foundation objects for the chat wire format (request bodies are built and replies
/// read with JSONSerialization: the endpoint's JSON shapes vary too much between servers for
/// fixed Codable types — arguments come as text or as objects, content as text or null).
enum RemoteJSON {
    /// `value` as compact JSON text with sorted keys (stable requests, stable utterances).
    static func text(_ value: Any) -> String {
        guard let data = try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .withoutEscapingSlashes, .fragmentsAllowed]) else {
            return "null"
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// The JSON object in `text`, nil when it is not one.
    static func object(_ text: String) -> [String: Any]? {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any]
    }
}
