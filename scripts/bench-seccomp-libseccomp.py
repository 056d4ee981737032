#!/usr/bin/python3
"""Compiles an OCI linux.seccomp profile (as `sysfence profile convert --format oci` writes
it) with libseccomp (Debian's python3-seccomp) to raw BPF, for scripts/bench-seccomp.
Usage: /usr/bin/python3 bench-seccomp-libseccomp.py PROFILE.json OUT.bpf linear|tree"""
import json
import sys

import seccomp

ARCHES = {"SCMP_ARCH_X86": seccomp.Arch.X86, "SCMP_ARCH_X32": seccomp.Arch.X32}
OPS = {
    "SCMP_CMP_EQ": seccomp.EQ, "SCMP_CMP_NE": seccomp.NE, "SCMP_CMP_LT": seccomp.LT,
    "SCMP_CMP_LE": seccomp.LE, "SCMP_CMP_GE": seccomp.GE, "SCMP_CMP_GT": seccomp.GT,
    "SCMP_CMP_MASKED_EQ": seccomp.MASKED_EQ,
}


def action(name, errno):
    return {
        "SCMP_ACT_ALLOW": seccomp.ALLOW,
        "SCMP_ACT_ERRNO": seccomp.ERRNO(errno if errno is not None else 1),
        "SCMP_ACT_KILL_PROCESS": seccomp.KILL_PROCESS,
        "SCMP_ACT_KILL_THREAD": seccomp.KILL,
        "SCMP_ACT_LOG": seccomp.LOG,
    }[name]


def main():
    profile, out, mode = sys.argv[1:4]
    p = json.load(open(profile))
    f = seccomp.SyscallFilter(action(p["defaultAction"], p.get("defaultErrnoRet")))
    for a in p.get("architectures", []):
        if a in ARCHES:
            f.add_arch(ARCHES[a])
    f.set_attr(seccomp.Attr.CTL_OPTIMIZE, 2 if mode == "tree" else 1)
    for entry in p["syscalls"]:
        act = action(entry["action"], entry.get("errnoRet"))
        args = [seccomp.Arg(a["index"], OPS[a["op"]], a["value"], a.get("valueTwo", 0))
                for a in entry.get("args", [])]
        for name in entry["names"]:
            try:
                f.add_rule(act, name, *args)
            except (ValueError, RuntimeError):
                pass  # names libseccomp 2.5.4 does not know
    with open(out, "wb") as fh:
        f.export_bpf(fh)


if __name__ == "__main__":
    main()
