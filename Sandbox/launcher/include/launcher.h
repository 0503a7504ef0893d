// turnrl-sandbox-launcher: internal interfaces between the launcher's source files.
#ifndef TURNRL_SANDBOX_LAUNCHER_H
#define TURNRL_SANDBOX_LAUNCHER_H

#include <stddef.h>

/// Builds the libseccomp filter (seccomp_policy.c) and exports it as BPF into a memfd the
/// runner inherits. Returns 0 and the fd, or -1 with a message. `out_skipped` counts denied
/// syscall names this libseccomp does not know.
int build_seccomp_filter(int *out_fd, int *out_skipped, char *error, size_t error_size);

#endif
