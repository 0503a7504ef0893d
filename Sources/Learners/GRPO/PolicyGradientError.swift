/// Errors of the policy-gradient learners (GRPO, PPO).
public enum PolicyGradientError: Error, CustomStringConvertible, Equatable {
    /// A hyperparameter is out of range; the message names it and what to change.
    case invalidHyperparameter(String)

    public var description: String {
        switch self {
        case .invalidHyperparameter(let message): "invalid hyperparameter: \(message)"
        }
    }
}
