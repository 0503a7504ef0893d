import Foundation
import Testing
@testable import TensorCore

/// The polynomial exp/tanh/sigmoid agree with libm (in Double) over the ranges the network sees.
@Test func vectorisedTranscendentalsAreAccurate() {
    var worstExp = 0.0, worstTanh = 0.0, worstSigmoid = 0.0
    var x = -80.0
    while x < 80 {
        let v = V8((0..<8).map { Float(x + Double($0) * 0.001) })
        let e = vexp(v), t = vtanh(v), s = vsigmoid(v)
        for i in 0..<8 {
            let xi = Double(v[i])
            worstExp = max(worstExp, abs(Double(e[i]) - Foundation.exp(xi)) / Foundation.exp(xi))
            let th = Foundation.tanh(xi)
            worstTanh = max(worstTanh, abs(Double(t[i]) - th) / max(abs(th), 1e-30))
            let sg = 1 / (1 + Foundation.exp(-xi))
            worstSigmoid = max(worstSigmoid, abs(Double(s[i]) - sg) / sg)
        }
        // Dense near 0 (where tanh switches formulas), sparse further out.
        x += abs(x) < 2 ? 0.0137 : 0.311
    }
    #expect(worstExp < 1e-6, "exp relative error \(worstExp)")
    #expect(worstTanh < 1e-6, "tanh relative error \(worstTanh)")
    #expect(worstSigmoid < 1e-6, "sigmoid relative error \(worstSigmoid)")
    // Masked scores vanish exactly; overflow saturates instead of producing inf.
    #expect(vexp(V8(repeating: -.infinity))[0] == 0)
    #expect(vexp(V8(repeating: 200))[0].isFinite)
    #expect(vtanh(V8(repeating: 30))[0] == 1 && vtanh(V8(repeating: -30))[0] == -1)
}
