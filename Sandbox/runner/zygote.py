"""The sandbox zygote: a warm Python that forks one isolated child per call.

Started by turnrl-sandbox-launcher as `python -I -S -B zygote.py --seccomp-fd N --layers L
--scratch DIR [--tools FILE]`. It pre-imports numpy, sympy and the modules tasks commonly need,
then serves length-prefixed JSON requests (4-byte big-endian length, UTF-8 JSON) on the fds it
was started with as stdin/stdout. Per call it forks a child that isolates itself
(turnrl_isolation.py) and runs the code; the zygote enforces the wall-clock deadline (it kills
the child's process group), caps the output, and answers with stdout/stderr/exit/duration.
The zygote itself only ever runs this file's code, never a caller's.
"""

import json
import os
import sys

# -S skipped site.py, so the interpreter's (or venv's) site-packages are added by hand, and the
# runner's own directory last so a caller's module names never resolve to the runner's files.
_RUNNER_DIR = os.path.dirname(os.path.abspath(__file__))
sys.path.append(_RUNNER_DIR)
import turnrl_paths  # noqa: E402

SITE_DIRS = turnrl_paths.add_site_packages()
sys.path.remove(_RUNNER_DIR)
sys.path.append(_RUNNER_DIR)

import base64  # noqa: E402
import resource  # noqa: E402
import select  # noqa: E402
import shutil  # noqa: E402
import signal  # noqa: E402
import struct  # noqa: E402
import time  # noqa: E402

import turnrl_child  # noqa: E402
import turnrl_isolation as isolation  # noqa: E402
import turnrl_tools  # noqa: E402
import turnrl_warm  # noqa: E402
from turnrl_protocol import Limits, read_frame, write_frame  # noqa: E402

RESULT_CAP = 16 << 20  # bytes a child may send on its result pipe (a tool's return value)


class Child:
    """A forked child as the zygote sees it: its pid, pipe ends and scratch dir."""

    def __init__(self, pid, ctl_w, out_r, err_r, res_r, scratch):
        self.pid, self.ctl_w, self.out_r, self.err_r, self.res_r = pid, ctl_w, out_r, err_r, res_r
        self.scratch = scratch

    def close(self):
        for fd in (self.ctl_w, self.out_r, self.err_r, self.res_r):
            if fd is not None:
                try:
                    os.close(fd)
                except OSError:
                    pass
        self.ctl_w = self.out_r = self.err_r = self.res_r = None

    def send(self, frame):
        try:
            write_frame(self.ctl_w, frame)
        except OSError:
            pass  # the child is gone; supervision reports how it ended


class Outcome:
    """What supervising a child for one call produced."""

    def __init__(self):
        self.out, self.err, self.res = bytearray(), bytearray(), bytearray()
        self.timed_out = self.truncated = self.exited = False
        self.result = None


class Zygote:
    def __init__(self, args):
        self.scratch_root = args["scratch"]
        self.launcher_layers = [x for x in args["layers"].split(",") if x]
        self.tools = turnrl_tools.load(args["tools"]) if args.get("tools") else {}
        bpf = b""
        if args.get("seccomp_fd") not in (None, "") and int(args["seccomp_fd"]) >= 0:
            with os.fdopen(int(args["seccomp_fd"]), "rb") as f:
                bpf = f.read()
        readable = [sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix, _RUNNER_DIR,
                    "/usr", "/lib", "/lib64", "/dev/urandom", "/dev/zero"]
        readable += [p for p in sys.path if p and os.path.isdir(p)]
        readable += SITE_DIRS + ([turnrl_paths.venv_root()] if turnrl_paths.venv_root() else [])
        if args.get("tools"):
            readable.append(os.path.dirname(os.path.abspath(args["tools"])))
        self.policy = isolation.Policy(bpf, sorted(set(readable)), ["/dev/null"])
        self.sessions = {}  # id -> (Child, Limits)
        self.spare = None  # the child forked ahead of the next call
        self.exiting = []  # pids that reported their result and are being torn down
        self.pending_cleanup = []  # scratch dirs removed after the answer is sent
        self.counter = 0
        self.seccomp_applied = False
        self.stdio = turnrl_child.make_stdio()  # for the children only: the zygote never writes to them
        self.huge_page_bytes = 0  # set by main() once the heap is frozen on huge pages

    # -- children ---------------------------------------------------------------------------

    def _fork_child(self):
        self.counter += 1
        scratch = os.path.join(self.scratch_root, f"c{os.getpid()}-{self.counter}")
        os.mkdir(scratch, 0o700)
        ctl_r, ctl_w = os.pipe()
        out_r, out_w = os.pipe()
        err_r, err_w = os.pipe()
        res_r, res_w = os.pipe()
        baseline = isolation.address_space_bytes()
        pid = os.fork()
        if pid == 0:
            turnrl_child.main(self.policy, scratch, ctl_r, res_w, out_w, err_w, self.tools, baseline, self.stdio)
        for fd in (ctl_r, out_w, err_w, res_w):
            os.close(fd)
        return Child(pid, ctl_w, out_r, err_r, res_r, scratch)

    def _take_child(self):
        child, self.spare = self.spare, None
        return child or self._fork_child()

    def ensure_spare(self):
        if self.spare is None:
            try:
                self.spare = self._fork_child()
            except OSError:
                pass  # out of processes or memory right now: the next call forks on demand

    def _supervise(self, child, deadline, cap):
        """Reads the child's output until it reports its result, exits, overflows or times out."""
        outcome = Outcome()
        buffers = {child.out_r: outcome.out, child.err_r: outcome.err, child.res_r: outcome.res}
        open_fds = [child.out_r, child.err_r, child.res_r]
        pidfd = os.pidfd_open(child.pid)
        try:
            while True:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    outcome.timed_out = True
                    break
                ready, _, _ = select.select(open_fds + [pidfd], [], [], remaining)
                for fd in ready:
                    if fd == pidfd:
                        outcome.exited = True
                        continue
                    data = os.read(fd, 1 << 16)
                    if not data:
                        open_fds.remove(fd)
                    else:
                        buffers[fd] += data
                if len(outcome.out) + len(outcome.err) > cap or len(outcome.res) > RESULT_CAP:
                    outcome.truncated = True
                    break
                outcome.result = _parse_result(outcome.res)
                if outcome.result is not None or outcome.exited:
                    break
            if outcome.timed_out or outcome.truncated:
                _kill_group(child.pid)
            # Whatever the child wrote before it stopped is already in the pipes: drain it.
            _drain(open_fds, buffers, cap)
            if outcome.result is None:
                outcome.result = _parse_result(outcome.res)
        finally:
            os.close(pidfd)
        if len(outcome.out) + len(outcome.err) > cap:
            outcome.truncated = True
            del outcome.out[cap:]
            del outcome.err[max(0, cap - len(outcome.out)):]
        return outcome

    def _one_shot(self, request, first_frame, limits, started):
        """Runs one stateless call in a fresh child; the child never outlives the call."""
        child = self._take_child()
        child.send(first_frame)
        # Fork the next call's child now, while this one runs on the other core: the fork then
        # costs this call nothing, and the next call finds its child ready.
        self.ensure_spare()
        outcome = self._supervise(child, started + limits.timeout, limits.output_cap)
        _kill_group(child.pid)  # by contract it is done; nothing it started may linger
        if outcome.result is not None and not outcome.timed_out and not outcome.truncated:
            exit_code, sig = outcome.result.get("exitCode"), None
            self.exiting.append(child.pid)
        else:
            exit_code, sig = _reap(child.pid)
        child.close()
        self.pending_cleanup.append(child.scratch)
        return _response(request, outcome, exit_code, sig, started, limits)

    # -- operations -------------------------------------------------------------------------

    def run(self, request):
        limits = Limits(request.get("limits"))
        started = time.monotonic()
        frame = {"op": "run", "code": request.get("code", ""), "limits": request.get("limits") or {}}
        return self._one_shot(request, frame, limits, started)

    def call_tool(self, request):
        limits = Limits(request.get("limits"))
        started = time.monotonic()
        name = request.get("name")
        fn = self.tools.get(name)
        if fn is None:
            known = ", ".join(sorted(self.tools)) or "none"
            return _response(request, Outcome(), None, None, started, limits,
                             error=f"no tool named {name!r}; this environment's tools: {known}")
        problem = turnrl_tools.check_arguments(name, fn, request.get("arguments", {}))
        if problem:
            return _response(request, Outcome(), None, None, started, limits, error=problem)
        frame = {"op": "tool", "name": name, "arguments": request.get("arguments", {}),
                 "limits": request.get("limits") or {}}
        response = self._one_shot(request, frame, limits, started)
        return response

    def session_open(self, request):
        limits = Limits(request.get("limits"))
        started = time.monotonic()
        child = self._take_child()
        child.send({"op": "sessionOpen", "limits": request.get("limits") or {}})
        outcome = self._supervise(child, started + limits.timeout, limits.output_cap)
        if outcome.result is None:
            _kill_group(child.pid)
            exit_code, sig = _reap(child.pid)
            child.close()
            self.pending_cleanup.append(child.scratch)
            return _response(request, outcome, exit_code, sig, started, limits, session_ended=True)
        self.counter += 1
        session_id = f"s{self.counter}"
        self.sessions[session_id] = (child, limits)
        response = _response(request, outcome, 0, None, started, limits)
        response["session"] = session_id
        return response

    def session_run(self, request):
        started = time.monotonic()
        session_id = request.get("session")
        if session_id not in self.sessions:
            return _response(request, Outcome(), None, None, started, Limits(None),
                             error=f"no open session {session_id!r}; open a new session",
                             session_ended=True)
        child, limits = self.sessions[session_id]
        timeout = limits.timeout
        if "timeoutMs" in (request.get("limits") or {}):
            timeout = float(request["limits"]["timeoutMs"]) / 1000.0
        child.send({"code": request.get("code", "")})
        outcome = self._supervise(child, started + timeout, limits.output_cap)
        if outcome.result is not None and not outcome.timed_out and not outcome.truncated:
            return _response(request, outcome, outcome.result.get("exitCode"), None, started, limits)
        # No result: the session child died, or was killed for the deadline or the output cap.
        _kill_group(child.pid)
        exit_code, sig = _reap(child.pid)
        self._forget_session(session_id)
        return _response(request, outcome, exit_code, sig, started, limits, session_ended=True)

    def session_close(self, request):
        started = time.monotonic()
        session_id = request.get("session")
        if session_id in self.sessions:
            child = self.sessions[session_id][0]
            _kill_group(child.pid)
            _reap(child.pid)
            self._forget_session(session_id)
        return _response(request, Outcome(), None, None, started, Limits(None), session_ended=True)

    def _forget_session(self, session_id):
        child, _ = self.sessions.pop(session_id)
        child.close()
        self.pending_cleanup.append(child.scratch)

    def probe(self):
        """Runs one call end to end at startup: proves the filter loads on this kernel."""
        response = self.run({"id": 0, "code": base64.b64encode(b"print('ok')").decode(), "limits": {}})
        self.housekeeping()
        self.seccomp_applied = self.policy.has_seccomp and response["exitCode"] == 0 and response["stdout"] == "ok\n"
        return response

    def housekeeping(self):
        """After an answer is sent: reap, remove scratch dirs, fork the next call's child."""
        still = []
        for pid in self.exiting:
            try:
                done, _ = os.waitpid(pid, os.WNOHANG)
            except ChildProcessError:
                done = pid
            if done == 0:
                still.append(pid)
        self.exiting = still
        for path in self.pending_cleanup:
            _remove_scratch(path)
        self.pending_cleanup = []
        self.ensure_spare()

    def cpu_usage(self):
        """CPU seconds of the zygote and of every child it has reaped (for `bench sandbox`)."""
        for pid in self.exiting:
            try:
                os.waitpid(pid, 0)
            except ChildProcessError:
                pass
        self.exiting = []
        me, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
        return {"cpuSeconds": me.ru_utime + me.ru_stime + children.ru_utime + children.ru_stime}

    def hello(self, preloaded, probe):
        layers = list(self.launcher_layers) + self.policy.layer_names()
        if self.seccomp_applied:
            layers.append("seccomp")
        return {
            "hello": True, "python": sys.version.split()[0], "executable": sys.executable,
            "prefix": turnrl_paths.venv_root() or sys.prefix, "layers": layers, "landlockABI": self.policy.abi,
            "preloaded": preloaded, "tools": turnrl_tools.describe(self.tools), "pid": os.getpid(),
            "hugePageBytes": self.huge_page_bytes,
            "probe": None if probe["exitCode"] == 0 else (probe["error"] or probe["stderr"]),
        }

    def serve(self, proto_in, proto_out):
        handlers = {"run": self.run, "tool": self.call_tool, "sessionOpen": self.session_open,
                    "sessionRun": self.session_run, "sessionClose": self.session_close}
        while True:
            request = read_frame(proto_in)
            if request is None:
                return
            op = request.get("op")
            if op == "ping":
                response = {"id": request.get("id"), "pong": True, "sessions": len(self.sessions)}
            elif op == "stats":
                response = {"id": request.get("id"), **self.cpu_usage()}
            elif op == "describeTools":
                response = {"id": request.get("id"), "tools": turnrl_tools.describe(self.tools)}
            elif op in handlers:
                try:
                    response = handlers[op](request)
                except Exception as error:  # noqa: BLE001 -- report, keep serving
                    response = _response(request, Outcome(), None, None, time.monotonic(), Limits(None),
                                         error=f"sandbox runner failed: {error!r}")
            else:
                response = {"id": request.get("id"), "error": f"unknown op {op!r}"}
            write_frame(proto_out, response)
            self.housekeeping()  # after answering, so none of it delays the caller


def _parse_result(buffer):
    if len(buffer) < 4:
        return None
    n = struct.unpack(">I", buffer[:4])[0]
    if len(buffer) < 4 + n:
        return None
    try:
        value = json.loads(bytes(buffer[4:4 + n]))
    except ValueError:
        return {"exitCode": None, "error": "the child sent a malformed result frame"}
    return value if isinstance(value, dict) else {"exitCode": None, "error": "malformed result frame"}


def _drain(open_fds, buffers, cap):
    for fd in list(open_fds):
        os.set_blocking(fd, False)
        try:
            while len(buffers[fd]) <= cap:
                data = os.read(fd, 1 << 16)
                if not data:
                    break
                buffers[fd] += data
        except BlockingIOError:
            pass
        os.set_blocking(fd, True)


def _remove_scratch(path):
    """Most calls leave their scratch dir empty: one rmdir, and rmtree only when it is not."""
    try:
        os.rmdir(path)
    except OSError:
        shutil.rmtree(path, ignore_errors=True)


def _kill_group(pid):
    for kill in (os.killpg, os.kill):
        try:
            kill(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


def _reap(pid):
    _, status = os.waitpid(pid, 0)
    if os.WIFSIGNALED(status):
        return None, signal.Signals(os.WTERMSIG(status)).name
    return os.WEXITSTATUS(status), None


def _response(request, outcome, exit_code, sig, started, limits, error=None, session_ended=False):
    stderr = bytes(outcome.err).decode("utf-8", "replace")
    result = outcome.result or {}
    if error is None:
        error = result.get("error") or _explain(exit_code, sig, outcome, stderr, limits)
    response = {
        "id": request.get("id"), "stdout": bytes(outcome.out).decode("utf-8", "replace"), "stderr": stderr,
        "exitCode": exit_code, "signal": sig, "timedOut": outcome.timed_out,
        "outputTruncated": outcome.truncated,
        "durationMs": round((time.monotonic() - started) * 1000.0, 3), "error": error,
    }
    if "value" in result:
        response["value"] = result["value"]
    if session_ended:
        response["sessionEnded"] = True
    return response


def _explain(exit_code, sig, outcome, stderr, limits):
    if outcome.timed_out:
        return f"wall-clock limit of {limits.timeout:g} s exceeded; the process group was killed"
    if outcome.truncated:
        return f"output exceeded {limits.output_cap} bytes; the process group was killed"
    if sig == "SIGXCPU":
        return f"CPU time limit of {limits.cpu} s exceeded"
    if sig == "SIGSYS":
        return "killed by the seccomp filter (a syscall from a foreign ABI such as x32 or i386)"
    if sig is not None:
        return f"killed by {sig}"
    if exit_code == turnrl_child.SETUP_FAILED and stderr.startswith("sandbox setup failed"):
        return stderr.strip()
    if exit_code:
        lines = [line for line in stderr.splitlines() if line.strip()]
        return lines[-1].strip() if lines else f"exit code {exit_code}"
    return None


def _parse_args(argv):
    args = {}
    i = 0
    while i < len(argv):
        key = argv[i].lstrip("-").replace("-", "_")
        args[key] = argv[i + 1] if i + 1 < len(argv) else ""
        i += 2
    for required in ("scratch", "layers"):
        args.setdefault(required, "")
    return args


def main():
    args = _parse_args(sys.argv[1:])
    # The protocol moves to private fds; stray prints from imported libraries go to stderr.
    proto_in, proto_out = os.dup(0), os.dup(1)
    null = os.open("/dev/null", os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    os.dup2(2, 1)
    if not args["scratch"]:
        args["scratch"] = os.environ.get("TMPDIR", "/tmp")
    preloaded = turnrl_warm.preload()
    zygote = Zygote(args)
    zygote.huge_page_bytes = turnrl_warm.freeze()  # after Zygote(): its policy is part of the warm heap
    probe = zygote.probe()
    write_frame(proto_out, zygote.hello(preloaded, probe))
    zygote.serve(proto_in, proto_out)


if __name__ == "__main__":
    main()
