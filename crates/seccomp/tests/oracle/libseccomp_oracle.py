#!/usr/bin/python3
"""Test oracle: compiles a batch of policies with libseccomp (Debian's python3-seccomp) and
prints each program's BPF. Run with /usr/bin/python3: the seccomp module is only there.

stdin:  {"policies": [{"default": RET, "arches": ["x86_64", "x86", "x32"],
          "optimize": 1 or 2,
          "rules": [{"name": "socket", "action": RET, "args": [[idx, "LT", a, b], ...]}]}]}
stdout: [{"bpf": "hex of sock_filter[]", "skipped": ["names libseccomp does not know"]}]

RET values are the kernel's SECCOMP_RET_* | data, which is what libseccomp's actions are.
"""
import json
import os
import sys
import tempfile

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
    f = seccomp.SyscallFilter(policy["default"])
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
        f.add_rule(rule["action"], name, *args)
    with tempfile.TemporaryFile() as tmp:
        f.export_bpf(tmp)
        tmp.seek(0)
        bpf = tmp.read()
    return {"bpf": bpf.hex(), "skipped": skipped}


def main():
    request = json.load(sys.stdin)
    out = [build(p) for p in request["policies"]]
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
