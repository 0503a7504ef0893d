// turnrl-sandbox-launcher: starts one sandbox worker.
//
//   turnrl-sandbox-launcher --python PATH --runner PATH --scratch DIR [--scratch-mb N]
//                           [--no-namespaces] [-- RUNNER-ARGS...]
//
// Per worker, in this order:
//  1. new user namespace (our uid maps to 65534 inside, so exec drops every capability), then
//     new mount, network, IPC and PID namespaces — each where the kernel allows, each reported;
//  2. fork: the child is PID 1 of the new PID namespace and dies with the launcher (PDEATHSIG);
//  3. in the child: a session of its own; mounts private, the whole tree read-only, a fresh /proc for the new PID
//     namespace, a size-capped tmpfs on the scratch dir; capability bounding set emptied;
//     no_new_privs; fds above 2 closed; environment replaced by a fixed minimal one;
//  4. the seccomp filter is built once with libseccomp and exported as BPF into a memfd;
//  5. exec of the runner: PYTHON -I -S -B RUNNER --seccomp-fd N --layers L --scratch DIR ...
// The parent only waits and passes on the child's exit status. It never reads the pipes.
#define _GNU_SOURCE
#include "launcher.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/mount.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define EXIT_LAUNCHER_FAILURE 70

typedef struct {
    const char *python;
    const char *runner;
    const char *scratch;
    int scratch_mb;
    int namespaces;
    char **runner_args;
    int runner_argc;
} options_t;

// Which isolation layers this worker got, as a comma-separated list for the runner.
typedef struct {
    char text[512];
} layers_t;

static void add_layer(layers_t *layers, const char *name) {
    size_t used = strlen(layers->text);
    snprintf(layers->text + used, sizeof(layers->text) - used, "%s%s", used ? "," : "", name);
}

static void die(const char *what) {
    fprintf(stderr, "turnrl-sandbox-launcher: %s: %s\n", what, strerror(errno));
    _exit(EXIT_LAUNCHER_FAILURE);
}

static void usage(const char *message) {
    fprintf(stderr,
            "turnrl-sandbox-launcher: %s\n"
            "usage: turnrl-sandbox-launcher --python PATH --runner PATH --scratch DIR "
            "[--scratch-mb N] [--no-namespaces] [-- RUNNER-ARGS...]\n",
            message);
    exit(EXIT_LAUNCHER_FAILURE);
}

static options_t parse_options(int argc, char **argv) {
    options_t o = {.scratch_mb = 64, .namespaces = 1};
    int i = 1;
    for (; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--") == 0) {
            i++;
            break;
        } else if (strcmp(a, "--no-namespaces") == 0) {
            o.namespaces = 0;
        } else if (i + 1 < argc && strcmp(a, "--python") == 0) {
            o.python = argv[++i];
        } else if (i + 1 < argc && strcmp(a, "--runner") == 0) {
            o.runner = argv[++i];
        } else if (i + 1 < argc && strcmp(a, "--scratch") == 0) {
            o.scratch = argv[++i];
        } else if (i + 1 < argc && strcmp(a, "--scratch-mb") == 0) {
            o.scratch_mb = atoi(argv[++i]);
        } else {
            usage("unknown or incomplete option");
        }
    }
    if (!o.python || !o.runner || !o.scratch) usage("--python, --runner and --scratch are required");
    if (o.python[0] != '/' || o.runner[0] != '/' || o.scratch[0] != '/') usage("paths must be absolute");
    if (o.scratch_mb <= 0) usage("--scratch-mb must be positive");
    o.runner_args = argv + i;
    o.runner_argc = argc - i;
    return o;
}

static int write_file(const char *path, const char *text) {
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    ssize_t n = write(fd, text, strlen(text));
    int saved = errno;
    close(fd);
    errno = saved;
    return n == (ssize_t)strlen(text) ? 0 : -1;
}

// Step 1. Returns which namespaces were entered; the PID namespace applies to the next fork.
static void enter_namespaces(layers_t *layers) {
    uid_t uid = geteuid();
    gid_t gid = getegid();
    if (unshare(CLONE_NEWUSER) == 0) {
        char map[64];
        snprintf(map, sizeof map, "65534 %u 1\n", (unsigned)uid);
        int ok = write_file("/proc/self/uid_map", map) == 0;
        ok = ok && write_file("/proc/self/setgroups", "deny\n") == 0;
        snprintf(map, sizeof map, "65534 %u 1\n", (unsigned)gid);
        ok = ok && write_file("/proc/self/gid_map", map) == 0;
        if (!ok) die("writing the user namespace's id maps");
        add_layer(layers, "userns");
    }
    // Without a user namespace these still work when we are privileged; otherwise they fail.
    if (unshare(CLONE_NEWNS) == 0) add_layer(layers, "mountns");
    if (unshare(CLONE_NEWNET) == 0) add_layer(layers, "netns");
    if (unshare(CLONE_NEWIPC) == 0) add_layer(layers, "ipcns");
    if (unshare(CLONE_NEWPID) == 0) add_layer(layers, "pidns");
}

static int has_layer(const layers_t *layers, const char *name) {
    const char *p = layers->text;
    size_t n = strlen(name);
    while ((p = strstr(p, name)) != NULL) {
        if ((p == layers->text || p[-1] == ',') && (p[n] == ',' || p[n] == '\0')) return 1;
        p += n;
    }
    return 0;
}

// Step 3, mount part: only inside our own mount namespace, never on the host's mounts.
static void prepare_mounts(const options_t *o, layers_t *layers) {
    if (!has_layer(layers, "mountns")) return;
    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0) die("making mounts private");
    struct mount_attr readonly = {.attr_set = MOUNT_ATTR_RDONLY};
    if (syscall(SYS_mount_setattr, AT_FDCWD, "/", AT_RECURSIVE, &readonly, sizeof readonly) == 0) {
        add_layer(layers, "readonlyroot");
    }
    if (has_layer(layers, "pidns") &&
        mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) == 0) {
        add_layer(layers, "freshproc");
    }
    char data[64];
    snprintf(data, sizeof data, "size=%dm,mode=0700", o->scratch_mb);
    if (mount("tmpfs", o->scratch, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, data) == 0) {
        add_layer(layers, "scratchtmpfs");
    }
}

static void drop_capabilities(layers_t *layers) {
    int dropped = 1;
    for (int cap = 0; cap <= 63; cap++) {
        if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 && errno != EINVAL) dropped = 0;
    }
    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
    if (dropped) add_layer(layers, "capsdropped");
}

static void close_inherited_fds(void) {
    if (syscall(SYS_close_range, 3U, ~0U, 0U) == 0) return;
    for (int fd = 3; fd < 1024; fd++) close(fd);
}

// Step 5. Never returns.
static void exec_runner(const options_t *o, const layers_t *layers, int seccomp_fd) {
    char fd_text[16];
    snprintf(fd_text, sizeof fd_text, "%d", seccomp_fd);
    // Thread counts are fixed before any import: one call, one core.
    char scratch_env[4096];
    snprintf(scratch_env, sizeof scratch_env, "TMPDIR=%s", o->scratch);
    char *env[] = {
        "PATH=/usr/bin:/bin", "LANG=C.UTF-8", "LC_ALL=C.UTF-8", "HOME=/nonexistent",
        scratch_env, "OPENBLAS_NUM_THREADS=1", "OMP_NUM_THREADS=1", "MKL_NUM_THREADS=1",
        "NUMEXPR_NUM_THREADS=1", "VECLIB_MAXIMUM_THREADS=1", "PYTHONHASHSEED=0", NULL,
    };
    int fixed = 11;
    char **args = calloc((size_t)(fixed + o->runner_argc + 1), sizeof(char *));
    if (!args) die("calloc");
    int n = 0;
    args[n++] = (char *)o->python;
    // -I also means the PYTHON* variables above the runner's control are ignored, PYTHONMALLOC
    // included. `-s -P` with PYTHONMALLOC=malloc and GLIBC_TUNABLES=glibc.malloc.hugetlb=1 in this
    // fixed env would be equally isolated (the env is ours alone) and puts the whole heap on huge
    // pages, but measured in the zygote it was no cheaper per call than pymalloc + MADV_COLLAPSE
    // (docs/ARCHITECTURE.md, "Huge pages for the warm heap"), so -I stays.
    args[n++] = "-I";  // isolated: no user site, no PYTHON* variables, no script dir on sys.path
    args[n++] = "-S";  // no site.py: the runner adds exactly the site-packages it needs
    args[n++] = "-B";  // never write .pyc files
    args[n++] = (char *)o->runner;
    args[n++] = "--seccomp-fd";
    args[n++] = fd_text;
    args[n++] = "--layers";
    args[n++] = (char *)layers->text;
    args[n++] = "--scratch";
    args[n++] = (char *)o->scratch;
    for (int i = 0; i < o->runner_argc; i++) args[n++] = o->runner_args[i];
    args[n] = NULL;
    execve(o->python, args, env);
    die("exec of the Python runner");
}

static void run_worker(const options_t *o, layers_t *layers) {
    // Die with the launcher, so killing the launcher from Swift ends the whole worker.
    prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
    // A session of its own, once per worker: away from any controlling terminal, and the
    // zygote's children only need setpgid (a setsid per call would cost a scheduler autogroup).
    if (setsid() >= 0) add_layer(layers, "ownsession");
    prepare_mounts(o, layers);
    drop_capabilities(layers);
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) die("setting no_new_privs");
    add_layer(layers, "nonewprivs");
    close_inherited_fds();
    int seccomp_fd = -1, skipped = 0;
    char error[256] = "";
    if (build_seccomp_filter(&seccomp_fd, &skipped, error, sizeof error) == 0) {
        add_layer(layers, "seccompfilter");
    } else {
        fprintf(stderr, "turnrl-sandbox-launcher: %s\n", error);
    }
    if (skipped > 0) {
        fprintf(stderr, "turnrl-sandbox-launcher: %d denied syscall names unknown to libseccomp\n", skipped);
    }
    exec_runner(o, layers, seccomp_fd);
}

// The spawner's signal state leaks through exec: a process spawned from a thread that blocks
// signals (libdispatch's workers do) would start with SIGTERM, SIGXCPU, ... blocked, and the
// rlimit and kill signals the sandbox relies on would never arrive. Start clean.
static void reset_signals(void) {
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    for (int sig = 1; sig < NSIG; sig++) {
        if (sig != SIGKILL && sig != SIGSTOP) signal(sig, SIG_DFL);
    }
}

int main(int argc, char **argv) {
    reset_signals();
    options_t o = parse_options(argc, argv);
    layers_t layers = {.text = ""};
    if (o.namespaces) enter_namespaces(&layers);
    if (!has_layer(&layers, "pidns")) {
        // No PID namespace: nothing to be PID 1 of, so the launcher becomes the runner itself.
        run_worker(&o, &layers);
    }
    pid_t child = fork();
    if (child < 0) die("fork");
    if (child == 0) run_worker(&o, &layers);
    // The parent keeps no pipe ends open, so the Swift side sees EOF when the worker dies.
    int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (devnull >= 0) {
        dup2(devnull, STDIN_FILENO);
        dup2(devnull, STDOUT_FILENO);
    }
    int status = 0;
    while (waitpid(child, &status, 0) < 0) {
        if (errno != EINTR) die("waitpid");
    }
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    return 128 + WTERMSIG(status);
}
