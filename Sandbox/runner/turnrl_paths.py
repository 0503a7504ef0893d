"""sys.path for an interpreter started with -S (no site.py), as the sandbox starts it.

Without site.py nothing adds site-packages, and nothing switches to a virtual environment
either (site.py is what reads pyvenv.cfg). So: if the interpreter was started from a venv's
bin/ (its pyvenv.cfg sits one level up), use that venv's site-packages; otherwise the
interpreter's own (plus Debian's dist-packages for the system Python).
"""

import os
import sys
import sysconfig


def venv_root():
    """The virtual environment sys.executable belongs to, or None."""
    bin_dir = os.path.dirname(os.path.abspath(sys.executable))
    for root in (bin_dir, os.path.dirname(bin_dir)):
        if os.path.isfile(os.path.join(root, "pyvenv.cfg")):
            return root
    return None


def add_site_packages():
    """Appends the site-packages directories to sys.path; returns them."""
    version = f"python{sys.version_info[0]}.{sys.version_info[1]}"
    root = venv_root()
    if root:
        candidates = [os.path.join(root, lib, version, "site-packages") for lib in ("lib", "lib64")]
    else:
        candidates = [sysconfig.get_path("purelib"), sysconfig.get_path("platlib")]
        if sys.prefix == "/usr":
            candidates.append("/usr/lib/python3/dist-packages")  # Debian's system interpreter
    added = []
    for path in candidates:
        if path and os.path.isdir(path) and path not in sys.path and os.path.realpath(path) not in added:
            sys.path.append(path)
            added.append(os.path.realpath(path))
    return added
