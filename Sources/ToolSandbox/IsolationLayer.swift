/// The isolation layers a worker can have; the runner reports which ones it got.
public enum IsolationLayer: String, CaseIterable, Sendable {
    case userns, mountns, netns, ipcns, pidns, ownsession, readonlyroot, freshproc, scratchtmpfs, capsdropped
    case nonewprivs, seccompfilter, seccomp, landlock, landlocknet, landlockscope

    /// What the layer does for a call, in one line (`turnrl tool doctor` prints it).
    public var explanation: String {
        switch self {
        case .userns: return "user namespace: the worker runs as an unprivileged uid (65534) and exec drops every capability"
        case .mountns: return "mount namespace: mount changes below stay private to the worker"
        case .netns: return "network namespace: no interfaces but a down loopback; the host's network is unreachable"
        case .ipcns: return "IPC namespace: no System V IPC or POSIX message queues shared with the host"
        case .pidns: return "PID namespace: the worker sees only its own processes; the zygote is PID 1"
        case .ownsession: return "own session: the worker has no controlling terminal (each call then gets its own process group)"
        case .readonlyroot: return "read-only mounts: the whole file tree is remounted read-only for the worker"
        case .freshproc: return "fresh /proc: shows only the worker's PID namespace"
        case .scratchtmpfs: return "scratch tmpfs: each worker's scratch space is a size-capped tmpfs, never the host's disk"
        case .capsdropped: return "capability bounding set emptied: not even a root-owned worker can regain capabilities"
        case .nonewprivs: return "no_new_privs: exec can never grant privileges (setuid bits ignored)"
        case .seccompfilter: return "seccomp filter built once by the launcher with libseccomp"
        case .seccomp: return "seccomp applied in every child: dangerous syscalls denied, signals only within its process group, foreign ABIs killed"
        case .landlock: return "Landlock: reads limited to the interpreter, libraries and scratch; writes to scratch only; no exec"
        case .landlocknet: return "Landlock network rules: no TCP bind or connect"
        case .landlockscope: return "Landlock scoping: no signals to, or abstract sockets of, processes outside the call"
        }
    }

    /// Layers a call must have before the pool runs untrusted code without `allowUnsandboxed`.
    public static let required: [IsolationLayer] = [.seccomp, .nonewprivs]
}
