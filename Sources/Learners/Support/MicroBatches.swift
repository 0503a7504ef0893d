/// Micro-batching: a minibatch goes through a policy in pieces whose gradients add up to the
/// minibatch's (each piece's loss carries the whole minibatch's normaliser), so a large model's
/// activations stay within `TurnPolicy.tokensPerForward`.

/// `indices` (in order) cut into micro-batches whose padded size — rows × the longest
/// `lengths[i]` among them — stays within `tokenBudget`; a row longer than the budget goes alone.
func microBatches(_ indices: [Int], lengths: [Int], tokenBudget: Int) -> [[Int]] {
    var result: [[Int]] = []
    var current: [Int] = []
    var longest = 0
    for i in indices {
        let widest = max(longest, lengths[i])
        if !current.isEmpty && (current.count + 1) * widest > tokenBudget {
            result.append(current)
            current = []
            longest = 0
        }
        current.append(i)
        longest = max(longest, lengths[i])
    }
    if !current.isEmpty { result.append(current) }
    return result
}

/// Micro-batches for a sum whose order does not matter (gradients that accumulate). When the
/// budget splits `indices`, they are cut longest first (ties in index order), so a micro-batch
/// pads rows of similar length; a batch that fits one forward keeps its order, since there
/// the order changes no padding.
func accumulationMicroBatches(_ indices: [Int], lengths: [Int], tokenBudget: Int) -> [[Int]] {
    let inOrder = microBatches(indices, lengths: lengths, tokenBudget: tokenBudget)
    guard inOrder.count > 1 else { return inOrder }
    let longestFirst = indices.sorted { lengths[$0] != lengths[$1] ? lengths[$0] > lengths[$1] : $0 < $1 }
    return microBatches(longestFirst, lengths: lengths, tokenBudget: tokenBudget)
}
