#!/usr/bin/python3
"""Test oracle: compiles a batch of policies with libseccomp (Debian's python3-seccomp) and
prints each program's BPF. Run with /usr/bin/python3: the seccomp module is only there.

stdin:  {"policies": [{"default": RET, "arches": ["x86_64", "x86", "x32"],
          "optimize": 1 or 2,
          "rules": [{"name": "socket", "action": RET, "args": [[idx, "LT", a, b], ...]}]}]}
stdout: [{"bpf": "hex of sock_filter[]", "skipped": ["names libseccomp does not know"],
          "unresolved": {"x32": ["names it knows on another of the arches but not this one"]}}
         or {"hang": true} (see build_guarded) or {"error": "what libseccomp refused"}

RET values are the kernel's SECCOMP_RET_* | data, which is what libseccomp's actions are.
"""
import json
import os
import select
import signal
import sys
import tempfile
import time

import seccomp

ARCHES = {
    "x86_64": seccomp.Arch.X86_64,
    "x86": seccomp.Arch.X86,
    "x32": seccomp.Arch.X32,
    "aarch64": seccomp.Arch.AARCH64,
}
OPS = {
    "EQ": seccomp.EQ, "NE": seccomp.NE, "LT": seccomp.LT, "LE": seccomp.LE,
    "GE": seccomp.GE, "GT": seccomp.GT, "MASKED_EQ": seccomp.MASKED_EQ,
}


def action(ret):
    """The kernel's u32 return value as the C int libseccomp's python binding takes."""
    return ret - (1 << 32) if ret >= (1 << 31) else ret


def known(name, arches):
    for a in arches:
        try:
            if seccomp.resolve_syscall(ARCHES[a], name) >= 0:
                return True
        except (ValueError, RuntimeError):
            pass
    return False


def build(policy):
    arches = policy["arches"]
    f = seccomp.SyscallFilter(action(policy["default"]))
    if arches[0] != "x86_64":
        f.add_arch(ARCHES[arches[0]])
        f.remove_arch(seccomp.Arch.NATIVE)
    for a in arches[1:]:
        f.add_arch(ARCHES[a])
    f.set_attr(seccomp.Attr.CTL_OPTIMIZE, policy.get("optimize", 1))
    skipped = []
    for rule in policy["rules"]:
        name = rule["name"]
        if not known(name, arches):
            if name not in skipped:
                skipped.append(name)
            continue
        args = [seccomp.Arg(i, OPS[op], a, b) for i, op, a, b in rule["args"]]
        f.add_rule(action(rule["action"]), name, *args)
    unresolved = {}
    for a in arches:
        for name in sorted({r["name"] for r in policy["rules"]} - set(skipped)):
            try:
                ok = seccomp.resolve_syscall(ARCHES[a], name) >= 0
            except (ValueError, RuntimeError):
                ok = False
            if not ok:
                unresolved.setdefault(a, []).append(name)
    with tempfile.TemporaryFile() as tmp:
        f.export_bpf(tmp)
        tmp.seek(0)
        bpf = tmp.read()
    return {"bpf": bpf.hex(), "skipped": skipped, "unresolved": unresolved}


def build_guarded(policy, timeout):
    """Builds in a forked child: libseccomp 2.5.4 loops forever on some rule sets (e.g. two
    rules on one syscall sharing a first condition, one with three conditions, one with two);
    such a policy is reported as {"hang": true} instead of stalling the batch."""
    rfd, wfd = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(rfd)
        try:
            data = json.dumps(build(policy)).encode()
        except Exception as e:  # reported to the test, which fails on it
            data = json.dumps({"error": "%s: %s" % (type(e).__name__, e)}).encode()
        with os.fdopen(wfd, "wb") as w:
            w.write(data)
        os._exit(0)
    os.close(wfd)
    chunks = []
    deadline = time.monotonic() + timeout
    with os.fdopen(rfd, "rb") as r:
        while True:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([r], [], [], left)[0]:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                return {"hang": True}
            chunk = os.read(r.fileno(), 1 << 16)
            if not chunk:
                break
            chunks.append(chunk)
    os.waitpid(pid, 0)
    return json.loads(b"".join(chunks))


def main():
    request = json.load(sys.stdin)
    timeout = request.get("timeout", 0.5)
    out = [build_guarded(p, timeout) for p in request["policies"]]
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
