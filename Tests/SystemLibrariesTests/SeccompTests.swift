import CSeccomp
import Foundation
import Testing

/// Builds a real filter with libseccomp and exports it as BPF, without loading it into this process.
@Test func seccompFilterExportsToBPF() throws {
    let ctx = try #require(seccomp_init(UInt32(SCMP_ACT_ALLOW)))
    defer { seccomp_release(ctx) }
    let ptrace = seccomp_syscall_resolve_name("ptrace")
    #expect(ptrace >= 0)
    #expect(seccomp_rule_add_array(ctx, turnrl_scmp_act_errno(UInt16(EPERM)), ptrace, 0, nil) == 0)

    // kill(pid, sig) with pid <= 0 denied: seccomp compares unsigned, so "pid <= 0" is
    // "pid == 0, or the sign bit of the 32-bit pid is set".
    let kill = seccomp_syscall_resolve_name("kill")
    var zero = scmp_arg_cmp(arg: 0, op: SCMP_CMP_EQ, datum_a: 0, datum_b: 0)
    var negative = scmp_arg_cmp(arg: 0, op: SCMP_CMP_MASKED_EQ, datum_a: 0x8000_0000, datum_b: 0x8000_0000)
    #expect(seccomp_rule_add_array(ctx, turnrl_scmp_act_errno(UInt16(EPERM)), kill, 1, &zero) == 0)
    #expect(seccomp_rule_add_array(ctx, turnrl_scmp_act_errno(UInt16(EPERM)), kill, 1, &negative) == 0)

    let path = FileManager.default.temporaryDirectory
        .appendingPathComponent("turnrl-seccomp-\(UUID().uuidString).bpf").path
    let fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0o600)
    #expect(fd >= 0)
    #expect(seccomp_export_bpf(ctx, fd) == 0)
    close(fd)
    defer { try? FileManager.default.removeItem(atPath: path) }

    // A BPF program is a sequence of 8-byte sock_filter instructions; the first one loads the
    // architecture field of seccomp_data (BPF_LD|BPF_W|BPF_ABS = 0x20, offset 4).
    let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
    #expect(bytes.count % 8 == 0)
    #expect(bytes.count / 8 > 5)
    let code = UInt16(bytes[0]) | UInt16(bytes[1]) << 8
    let k = UInt32(bytes[4]) | UInt32(bytes[5]) << 8 | UInt32(bytes[6]) << 16 | UInt32(bytes[7]) << 24
    #expect(code == 0x20)
    #expect(k == 4)
}
