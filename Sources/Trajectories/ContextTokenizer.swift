import EnvironmentKit

/// Renders chat messages into token ids for the context builder (the policy's chat template).
///
/// The builder never re-tokenises a reply: an assistant message that the policy generated enters
/// later contexts as `replyOpening + generated tokens + replyClosing`, the exact tokens sampled.
public protocol ContextTokenizer: Sendable {
    /// Tokens of a whole message in the chat template (role header, content, end marker).
    func tokens(for message: ChatMessage) -> [Int32]
    /// Tokens that open an assistant reply; every context ends with them (the generation prompt).
    var replyOpening: [Int32] { get }
    /// Tokens that close an assistant reply after its generated tokens.
    var replyClosing: [Int32] { get }
}

/// A byte-level chat template: one token per UTF-8 byte (0–255), a role token 256 + role index
/// before each message and an end token 260 after it. For scripted policies and tests that need
/// a real token count without a trained vocabulary.
public struct ByteChatTokenizer: ContextTokenizer {
    /// End-of-message token.
    public static let endOfMessage: Int32 = 260

    public init() {}

    /// The role header token.
    public static func roleToken(_ role: ChatRole) -> Int32 {
        switch role {
        case .system: 256
        case .user: 257
        case .assistant: 258
        case .tool: 259
        }
    }

    public func tokens(for message: ChatMessage) -> [Int32] {
        [Self.roleToken(message.role)] + message.content.utf8.map { Int32($0) } + [Self.endOfMessage]
    }

    public var replyOpening: [Int32] { [Self.roleToken(.assistant)] }
    public var replyClosing: [Int32] { [Self.endOfMessage] }

    /// Decodes the byte tokens of a reply back to text (ignoring template tokens).
    public func text(of tokens: [Int32]) -> String {
        String(decoding: tokens.compactMap { (0..<256).contains($0) ? UInt8($0) : nil }, as: UTF8.self)
    }
}
