"""What a freshly forked sandbox child does to itself before it runs anyone's code.

Order matters: own process group -> scratch dir -> rlimits -> Landlock -> seccomp.
seccomp comes last because its filter denies seccomp() and nothing after it may need a
denied syscall. Everything here uses only the standard library (ctypes for the three Landlock
syscalls and prctl), so the zygote imports it once and the per-call cost is a few syscalls.
"""

import ctypes
import os
import platform
import resource
import struct

_libc = ctypes.CDLL(None, use_errno=True)
_libc.syscall.restype = ctypes.c_long
_libc.prctl.restype = ctypes.c_int
_libc.prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_void_p, ctypes.c_ulong, ctypes.c_ulong]

# Syscall numbers and the audit arch differ per architecture; only these two are supported.
_ARCH = {
    "x86_64": dict(audit=0xC000003E, kill=62, tkill=200, tgkill=234, rt_sigqueueinfo=129,
                   rt_tgsigqueueinfo=297, landlock=(444, 445, 446)),
    "aarch64": dict(audit=0xC00000B7, kill=129, tkill=130, tgkill=131, rt_sigqueueinfo=138,
                    rt_tgsigqueueinfo=240, landlock=(444, 445, 446)),
}[platform.machine()]

PR_SET_SECCOMP = 22
SECCOMP_MODE_FILTER = 2

# Landlock access rights (linux/landlock.h), by the ABI version that introduced them.
LL_EXECUTE, LL_WRITE_FILE, LL_READ_FILE, LL_READ_DIR = 1, 2, 4, 8
LL_ABI1_ALL = (1 << 13) - 1
LL_REFER, LL_TRUNCATE, LL_IOCTL_DEV = 1 << 13, 1 << 14, 1 << 15
LL_NET_BIND_TCP, LL_NET_CONNECT_TCP = 1, 2
LL_SCOPE_ABSTRACT_UNIX_SOCKET, LL_SCOPE_SIGNAL = 1, 2
LL_FILE_RIGHTS = LL_EXECUTE | LL_WRITE_FILE | LL_READ_FILE | LL_TRUNCATE | LL_IOCTL_DEV


class _RulesetAttr(ctypes.Structure):
    _fields_ = [("handled_access_fs", ctypes.c_uint64), ("handled_access_net", ctypes.c_uint64),
                ("scoped", ctypes.c_uint64)]


class _PathBeneathAttr(ctypes.Structure):
    _pack_ = 1
    _fields_ = [("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


def _syscall(number, *args):
    result = _libc.syscall(ctypes.c_long(number), *args)
    if result < 0:
        err = ctypes.get_errno()
        raise OSError(err, os.strerror(err))
    return result


def landlock_abi():
    """The kernel's Landlock ABI version, or 0 when Landlock is missing or disabled."""
    try:
        return _syscall(_ARCH["landlock"][0], None, ctypes.c_size_t(0), ctypes.c_uint32(1))
    except OSError:
        return 0


class Policy:
    """Built once in the zygote: the seccomp program and the Landlock paths every child gets."""

    def __init__(self, seccomp_bpf, readable_paths, read_write_files):
        self.abi = landlock_abi()
        self._bpf = ctypes.create_string_buffer(seccomp_bpf, len(seccomp_bpf)) if seccomp_bpf else None
        self._fprog = _SockFprog(len(seccomp_bpf) // 8, ctypes.addressof(self._bpf)) if seccomp_bpf else None
        fs = LL_ABI1_ALL
        if self.abi >= 2:
            fs |= LL_REFER
        if self.abi >= 3:
            fs |= LL_TRUNCATE
        if self.abi >= 5:
            fs |= LL_IOCTL_DEV
        self.handled_fs = fs
        self.handled_net = (LL_NET_BIND_TCP | LL_NET_CONNECT_TCP) if self.abi >= 4 else 0
        self.scoped = (LL_SCOPE_ABSTRACT_UNIX_SOCKET | LL_SCOPE_SIGNAL) if self.abi >= 6 else 0
        # Everything a child needs is built here, once, and inherited: the child only makes the
        # syscalls. Each page a child writes costs it a copy-on-write fault (~3-5 us), and every
        # Python object it creates or touches writes one; building the seccomp programs, the
        # rule structs and stdout/stderr (turnrl_child.make_stdio) per child cost ~65 faults.
        # O_PATH fds opened once; children add rules from them without walking paths again.
        self._rules = []
        # A rule covers everything beneath its path: drop readable paths inside other ones.
        readable_paths = sorted({os.path.realpath(p) for p in readable_paths if os.path.exists(p)})
        readable_paths = [p for p in readable_paths
                          if not any(p != q and p.startswith(q.rstrip("/") + "/") for q in readable_paths)]
        for path, rights in [(p, LL_READ_FILE | LL_READ_DIR) for p in readable_paths] + \
                [(p, LL_READ_FILE | LL_WRITE_FILE) for p in read_write_files]:
            try:
                fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
            except OSError:
                continue
            if not os.path.isdir(path):
                rights &= LL_FILE_RIGHTS
            self._rules.append(_PathBeneathAttr(rights & fs, fd))
        self._signals = _SignalProgram()
        self._fprog_addresses = [ctypes.addressof(self._signals.fprog)]
        if self._fprog is not None:
            self._fprog_addresses.append(ctypes.addressof(self._fprog))

    @property
    def has_seccomp(self):
        return self._fprog is not None

    def layer_names(self):
        names = []
        if self.abi > 0:
            names.append("landlock")
        if self.handled_net:
            names.append("landlocknet")
        if self.scoped:
            names.append("landlockscope")
        return names

    def restrict_filesystem(self, scratch_dir):
        """Landlock: read the interpreter and libraries, read+write only the scratch dir."""
        if self.abi <= 0:
            return False
        attr = _RulesetAttr(self.handled_fs, self.handled_net, self.scoped)
        size = 8 if self.abi < 4 else (16 if self.abi < 6 else 24)
        ruleset = _syscall(_ARCH["landlock"][0], ctypes.byref(attr), ctypes.c_size_t(size), ctypes.c_uint32(0))
        try:
            scratch_fd = os.open(scratch_dir, os.O_PATH | os.O_CLOEXEC)
            scratch_rights = self.handled_fs & ~(LL_EXECUTE | (1 << 6) | (1 << 11))  # no exec, no devices
            for rule in self._rules + [_PathBeneathAttr(scratch_rights, scratch_fd)]:
                _syscall(_ARCH["landlock"][1], ctypes.c_int(ruleset), ctypes.c_int(1), ctypes.byref(rule),
                         ctypes.c_uint32(0))
            os.close(scratch_fd)
            _syscall(_ARCH["landlock"][2], ctypes.c_int(ruleset), ctypes.c_uint32(0))
        finally:
            os.close(ruleset)
        return True

    def load_seccomp(self, own_pid):
        """The per-child signal filter (needs own_pid), then the launcher's libseccomp filter."""
        self._signals.set_pid(own_pid)
        for address in self._fprog_addresses:
            if _libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, address, 0, 0) != 0:
                err = ctypes.get_errno()
                raise OSError(err, "loading the seccomp filter: " + os.strerror(err))


class _SignalProgram:
    """signal_filter() built once, with the pid's two words patched in per child (set_pid)."""

    _PLACEHOLDER = 0x7FFFFFFE  # larger than any pid, so it marks exactly the pid's slots

    def __init__(self):
        program = signal_filter(self._PLACEHOLDER)
        self.buffer = ctypes.create_string_buffer(program, len(program))
        self.fprog = _SockFprog(len(program) // 8, ctypes.addressof(self.buffer))
        ks = [struct.unpack_from("<I", program, offset + 4)[0] for offset in range(0, len(program), 8)]
        self._pid_offsets = [8 * i + 4 for i, k in enumerate(ks) if k == self._PLACEHOLDER]
        self._neg_offsets = [8 * i + 4 for i, k in enumerate(ks) if k == (-self._PLACEHOLDER) & 0xFFFFFFFF]

    def set_pid(self, own_pid):
        for offset in self._pid_offsets:
            struct.pack_into("<I", self.buffer, offset, own_pid)
        for offset in self._neg_offsets:
            struct.pack_into("<I", self.buffer, offset, (-own_pid) & 0xFFFFFFFF)


def signal_filter(own_pid):
    """A classic-BPF seccomp program: signals only to the caller's own process group.

    kill(pid): allowed for pid 0 (own group), pid == own_pid, and pid == -own_pid (own group by
    number; the child is its group's leader). Anything else -- kill(-1), another group, the
    zygote, a sibling -- gets EPERM. tkill/tgkill/rt_(tg)sigqueueinfo: only to own_pid.
    seccomp compares the raw 64-bit register: each allowed value is matched on both 32-bit
    halves exactly (upper half 0 for pid >= 0, 0xFFFFFFFF for -own_pid as libc sign-extends
    it), so a negative pid passed zero-extended (0x00000000FFFFFFFF, which the kernel reads
    as -1) matches nothing and is denied. Built per child because own_pid is per child.
    """
    LD, JEQ, RET = 0x20, 0x15, 0x06  # BPF_LD|W|ABS, BPF_JMP|JEQ|K, BPF_RET|K
    ALLOW, DENY, KILL = 0x7FFF0000, 0x00050000 | 1, 0x80000000  # RET_ALLOW, RET_ERRNO|EPERM, KILL_PROCESS
    NR, ARCH, A0_LO, A0_HI = 0, 4, 16, 20
    neg = (-own_pid) & 0xFFFFFFFF
    # (label, code, jt_label, jf_label, k); jumps resolved to relative offsets below.
    prog = [
        ("", LD, None, None, ARCH),
        ("", JEQ, "nr", "kill", _ARCH["audit"]),
        ("nr", LD, None, None, NR),
        ("", JEQ, "kill_args", None, _ARCH["kill"]),
        ("", JEQ, "tg_args", None, _ARCH["tgkill"]),
        ("", JEQ, "tg_args", None, _ARCH["tkill"]),
        ("", JEQ, "tg_args", None, _ARCH["rt_sigqueueinfo"]),
        ("", JEQ, "tg_args", "allow", _ARCH["rt_tgsigqueueinfo"]),
        ("kill_args", LD, None, None, A0_HI),
        ("", JEQ, "kill_pos", None, 0),
        ("", JEQ, "kill_neg", "deny", 0xFFFFFFFF),
        ("kill_pos", LD, None, None, A0_LO),
        ("", JEQ, "allow", None, 0),
        ("", JEQ, "allow", "deny", own_pid),
        ("kill_neg", LD, None, None, A0_LO),
        ("", JEQ, "allow", "deny", neg),
        ("tg_args", LD, None, None, A0_HI),
        ("", JEQ, None, "deny", 0),
        ("", LD, None, None, A0_LO),
        ("", JEQ, "allow", "deny", own_pid),
        ("allow", RET, None, None, ALLOW),
        ("deny", RET, None, None, DENY),
        ("kill", RET, None, None, KILL),
    ]
    labels = {entry[0]: i for i, entry in enumerate(prog) if entry[0]}
    out = bytearray()
    for i, (_, code, jt, jf, k) in enumerate(prog):
        jt_off = labels[jt] - i - 1 if jt else 0
        jf_off = labels[jf] - i - 1 if jf else 0
        out += struct.pack("<HBBI", code, jt_off, jf_off, k)
    return bytes(out)


def die_with_parent():
    """PR_SET_PDEATHSIG(SIGKILL): a child never outlives the zygote (no PID namespace needed)."""
    _libc.prctl(1, 9, None, 0, 0)


def set_limits(cpu_seconds, address_space_bytes, file_size_bytes, open_files):
    """rlimits: soft == the limit; CPU's hard limit one second later, so SIGXCPU comes first."""
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 1))
    resource.setrlimit(resource.RLIMIT_AS, (address_space_bytes, address_space_bytes))
    resource.setrlimit(resource.RLIMIT_FSIZE, (file_size_bytes, file_size_bytes))
    resource.setrlimit(resource.RLIMIT_NOFILE, (open_files, open_files))


def address_space_bytes():
    """This process's current virtual size: the baseline a call's memory limit adds to."""
    fd = os.open("/proc/self/statm", os.O_RDONLY | os.O_CLOEXEC)  # per fork: no file object
    try:
        return int(os.read(fd, 256).split()[0]) * resource.getpagesize()
    finally:
        os.close(fd)
