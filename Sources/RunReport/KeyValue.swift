/// One line of a flattened document: a dotted key path (`algo.archer.gamma`, `tasks[0]`) and its value as text.
public struct KeyValue: Sendable, Equatable {
    public var key: String
    public var value: String

    public init(key: String, value: String) {
        self.key = key
        self.value = value
    }
}
