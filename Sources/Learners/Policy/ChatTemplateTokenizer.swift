import EnvironmentKit
import PolicyModels
import Trajectories

/// A `ContextTokenizer` for a model's own Jinja chat template (`ChatTemplate`), e.g.
/// SmolLM2's ChatML: `<|im_start|>ROLE\nCONTENT<|im_end|>\n` per message and
/// `<|im_start|>assistant\n` as the generation prompt.
///
/// The text the template writes around one message's content is found once, by rendering a
/// placeholder after a fixed system message and cutting out what the anchor rendered alone.
/// Each message is then tokenised whole (frame + content + frame), so the concatenated ids of a
/// conversation equal the whole rendered conversation tokenised at once whenever the template
/// separates messages at special tokens (ChatML does: every message starts with `<|im_start|>`).
///
/// Two documented differences from rendering the whole conversation:
/// - SmolLM2's template inserts a default system prompt when the first message is not a system
///   message; this tokenizer never does (TurnRL's contexts always open with the environment's
///   system prompt, where the two agree).
/// - Role `tool` gets no special treatment in SmolLM2's template: it renders as
///   `<|im_start|>tool\n…<|im_end|>\n`, a role the model was not instruction-tuned on, exactly as
///   `transformers`' `apply_chat_template` renders it.
public struct ChatTemplateTokenizer: ContextTokenizer {
    /// The model's tokenizer (special tokens in the rendered text become their ids).
    public let tokenizer: any Tokenizer
    /// Text the template writes before and after a message's content, per role.
    let frames: [ChatRole: (before: String, after: String)]
    public let replyOpening: [Int32]
    /// The assistant message's closing (`<|im_end|>\n` for ChatML): its first token ends
    /// generation; the rest is template text the context builder appends.
    public let replyClosing: [Int32]

    /// A character that never occurs in a template: the content placeholder.
    static let placeholder = "\u{E000}"
    static let anchor = TemplateMessage(role: "system", content: "anchor")

    public init(template: ChatTemplate, tokenizer: any Tokenizer) throws(PolicyModelsError) {
        self.tokenizer = tokenizer
        let alone = try template.render([Self.anchor], addGenerationPrompt: false)
        func added(_ rendered: String) throws(PolicyModelsError) -> String {
            guard rendered.hasPrefix(alone) else {
                throw .invalidConfiguration("the chat template renders a conversation's first message differently when more follow; TurnRL needs templates that render messages one after another")
            }
            return String(rendered.dropFirst(alone.count))
        }
        var frames: [ChatRole: (before: String, after: String)] = [:]
        for role in [ChatRole.system, .user, .assistant, .tool] {
            let text = try added(try template.render([Self.anchor, TemplateMessage(role: role.rawValue, content: Self.placeholder)], addGenerationPrompt: false))
            let parts = text.components(separatedBy: Self.placeholder)
            guard parts.count == 2 else {
                throw .invalidConfiguration("the chat template writes a \(role.rawValue) message's content \(parts.count - 1) times; expected once")
            }
            frames[role] = (parts[0], parts[1])
        }
        self.frames = frames
        replyOpening = tokenizer.encode(try added(try template.render([Self.anchor], addGenerationPrompt: true))).map(Int32.init)
        replyClosing = tokenizer.encode(frames[.assistant]!.after).map(Int32.init)
        guard let end = replyClosing.first, tokenizer.specialTokens.values.contains(Int(end)) else {
            throw .invalidConfiguration("the chat template's assistant message does not end with a special token (it ends with \(frames[.assistant]!.after.debugDescription)); the policy could not tell where a reply ends")
        }
    }

    /// The token that ends a generated reply: the first token of `replyClosing`.
    public var endOfReply: Int32 { replyClosing[0] }

    public func tokens(for message: ChatMessage) -> [Int32] {
        let frame = frames[message.role]!
        return tokenizer.encode(frame.before + message.content + frame.after).map(Int32.init)
    }
}
