// The sandbox's seccomp policy, built once per worker with libseccomp and exported as BPF.
//
// Default: allow. Denied with EPERM: the syscalls that reach outside the process (network
// servers, other processes' memory, the kernel's global state, new namespaces, new processes).
// clone3 answers ENOSYS so libc falls back to clone, whose flags a filter can inspect.
// Any syscall from a foreign ABI (i386 via int 0x80, x32) kills the process.
//
// Signals are not here: whether kill(pid) stays inside the caller's own process group depends
// on the caller's pid, which this filter (built once, before any call) cannot know. The zygote
// adds a second, tiny filter per call with that pid (Sandbox/runner/sandbox_child.py).
#define _GNU_SOURCE
#include "launcher.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

// Syscalls denied outright (EPERM). A name this libseccomp does not know is skipped and counted.
static const char *const denied_syscalls[] = {
    // Network servers and clients: socket() itself is limited to AF_UNIX below.
    "connect", "bind", "listen", "accept", "accept4",
    // Other processes: tracing, reading/writing their memory, stealing their fds.
    "ptrace", "process_vm_readv", "process_vm_writev", "pidfd_open", "pidfd_getfd",
    "pidfd_send_signal", "kcmp",
    // Filesystem namespace changes.
    "mount", "umount2", "pivot_root", "chroot", "mount_setattr", "move_mount", "open_tree",
    "fsopen", "fsconfig", "fsmount", "fspick", "open_by_handle_at", "name_to_handle_at",
    // New namespaces.
    "unshare", "setns",
    // New processes: fork/vfork; clone is allowed only for threads (rules below).
    "fork", "vfork",
    // The kernel itself.
    "kexec_load", "kexec_file_load", "init_module", "finit_module", "delete_module", "bpf",
    "perf_event_open", "reboot", "swapon", "swapoff", "syslog", "acct", "quotactl",
    "lookup_dcookie", "iopl", "ioperm", "vhangup", "userfaultfd", "memfd_secret",
    // Keys and clocks shared by the whole machine.
    "keyctl", "add_key", "request_key", "clock_settime", "clock_adjtime", "adjtimex",
    "settimeofday",
    // io_uring bypasses the per-syscall filter entirely.
    "io_uring_setup", "io_uring_enter", "io_uring_register",
    // A stricter filter or a user-notification listener is not the code's business.
    "seccomp",
};

static int deny(scmp_filter_ctx ctx, int nr) {
    return seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), nr, 0);
}

int build_seccomp_filter(int *out_fd, int *out_skipped, char *error, size_t error_size) {
    *out_fd = -1;
    *out_skipped = 0;
    scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
    if (ctx == NULL) {
        snprintf(error, error_size, "seccomp_init failed");
        return -1;
    }
    int rc = 0;
    // A foreign-arch syscall (i386 int 0x80, x32) kills the whole process.
    rc |= seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS);
    for (size_t i = 0; i < sizeof(denied_syscalls) / sizeof(denied_syscalls[0]); i++) {
        int nr = seccomp_syscall_resolve_name(denied_syscalls[i]);
        if (nr == __NR_SCMP_ERROR) {
            (*out_skipped)++;
            continue;
        }
        rc |= deny(ctx, nr);
    }
    // clone3 passes its flags in memory a filter cannot read: ENOSYS makes libc use clone.
    rc |= seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0);
    // clone: threads only (CLONE_THREAD set), and never with a namespace flag.
    rc |= seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(clone), 1,
                           SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_THREAD, 0));
    const unsigned long namespace_flags[] = {
        CLONE_NEWNS, CLONE_NEWCGROUP, CLONE_NEWUTS, CLONE_NEWIPC, CLONE_NEWUSER, CLONE_NEWPID,
        CLONE_NEWNET,
    };
    for (size_t i = 0; i < sizeof(namespace_flags) / sizeof(namespace_flags[0]); i++) {
        rc |= seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(clone), 1,
                               SCMP_A0(SCMP_CMP_MASKED_EQ, namespace_flags[i], namespace_flags[i]));
    }
    // socket/socketpair: AF_UNIX only (full 64-bit compare: junk in the upper half is denied too).
    rc |= seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(socket), 1,
                           SCMP_A0(SCMP_CMP_NE, AF_UNIX));
    rc |= seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(socketpair), 1,
                           SCMP_A0(SCMP_CMP_NE, AF_UNIX));
    // An unconnected AF_UNIX datagram socket could sendto() a host daemon's socket path.
    rc |= seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(socket), 1,
                           SCMP_A1(SCMP_CMP_MASKED_EQ, 0xf, SOCK_DGRAM));
    // prlimit64 only on the caller itself (pid 0); raising limits needs CAP_SYS_RESOURCE anyway.
    rc |= seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(prlimit64), 1,
                           SCMP_A0(SCMP_CMP_NE, 0));
    if (rc != 0) {
        snprintf(error, error_size, "adding a seccomp rule failed (%s)", strerror(-rc));
        seccomp_release(ctx);
        return -1;
    }
    int fd = memfd_create("turnrl-seccomp-bpf", 0);  // no CLOEXEC: the runner inherits it
    if (fd < 0) {
        snprintf(error, error_size, "memfd_create failed: %s", strerror(errno));
        seccomp_release(ctx);
        return -1;
    }
    rc = seccomp_export_bpf(ctx, fd);
    seccomp_release(ctx);
    if (rc != 0 || lseek(fd, 0, SEEK_SET) != 0) {
        snprintf(error, error_size, "seccomp_export_bpf failed (%s)", strerror(-rc));
        close(fd);
        return -1;
    }
    *out_fd = fd;
    return 0;
}
