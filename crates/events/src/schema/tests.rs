//! `write_json` writes the bytes serde_json writes for the derived schema, for every
//! variant, with and without the task, every optional field present and absent, and
//! strings that need escaping.

use super::*;

/// Strings that exercise escaping: quotes, backslashes, control characters, non-ASCII.
const AWKWARD: &[&str] = &[
    "",
    "plain",
    "a \"quoted\" \\path\\",
    "tab\there\nnewline\r\u{1}\u{1f}\u{7f}",
    "caf\u{e9} \u{1f600} \u{2028}",
];

fn task(container: bool) -> JsonTask {
    JsonTask {
        comm: "web \"srv\"".into(),
        uid: 1000,
        gid: u32::MAX,
        ppid: 1,
        cgroup_id: u64::MAX,
        mntns: 4026531832,
        pidns: 4026531836,
        container: container.then(|| "0123456789ab".into()),
        runtime: container.then_some("runc"),
    }
}

fn bodies() -> Vec<JsonBody> {
    let mut out = Vec::new();
    for (i, s) in AWKWARD.iter().enumerate() {
        let some = i % 2 == 0;
        out.push(JsonBody::Syscall {
            name: s.to_string(),
            nr: i as u32,
            arch: "x86_64",
            args: (0..i)
                .map(|a| JsonArg {
                    name: format!("arg{a}"),
                    text: s.to_string(),
                    raw: u64::MAX - a as u64,
                })
                .collect(),
            ret: some.then_some(-(i as i64)),
            errno: some.then(|| "ENOENT".into()),
            ret_text: some.then(|| s.to_string()),
            duration: some.then_some(9.39e-7 * i as f64),
        });
        out.push(JsonBody::Signal {
            signal: s.to_string(),
            signo: i as i32,
            siginfo: some.then(|| s.to_string()),
        });
        out.push(JsonBody::Exec {
            filename: s.to_string(),
            argv: AWKWARD[..i].iter().map(|a| a.to_string()).collect(),
            argv_complete: some,
            env: some.then(|| vec![s.to_string(), "K=V".into()]),
            env_complete: some.then_some(!some),
        });
        out.push(JsonBody::IoUring {
            op: s.to_string(),
            opcode: 18,
            fd: -100,
            path: some.then(|| s.to_string()),
            flags: some.then(|| "O_RDONLY".into()),
            res: -2,
            errno: some.then(|| "ENOENT".into()),
            user_data: u64::MAX,
            sq_thread: some,
        });
        out.push(JsonBody::Killed {
            signal: s.to_string(),
            core_dumped: some,
        });
    }
    out.push(JsonBody::Exit { code: i32::MIN });
    out.push(JsonBody::Fork {
        child_pid: 7,
        child_tid: 8,
    });
    out.push(JsonBody::Lost {
        count: 1,
        total: u64::MAX,
    });
    out
}

#[test]
fn write_json_is_serde_jsons_output_byte_for_byte() {
    let mut n = 0;
    for body in bodies() {
        for task in [None, Some(task(false)), Some(task(true))] {
            for ts in [0.0, 1796278218.026091, 1e-7, f64::NAN] {
                let ev = JsonEvent {
                    v: SCHEMA_VERSION,
                    ts,
                    pid: -1,
                    tid: i32::MAX,
                    body: body.clone(),
                    task: task.clone(),
                };
                let mut ours = Vec::new();
                ev.write_json(&mut ours);
                let theirs = serde_json::to_vec(&ev).unwrap();
                assert_eq!(
                    String::from_utf8_lossy(&ours),
                    String::from_utf8_lossy(&theirs)
                );
                n += 1;
            }
        }
    }
    assert!(n > 100, "{n} events compared");
}
