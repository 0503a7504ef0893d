"""The zygote's wire format and the per-call limits it carries.

A frame is a 4-byte big-endian length followed by that many bytes of UTF-8 JSON. The same
framing runs between ToolSandbox (Swift) and the zygote, and between the zygote and its
children (control and result pipes). Code travels base64-encoded, so invalid UTF-8 and NUL
bytes reach Python's compiler unchanged and fail there with Python's own error.
"""

import json
import os
import struct

MAX_FRAME = 64 << 20  # a frame larger than this is a protocol error, not something to allocate


def _read_exact(fd, n):
    chunks, got = [], 0
    while got < n:
        chunk = os.read(fd, min(n - got, 1 << 20))
        if not chunk:
            return None
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)


def read_frame(fd):
    """The next frame's JSON value, or None at end of input."""
    header = _read_exact(fd, 4)
    if header is None:
        return None
    length = struct.unpack(">I", header)[0]
    if length > MAX_FRAME:
        raise ValueError(f"frame of {length} bytes exceeds the {MAX_FRAME}-byte limit")
    body = _read_exact(fd, length)
    return None if body is None else json.loads(body)


# One encoder for every frame: json.dumps with non-default options builds a new one per call.
_ENCODER = json.JSONEncoder(ensure_ascii=False, allow_nan=False, default=str)


def encode_frame(obj):
    body = _ENCODER.encode(obj).encode("utf-8", "surrogatepass")
    return struct.pack(">I", len(body)) + body


def write_frame(fd, obj):
    view = memoryview(encode_frame(obj))
    while view:
        view = view[os.write(fd, view):]


class Limits:
    """Per-call limits. Defaults mirror ToolSandbox's `SandboxLimits` (documented there)."""

    def __init__(self, raw):
        raw = raw or {}
        self.timeout = float(raw.get("timeoutMs", 10000)) / 1000.0
        self.cpu = max(1, int(raw.get("cpuSeconds", 10)))
        self.session_cpu = max(self.cpu, int(raw.get("sessionCpuSeconds", 60)))
        self.memory = int(raw.get("memoryMB", 512)) << 20
        self.file_size = int(raw.get("fileSizeMB", 16)) << 20
        self.open_files = int(raw.get("openFiles", 64))
        self.output_cap = int(raw.get("maxOutputBytes", 1 << 20))
