/// A chat message for a chat template: a role (`system`, `user`, `assistant`, `tool`) and text.
public struct TemplateMessage: Sendable, Equatable, Codable {
    public var role: String
    public var content: String
    public init(role: String, content: String) {
        self.role = role
        self.content = content
    }
}

/// A model's chat template (the Jinja text in `tokenizer.chat_template`), rendered the way
/// `transformers`' `apply_chat_template` renders it (Jinja2 with `trim_blocks` and
/// `lstrip_blocks`). TurnRL implements the subset of Jinja chat templates use: text,
/// `{{ … }}`, `{% if/elif/else/endif %}`, `{% for x in … %}` (with `loop.first/last/index/
/// index0`), `{% set %}`, `{%-`/`-%}` trimming; expressions with string/number/boolean
/// literals, names, `.attr`, `[key]`, `+`, `~`, comparisons, `and`/`or`/`not`, `in`,
/// `is (not) defined/none`, and the filters `trim`, `length`, `upper`, `lower`.
/// Anything else is refused when the template is parsed, with the construct named.
public struct ChatTemplate: Sendable {
    public let source: String
    let nodes: [JinjaNode]

    public init(_ source: String) throws(PolicyModelsError) {
        self.source = source
        nodes = try JinjaParser(source).parseTemplate()
    }

    /// The template stored in a GGUF file (`tokenizer.chat_template`).
    public init(gguf file: GGUFFile) throws(PolicyModelsError) {
        try self.init(try file.string("tokenizer.chat_template"))
    }

    /// Renders `messages`; `addGenerationPrompt` appends the opening of an assistant turn.
    /// `extra` adds variables (e.g. `bos_token`).
    public func render(_ messages: [TemplateMessage], addGenerationPrompt: Bool = true,
                       extra: [String: String] = [:]) throws(PolicyModelsError) -> String {
        var scope: [String: JinjaValue] = [
            "messages": .array(messages.map { .dict(["role": .string($0.role), "content": .string($0.content)]) }),
            "add_generation_prompt": .bool(addGenerationPrompt),
        ]
        for (k, v) in extra { scope[k] = .string(v) }
        var out = ""
        var renderer = JinjaRenderer(scopes: [scope])
        try renderer.render(nodes, into: &out)
        return out
    }
}
