import Foundation

/// One utterance-level transition for the off-policy critic.
public struct Transition: Sendable, Equatable {
    /// Token ids the policy saw (state s).
    public var context: [Int32]
    /// Generated token ids (action a).
    public var utterance: [Int32]
    /// The turn's reward.
    public var reward: Float
    /// s': the next turn's context (empty when done).
    public var nextContext: [Int32]
    /// The episode ended with this turn.
    public var done: Bool
    /// Store row id of the episode when backed by the store.
    public var episodeID: Int64?

    public init(context: [Int32], utterance: [Int32], reward: Float, nextContext: [Int32], done: Bool, episodeID: Int64? = nil) {
        self.context = context
        self.utterance = utterance
        self.reward = reward
        self.nextContext = nextContext
        self.done = done
        self.episodeID = episodeID
    }
}

/// How `ReplayBuffer.sample` picks transitions.
public enum ReplaySampling: String, Sendable, CaseIterable {
    /// Every stored transition equally likely (ArCHer's replay).
    case uniform
    /// Newer transitions more likely: the probability halves every `count / 4` transitions of age
    /// (see `ReplayBuffer.recencyHalfLifeFraction`).
    case recency
}

/// Capacity-bounded ring buffer of transitions, held in memory so sampling never touches disk.
/// Fill it from a `TrajectoryStore` with `ReplayLoader`.
///
/// Sampling is with replacement (a batch may repeat a transition; `n` may exceed `count`).
/// - `uniform`: each transition has probability 1 / count.
/// - `recency`: a transition of age a (0 = newest) has probability proportional to
///   2^(−a / h) with half-life h = max(1, count × `recencyHalfLifeFraction`) — with the default
///   fraction 1/4 the newest quarter of the buffer gets 0.5 / (1 − 2⁻⁴) ≈ 53 % of the draws and
///   the oldest transition is still drawn 1/8 as often as the newest. TurnRL's choice (no paper
///   value): recent data is closer to the current policy without starving old data.
public struct ReplayBuffer: Sendable {
    /// Half-life of `recency` sampling as a fraction of the buffer's current count.
    public static let recencyHalfLifeFraction = 0.25

    /// Most transitions held; appending past it overwrites the oldest.
    public let capacity: Int
    /// The sampling rule.
    public let sampling: ReplaySampling
    private var storage: [Transition] = []
    /// Where the next append goes once the buffer is full (the slot of the oldest transition).
    private var nextSlot = 0

    /// An empty buffer holding at most `capacity` (≥ 1) transitions.
    public init(capacity: Int, sampling: ReplaySampling = .uniform) {
        precondition(capacity >= 1, "ReplayBuffer capacity must be at least 1, got \(capacity)")
        self.capacity = capacity
        self.sampling = sampling
        storage.reserveCapacity(min(capacity, 1 << 20))
    }

    /// Transitions held (≤ capacity).
    public var count: Int { storage.count }

    /// Adds `t`, overwriting the oldest transition when full.
    public mutating func append(_ t: Transition) {
        if storage.count < capacity {
            storage.append(t)
        } else {
            storage[nextSlot] = t
            nextSlot = (nextSlot + 1) % capacity
        }
    }

    /// Adds every transition of `transitions` in order.
    public mutating func append(contentsOf transitions: some Sequence<Transition>) {
        for t in transitions { append(t) }
    }

    /// The transition of age `age` (0 = newest, count − 1 = oldest).
    public subscript(age age: Int) -> Transition {
        precondition(age >= 0 && age < count, "age \(age) out of 0..<\(count)")
        let newest = storage.count < capacity ? storage.count - 1 : (nextSlot + capacity - 1) % capacity
        return storage[(newest - age + capacity) % capacity]
    }

    /// Draws `n` transitions with replacement by the buffer's sampling rule; empty when the buffer is.
    public func sample<G: RandomNumberGenerator>(_ n: Int, using rng: inout G) -> [Transition] {
        guard count > 0, n > 0 else { return [] }
        switch sampling {
        case .uniform:
            return (0..<n).map { _ in storage[Int.random(in: 0..<count, using: &rng)] }
        case .recency:
            let draw = RecencyDraw(count: count, halfLife: max(1, Double(count) * Self.recencyHalfLifeFraction))
            return (0..<n).map { _ in self[age: draw.age(using: &rng)] }
        }
    }
}

/// Exact sampling of a truncated geometric age: P(age = k) ∝ 2^(−k / h) for k in 0..<count, by
/// inverting the CDF of the matching continuous exponential truncated to [0, count) and flooring
/// (the mass of [k, k + 1) is proportional to e^(−λk) with λ = ln 2 / h).
struct RecencyDraw {
    let count: Int
    let rate: Double
    let tailMass: Double

    init(count: Int, halfLife: Double) {
        self.count = count
        rate = M_LN2 / halfLife
        tailMass = -expm1(-rate * Double(count))  // 1 − e^(−λ·count)
    }

    func age<G: RandomNumberGenerator>(using rng: inout G) -> Int {
        let u = Double.random(in: 0..<1, using: &rng)
        let x = -log1p(-u * tailMass) / rate
        return min(count - 1, Int(x))
    }

    /// P(age = k), for tests and documentation.
    func probability(ofAge k: Int) -> Double {
        exp(-rate * Double(k)) * -expm1(-rate) / tailMass
    }
}
