/// One line of `turnrl doctor`: a capability of this machine, whether it is there, and the fix.
struct DoctorCheck: Codable, Sendable {
    /// Stable key a script reads (`openblas`, `seccomp`, ...).
    let name: String
    /// What a person reads in the table.
    let title: String
    /// `"ok"` or `"missing"`.
    let status: String
    /// Whether TurnRL cannot work without it (optional layers only weaken isolation).
    let required: Bool
    /// What was found, or what went wrong.
    let detail: String
    /// The command or step that makes a missing check pass.
    let fix: String?
    /// Machine-readable facts behind `detail` (versions, paths, counts).
    let facts: [String: Fact]

    var ok: Bool { status == "ok" }

    static func ok(
        _ name: String, _ title: String, required: Bool = true, _ detail: String,
        facts: [String: Fact] = [:]
    ) -> DoctorCheck {
        DoctorCheck(
            name: name, title: title, status: "ok", required: required, detail: detail, fix: nil,
            facts: facts)
    }

    static func missing(
        _ name: String, _ title: String, required: Bool = true, _ detail: String, fix: String,
        facts: [String: Fact] = [:]
    ) -> DoctorCheck {
        DoctorCheck(
            name: name, title: title, status: "missing", required: required, detail: detail,
            fix: fix, facts: facts)
    }
}

/// A fact is a string, an integer or a flag; encoded as the bare JSON value.
enum Fact: Codable, Sendable, Equatable {
    case string(String)
    case int(Int)
    case bool(Bool)

    init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Int.self) {
            self = .int(value)
        } else {
            self = .string(try container.decode(String.self))
        }
    }

    func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .string(let value): try container.encode(value)
        case .int(let value): try container.encode(value)
        case .bool(let value): try container.encode(value)
        }
    }
}

/// Everything `turnrl doctor --json` prints, as one object.
struct DoctorReport: Codable, Sendable {
    let version: String
    /// True when every required check is ok.
    let ok: Bool
    let checks: [String: DoctorCheck]
    /// The check names in the order they were run, for readers that want the table order.
    let order: [String]
}
