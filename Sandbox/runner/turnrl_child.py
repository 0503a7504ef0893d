"""The life of one sandbox child, from the zygote's fork to its exit.

The zygote forks the next child *before* the request for it arrives (so a call never waits for
fork). Right after the fork the child enters its own process group, moves into its fresh scratch
dir, applies Landlock and loads seccomp (last: the filter denies seccomp() itself); then, fully
confined, it blocks on its control pipe. The first frame carries the call's limits: the child
lowers its rlimits (setrlimit stays allowed), runs the call, and reports its exit code on the
result pipe before it exits, so the zygote can answer without waiting for the kernel to tear the
process down.
"""

import base64
import builtins
import json
import os
import resource
import sys
import traceback

import turnrl_isolation as isolation
from turnrl_protocol import Limits, read_frame, write_frame

SETUP_FAILED = 125  # exit code of a child whose isolation could not be applied


def prepare(policy, scratch, keep_fds):
    """Right after fork, before any request: everything that does not depend on the call."""
    isolation.die_with_parent()
    # Its own process group, so killpg() from the zygote reaches everything it runs. Not setsid():
    # with scheduler autogroups enabled a new session costs ~3 ms; the launcher already put the
    # whole worker in a session of its own, away from any terminal.
    os.setpgid(0, 0)
    os.chdir(scratch)
    os.environ["HOME"] = scratch
    os.environ["TMPDIR"] = scratch
    policy.restrict_filesystem(scratch)
    low = 3
    for fd in sorted(keep_fds):
        os.closerange(low, fd)
        low = fd + 1
    os.closerange(low, 1 << 16)


def make_stdio():
    """The child's sys.stdout and sys.stderr on fds 1 and 2, built once in the zygote (never
    written there) and inherited, so a child does not build its own (see turnrl_isolation.Policy:
    what a child builds, it pays for in copy-on-write faults).

    stdout is block-buffered like any Python writing to a pipe: the output then reaches the
    zygote together with the result frame, one wake-up instead of two.
    """
    stdout = open(1, "w", encoding="utf-8", errors="backslashreplace", closefd=False)
    stderr = open(2, "w", encoding="utf-8", errors="backslashreplace", closefd=False, buffering=1)
    return stdout, stderr


def main(policy, scratch, ctl_r, res_w, out_w, err_w, tools, baseline, stdio):
    """Never returns: runs in the forked child and ends with os._exit.

    Everything that does not depend on the call -- process group, scratch dir, Landlock,
    seccomp, the stdout/stderr objects -- happens before the request arrives, so the child
    waits for its call already fully confined and the call itself only pays for its rlimits.
    `baseline` is the zygote's address-space size at fork time (what memoryMB adds to);
    `stdio` is make_stdio()'s pair.
    """
    code = SETUP_FAILED
    try:
        try:
            os.dup2(out_w, 1)
            os.dup2(err_w, 2)
            prepare(policy, scratch, {ctl_r, res_w})
            if policy.has_seccomp:
                policy.load_seccomp(os.getpid())
            sys.stdout, sys.stderr = stdio
            first = read_frame(ctl_r)
            if first is None:
                os._exit(0)  # the zygote shut down before using this child
            limits = Limits(first.get("limits"))
            cpu = limits.session_cpu if first.get("op") == "sessionOpen" else limits.cpu
            isolation.set_limits(cpu, baseline + limits.memory, limits.file_size, limits.open_files)
        except BaseException as error:  # noqa: BLE001 -- the child must never return into the zygote
            os.write(2, f"sandbox setup failed: {error!r}\n".encode())
            os._exit(SETUP_FAILED)
        op = first.get("op")
        if op == "run":
            code = exec_code(base64.b64decode(first.get("code", "")), fresh_namespace())
            _finish(res_w, {"exitCode": code})
        elif op == "tool":
            code = _call_tool(tools[first["name"]], first.get("arguments", {}), res_w)
        elif op == "sessionOpen":
            write_frame(res_w, {"exitCode": 0})
            code = _session_loop(ctl_r, res_w, limits.cpu)
    except BaseException:  # noqa: BLE001
        code = 1
    finally:
        os._exit(code if isinstance(code, int) else 1)


def _finish(res_w, payload):
    """Output first, then the result frame: the zygote drains the pipes once the frame arrives."""
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BaseException:  # noqa: BLE001 -- a closed or broken stdout must not lose the result
        pass
    write_frame(res_w, payload)


def fresh_namespace():
    return {"__name__": "__main__", "__builtins__": builtins}


def exec_code(code, namespace):
    """Compiles and runs one snippet; returns the process exit code a script would have."""
    try:
        compiled = compile(code, "<code>", "exec", dont_inherit=True)
    except BaseException as error:  # noqa: BLE001 -- SyntaxError, ValueError (NUL bytes), MemoryError
        traceback.print_exception(type(error), error, None)
        return 1
    try:
        exec(compiled, namespace)
        return 0
    except SystemExit as stop:
        if stop.code is None:
            return 0
        if isinstance(stop.code, int):
            return stop.code & 0xFF
        print(stop.code, file=sys.stderr)
        return 1
    except BaseException as error:  # noqa: BLE001
        # Skip the runner's own frame: the traceback starts in the caller's code.
        traceback.print_exception(type(error), error, error.__traceback__.tb_next)
        return 1


def _call_tool(fn, arguments, res_w):
    try:
        value = fn(**arguments)
        json.dumps(value, allow_nan=False)  # a value JSON cannot carry is the tool's error
    except BaseException as error:  # noqa: BLE001
        traceback.print_exception(type(error), error, error.__traceback__.tb_next)
        _finish(res_w, {"exitCode": 1, "error": f"{type(error).__name__}: {error}"})
        return 1
    _finish(res_w, {"exitCode": 0, "value": value})
    return 0


def _session_loop(ctl_r, res_w, cpu_per_call):
    """A persistent child: runs each snippet in the same namespace, like notebook cells."""
    namespace = fresh_namespace()
    while True:
        request = read_frame(ctl_r)
        if request is None:
            return 0
        # Per-call CPU budget on top of what the session has used; the hard limit stays fixed.
        usage = resource.getrusage(resource.RUSAGE_SELF)
        used = int(usage.ru_utime + usage.ru_stime) + 1
        _, hard = resource.getrlimit(resource.RLIMIT_CPU)
        resource.setrlimit(resource.RLIMIT_CPU, (min(hard, used + cpu_per_call), hard))
        code = exec_code(base64.b64decode(request.get("code", "")), namespace)
        _finish(res_w, {"exitCode": code})
