"""Keeping the query engine off the network: SPARQL ``SERVICE`` must never open a connection.

pyoxigraph evaluates ``SERVICE <iri> { ... }`` by sending an HTTP request to the IRI, and it has no
option to turn that off. So the processes (or threads) that run queries are cut off from the network
before the first query, at the operating-system level, where no spelling of a query can get around it:

1. **A network namespace of their own** (``unshare(CLONE_NEWNET)``; without root, inside a new user
   namespace): the only interface is a loopback that is down, so every ``connect()`` fails with
   ``ENETUNREACH``, 127.0.0.1 included.
2. **A seccomp filter** that makes ``socket(AF_INET | AF_INET6, ...)`` fail with ``EACCES`` (Unix
   sockets and pipes keep working). It is installed with ``no_new_privs`` and cannot be removed.

:func:`deny_network_process` applies both to the whole (still single-threaded) process: the SPARQL
endpoint's worker processes call it at start-up and refuse to start unless at least one layer is in
force. :func:`offline` runs one function in a thread that has the seccomp filter (seccomp and the
network namespace set by ``unshare`` belong to the calling thread and the threads it starts), which is
how ``exo-rdf query`` and every other in-process query runs.
"""

from __future__ import annotations

import ctypes
import errno as _errno
import os
import platform
import struct
import threading
from typing import Callable, TypeVar

__all__ = ["NETWORK_REFUSED", "deny_network_process", "offline", "seccomp_deny_inet", "unshare_network"]

T = TypeVar("T")

#: The message a query gets when it tries to reach the network (a SERVICE clause).
NETWORK_REFUSED = (
    "SERVICE (federated query) is not allowed: queries here only read the local data, and "
    "the query engine has no network access"
)

_CLONE_NEWNET = 0x40000000
_CLONE_NEWUSER = 0x10000000
_PR_SET_NO_NEW_PRIVS = 38
_PR_SET_SECCOMP = 22
_SECCOMP_MODE_FILTER = 2
_SECCOMP_RET_ALLOW = 0x7FFF0000
_SECCOMP_RET_ERRNO = 0x00050000
_AF_INET, _AF_INET6 = 2, 10
# (audit architecture, number of socket(2)) per machine; a system call made through another
# architecture's table (checked first) is refused.
_ARCHES = {"x86_64": (0xC000003E, 41), "aarch64": (0xC00000B7, 198), "arm64": (0xC00000B7, 198)}


def _libc():
    return ctypes.CDLL(None, use_errno=True)


def unshare_network() -> bool:
    """Move the calling thread into a fresh, empty network namespace; True when it worked."""
    if platform.system() != "Linux":
        return False
    try:
        libc = _libc()
    except OSError:
        return False
    if libc.unshare(_CLONE_NEWNET) == 0:
        return True
    # Without CAP_SYS_ADMIN: a user namespace first (only allowed while the process is single-threaded).
    uid, gid = os.getuid(), os.getgid()
    if libc.unshare(_CLONE_NEWUSER | _CLONE_NEWNET) != 0:
        return False
    for name, text in (("setgroups", "deny"), ("uid_map", f"{uid} {uid} 1"), ("gid_map", f"{gid} {gid} 1")):
        try:
            with open(f"/proc/self/{name}", "w") as fh:
                fh.write(text)
        except OSError:
            pass  # the namespace is in force either way; only the id mapping is cosmetic
    return True


def _filter_program(arch: int, socket_nr: int) -> bytes:
    """Classic BPF for seccomp: socket(AF_INET|AF_INET6, ...) -> EACCES, wrong architecture -> EACCES."""
    ld_abs, jeq, ret = 0x20, 0x15, 0x06
    deny = _SECCOMP_RET_ERRNO | _errno.EACCES
    jge = 0x35
    prog = [
        (ld_abs, 0, 0, 4),  # 0: A = seccomp_data.arch
        (jeq, 1, 0, arch),  # 1: our architecture: go on at 3
        (ret, 0, 0, deny),  # 2
        (ld_abs, 0, 0, 0),  # 3: A = seccomp_data.nr
        (jge, 5, 0, 0x40000000),  # 4: x32 system call numbers: deny (10)
        (jeq, 0, 3, socket_nr),  # 5: not socket(): allow (9)
        (ld_abs, 0, 0, 16),  # 6: A = low 32 bits of args[0], the address family
        (jeq, 2, 0, _AF_INET),  # 7: deny (10)
        (jeq, 1, 0, _AF_INET6),  # 8: deny (10)
        (ret, 0, 0, _SECCOMP_RET_ALLOW),  # 9
        (ret, 0, 0, deny),  # 10
    ]
    return b"".join(struct.pack("=HBBI", *ins) for ins in prog)


def seccomp_deny_inet() -> bool:
    """Install the seccomp filter on the calling thread (inherited by the threads it starts)."""
    if platform.system() != "Linux":
        return False
    spec = _ARCHES.get(platform.machine())
    if spec is None:
        return False
    try:
        libc = _libc()
    except OSError:
        return False
    code = _filter_program(*spec)
    count = len(code) // 8
    buf = ctypes.create_string_buffer(code, len(code))

    class SockFprog(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]

    prog = SockFprog(count, ctypes.cast(buf, ctypes.c_void_p))
    libc.prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong]
    if libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        return False
    if libc.prctl(_PR_SET_SECCOMP, _SECCOMP_MODE_FILTER, ctypes.addressof(prog), 0, 0) != 0:
        return False
    return True


def _probe() -> str | None:
    """None when no TCP connection can be opened; otherwise what happened (for the error message)."""
    import socket

    try:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    except OSError:
        return None
    try:
        sock.settimeout(0.5)
        sock.connect(("127.0.0.1", 9))
    except OSError as exc:
        if exc.errno in (_errno.ENETUNREACH, _errno.EACCES, _errno.EPERM):
            return None
        return f"connect() to 127.0.0.1 failed with {exc.strerror}, not 'network unreachable'"
    finally:
        sock.close()
    return "connect() to 127.0.0.1 succeeded"


def deny_network_process() -> list[str]:
    """Cut the calling process off the network (call it while single-threaded). Returns the layers in
    force; raises :class:`RuntimeError` with a clear message when none could be installed."""
    layers = []
    if unshare_network():
        layers.append("network namespace")
    if seccomp_deny_inet():
        layers.append("seccomp")
    problem = _probe()
    if not layers or problem is not None:
        raise RuntimeError(
            "cannot cut the SPARQL query engine off the network (needed so that SERVICE cannot make the server "
            "open connections): neither a network namespace (unshare) nor a seccomp filter could be installed"
            + (f"; {problem}" if problem else "")
            + ". Run on Linux (x86_64 or aarch64) with unprivileged user namespaces or seccomp allowed."
        )
    return layers


def offline(fn: Callable[[], T]) -> T:
    """Run ``fn()`` in a thread that cannot open TCP/UDP sockets, and return (or raise) what it did."""
    box: dict = {}

    def body():
        try:
            if not seccomp_deny_inet():
                box["error"] = RuntimeError(
                    "cannot run the query without network access: no seccomp filter could be installed here "
                    "(needed so that SERVICE cannot reach the network)"
                )
                return
            box["value"] = fn()
        except BaseException as exc:  # re-raised in the caller's thread
            # Drop the traceback here: its frames hold engine objects that must die in this thread.
            box["error"] = exc.with_traceback(None)

    thread = threading.Thread(target=body, name="exo-rdf-offline-query", daemon=True)
    thread.start()
    thread.join()
    if "error" in box:
        raise box["error"]
    return box["value"]
