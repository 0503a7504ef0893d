// libseccomp, plus what Swift cannot express directly: a function-like macro and the kernel probes Swift cannot express directly
// (glibc's syscall() is variadic, so Swift does not import it).
#include <stdint.h>
#include <seccomp.h>
#include <errno.h>
#include <unistd.h>
#include <sys/syscall.h>

/// SCMP_ACT_ERRNO(e) as a function: Swift does not import function-like macros.
static inline uint32_t turnrl_scmp_act_errno(uint16_t error_number) {
    return SCMP_ACT_ERRNO(error_number);
}

#ifndef __NR_landlock_create_ruleset
#define __NR_landlock_create_ruleset 444 /* same number on x86_64 and aarch64 */
#endif

/// The Landlock ABI version the running kernel offers, or -errno when it offers none
/// (-ENOSYS: not compiled in; -EOPNOTSUPP: compiled in but disabled at boot).
static inline long turnrl_landlock_abi_version(void) {
    /* LANDLOCK_CREATE_RULESET_VERSION = 1U << 0 */
    long v = syscall(__NR_landlock_create_ruleset, (void *)0, (size_t)0, (unsigned int)1);
    return v >= 0 ? v : -(long)errno;
}
