//! Fuzzing as a test: thousands of profiles mutated from real ones (seeded, so every run
//! sees the same cases) go through the real binary, `profile show FILE` and
//! `run --profile FILE -- /bin/true`. No run may panic or take over 2 s, and every error
//! must name the file and a place in it (line/column, byte offset or field path).
//! A `run` that the mutated profile kills, or whose execve it denies, is not a failure.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// How many mutated profiles (each run through both commands).
const CASES: usize = 2_000;
/// The slowest a single run may be.
const CEILING: Duration = Duration::from_secs(2);
/// A run still going after this is killed (and reported as a hang).
const KILL_AFTER: Duration = Duration::from_secs(10);

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../policy/tests/data/moby/");

/// xorshift64*: tiny, seeded, good enough to pick mutations.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// A number in `0..n` (n > 0).
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// The real profiles mutations start from: moby's (two formats, two small examples) and,
/// made by the binary itself, the same policy as an OCI object, a config.json and an SPO
/// SeccompProfile.
fn seeds(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut seeds: Vec<(String, Vec<u8>)> = [
        "default.json",
        "default-old-format.json",
        "example.json",
        "conditional_include.json",
    ]
    .iter()
    .map(|n| (n.to_string(), std::fs::read(format!("{DATA}{n}")).unwrap()))
    .collect();
    let moby = format!("{DATA}default.json");
    for (format, name) in [("oci", "seccomp.json"), ("k8s", "profile.yaml")] {
        let out = sysfence()
            .args(["profile", "convert", &moby, "--format", format])
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
        seeds.push((name.into(), out.stdout));
    }
    let oci: serde_json::Value = serde_json::from_slice(&seeds[4].1).unwrap();
    let config = serde_json::json!({"ociVersion": "1.0.2", "process": {"args": ["sh"]}, "linux": {"seccomp": oci}});
    seeds.push((
        "config.json".into(),
        serde_json::to_vec_pretty(&config).unwrap(),
    ));
    std::fs::write(
        dir.join("seed-list"),
        format!("{:?}", seeds.iter().map(|s| &s.0).collect::<Vec<_>>()),
    )
    .unwrap();
    seeds
}

/// Values that are the wrong type, out of range or otherwise odd, for any field.
const ODD_VALUES: &[&str] = &[
    "null",
    "1e3",
    "-1",
    "1.5",
    "18446744073709551616",
    "99999999999999999999999999999",
    "4294967296",
    "65536",
    "true",
    "[]",
    "{}",
    "\"\"",
    "\"SCMP_ACT_ALLOW\"",
    "\"x\"",
    "[null]",
    "[1, 2]",
    "{\"a\": 1}",
];

/// Byte sequences that are not UTF-8: stray continuation and lead bytes, a surrogate,
/// a five-byte form.
const BAD_UTF8: &[&[u8]] = &[
    &[0xff],
    &[0xc3],
    &[0xe2, 0x82],
    &[0xed, 0xa0, 0x80],
    &[0x80],
    &[0xf8, 0x88, 0x80, 0x80, 0x80],
];

const KEYS: &[&str] = &[
    "defaultAction",
    "defaultErrnoRet",
    "architectures",
    "archMap",
    "syscalls",
    "names",
    "name",
    "action",
    "errnoRet",
    "args",
    "index",
    "value",
    "valueTwo",
    "op",
    "includes",
    "excludes",
    "caps",
    "minKernel",
    "flags",
    "listenerPath",
    "linux",
    "seccomp",
    "apiVersion",
    "kind",
    "spec",
];

/// Byte ranges of scalar values: after `:`, `[`, `,` or `- `, a quoted string, a number
/// or a bare word (YAML).
fn scalars(text: &[u8]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < text.len() {
        let starts = matches!(text[i], b':' | b'[' | b',')
            || (text[i] == b'-' && text.get(i + 1) == Some(&b' '));
        i += 1;
        if !starts {
            continue;
        }
        while i < text.len() && text[i] == b' ' {
            i += 1;
        }
        let start = i;
        if text.get(i) == Some(&b'"') {
            i += 1;
            while i < text.len() && text[i] != b'"' {
                i += if text[i] == b'\\' { 2 } else { 1 };
            }
            i = (i + 1).min(text.len());
        } else {
            while i < text.len() && !b",]}\n\r\"".contains(&text[i]) {
                i += 1;
            }
        }
        if i > start {
            out.push((start, i));
        }
    }
    out
}

fn splice(text: &[u8], (start, end): (usize, usize), with: &[u8]) -> Vec<u8> {
    [&text[..start], with, &text[end..]].concat()
}

/// The billion-laughs document: `depth` levels of anchors, each aliasing the one before
/// `width` times, placed where a profile would have a value.
fn yaml_bomb(rng: &mut Rng) -> Vec<u8> {
    let depth = 4 + rng.below(8);
    let width = 4 + rng.below(12);
    let mut s = String::from(
        "apiVersion: security-profiles-operator.x-k8s.io/v1beta1\nkind: SeccompProfile\nmetadata: {name: bomb}\n",
    );
    s.push_str(&format!("l0: &l0 [{}]\n", vec!["read"; width].join(", ")));
    for d in 1..depth {
        let refs = vec![format!("*l{}", d - 1); width].join(", ");
        s.push_str(&format!("l{d}: &l{d} [{refs}]\n"));
    }
    let top = depth - 1;
    match rng.below(3) {
        0 => s.push_str(&format!("spec: *l{top}\n")),
        1 => s.push_str(&format!(
            "spec:\n  defaultAction: SCMP_ACT_ERRNO\n  syscalls:\n  - names: *l{top}\n    action: SCMP_ACT_ALLOW\n"
        )),
        _ => s.push_str(&format!(
            "spec:\n  defaultAction: SCMP_ACT_ERRNO\n  syscalls: *l{top}\n"
        )),
    }
    s.into_bytes()
}

/// One mutated profile and a description of how it was made.
fn mutate(rng: &mut Rng, seeds: &[(String, Vec<u8>)]) -> (String, Vec<u8>) {
    let (seed_name, seed) = rng.pick(seeds);
    let mut text = seed.clone();
    let mut how = vec![seed_name.clone()];
    // Usually one mutation, sometimes a few stacked.
    let rounds = if rng.below(4) == 0 {
        2 + rng.below(3)
    } else {
        1
    };
    for _ in 0..rounds {
        let kind = rng.below(100);
        let (desc, next) = match kind {
            0..=14 => {
                let at = rng.below(text.len() + 1);
                (format!("truncate@{at}"), text[..at].to_vec())
            }
            15..=39 => {
                let spots = scalars(&text);
                if spots.is_empty() {
                    continue;
                }
                let spot = *rng.pick(&spots);
                let with = *rng.pick(ODD_VALUES);
                (
                    format!("value@{}={with}", spot.0),
                    splice(&text, spot, with.as_bytes()),
                )
            }
            40..=46 => {
                let opens: Vec<usize> = text
                    .iter()
                    .enumerate()
                    .filter(|(_, b)| **b == b'{')
                    .map(|(i, _)| i + 1)
                    .collect();
                if opens.is_empty() {
                    continue;
                }
                let at = *rng.pick(&opens);
                let entry = format!("\"{}\": {}, ", rng.pick(KEYS), rng.pick(ODD_VALUES));
                (
                    format!("dupkey@{at}"),
                    splice(&text, (at, at), entry.as_bytes()),
                )
            }
            47..=50 => {
                // Duplicate a whole line: a duplicate key in YAML or JSON alike.
                let lines: Vec<&[u8]> = text.split_inclusive(|b| *b == b'\n').collect();
                if lines.is_empty() {
                    continue;
                }
                let i = rng.below(lines.len());
                let mut out: Vec<u8> = lines[..=i].concat();
                out.extend_from_slice(lines[i]);
                out.extend(lines[i + 1..].concat());
                (format!("dupline{i}"), out)
            }
            51..=55 => {
                let n = *rng.pick(&[1_000, 10_000, 100_000]);
                let (open, desc) = *rng.pick(&[
                    ("[", "["),
                    ("{\"a\":", "{a:"),
                    ("- ", "- "),
                    ("[[{\"names\":", "mix"),
                ]);
                let deep = open.repeat(n);
                let spots = scalars(&text);
                let out = if spots.is_empty() || rng.below(2) == 0 {
                    [deep.as_bytes(), &text].concat()
                } else {
                    splice(&text, *rng.pick(&spots), deep.as_bytes())
                };
                (format!("deep{desc}x{n}"), out)
            }
            56..=61 => {
                let at = if rng.below(2) == 0 {
                    0
                } else {
                    rng.below(text.len() + 1)
                };
                let bom = if rng.below(4) == 0 {
                    "\u{feff}\u{feff}"
                } else {
                    "\u{feff}"
                };
                (format!("bom@{at}"), splice(&text, (at, at), bom.as_bytes()))
            }
            62..=64 => {
                // Multi-MB: a huge name, huge padding or thousands of entries.
                let big = 1 << (20 + rng.below(2));
                let out = match rng.below(3) {
                    0 => {
                        let spots = scalars(&text);
                        if spots.is_empty() {
                            continue;
                        }
                        let name = format!("\"{}\"", "y".repeat(big));
                        splice(&text, *rng.pick(&spots), name.as_bytes())
                    }
                    1 => [&text[..], " ".repeat(big).as_bytes()].concat(),
                    _ => {
                        let names: Vec<String> = (0..big / 16)
                            .map(|i| format!("\"no_such_{i:06}\""))
                            .collect();
                        let spots: Vec<(usize, usize)> = scalars(&text)
                            .into_iter()
                            .filter(|(s, e)| text[*s] == b'"' && e - s > 2)
                            .collect();
                        if spots.is_empty() {
                            continue;
                        }
                        splice(&text, *rng.pick(&spots), names.join(", ").as_bytes())
                    }
                };
                (format!("big{}", out.len()), out)
            }
            65..=67 => ("yamlbomb".into(), yaml_bomb(rng)),
            68..=79 => {
                let n = 1 + rng.below(4);
                let mut out = text.clone();
                for _ in 0..n {
                    let at = rng.below(out.len() + 1);
                    let bad = BAD_UTF8[rng.below(BAD_UTF8.len())];
                    out.splice(at..at, bad.iter().copied());
                }
                ("badutf8".into(), out)
            }
            80..=89 => {
                let mut out = text.clone();
                if out.is_empty() {
                    continue;
                }
                for _ in 0..1 + rng.below(8) {
                    let at = rng.below(out.len());
                    out[at] = rng
                        .pick(b"{}[]:,\"\\ \n\t-0123456789.eE#&*!|>'%@`\x00\x7f")
                        .to_owned();
                }
                ("bytes".into(), out)
            }
            90..=94 => {
                let empty: &[&[u8]] = &[
                    b"",
                    b"[]",
                    b"42",
                    b"\xef\xbb\xbf",
                    b"null",
                    b"\"x\"",
                    b"{}",
                    b" \n",
                    b"---\n",
                    b"---\n...\n---\n",
                ];
                ("tiny".into(), rng.pick(empty).to_vec())
            }
            _ => {
                // Drop a random range of lines.
                let lines: Vec<&[u8]> = text.split_inclusive(|b| *b == b'\n').collect();
                if lines.len() < 2 {
                    continue;
                }
                let a = rng.below(lines.len());
                let b = (a + 1 + rng.below(5)).min(lines.len());
                (
                    format!("droplines{a}..{b}"),
                    [lines[..a].concat(), lines[b..].concat()].concat(),
                )
            }
        };
        how.push(desc);
        text = next;
    }
    (how.join(" "), text)
}

fn sysfence() -> Command {
    Command::new(env!("CARGO_BIN_EXE_sysfence"))
}

/// What one run of the binary did.
struct Outcome {
    code: Option<i32>,
    stderr: String,
    took: Duration,
}

fn run_one(args: &[&str], file: &Path, stderr_file: &Path) -> Outcome {
    let err = std::fs::File::create(stderr_file).unwrap();
    let start = Instant::now();
    let mut cmd = sysfence();
    cmd.args(args.iter().map(|a| {
        if *a == "FILE" {
            file.as_os_str()
        } else {
            a.as_ref()
        }
    }));
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(err)
        .spawn()
        .unwrap();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > KILL_AFTER {
            let _ = child.kill();
            break child.wait().unwrap();
        }
        std::thread::sleep(Duration::from_millis(2));
    };
    let took = start.elapsed();
    let bytes = std::fs::read(stderr_file).unwrap_or_default();
    Outcome {
        code: status.code(),
        stderr: String::from_utf8_lossy(&bytes).into_owned(),
        took,
    }
}

/// Whether an error line is `sysfence: FILE: PLACE: problem`.
fn names_file_and_place(line: &str, file: &str) -> bool {
    let Some(rest) = line.strip_prefix(&format!("sysfence: {file}: ")) else {
        return false;
    };
    let place = regex::Regex::new(
        r"^(line \d+ column \d+|byte \d+( \(line \d+ column \d+\))?|[A-Za-z_]\w*(\[\d+\])*( \([^)]*\))?(\.[A-Za-z_]\w*(\[\d+\])*)*): \S",
    )
    .unwrap();
    place.is_match(rest)
}

/// The problem with one outcome, if any.
fn judge(outcome: &Outcome, file: &str, is_run: bool) -> Option<String> {
    if outcome.code == Some(101) || outcome.stderr.contains("panicked") {
        return Some("panicked".into());
    }
    if outcome.took > CEILING {
        return Some(format!("took {:?}", outcome.took));
    }
    let errors: Vec<&str> = outcome
        .stderr
        .lines()
        .filter(|l| l.starts_with("sysfence: ") && !l.starts_with("sysfence: warning: "))
        .collect();
    // Under the filter, `run` reports a failed execve as "cannot run ... under FILE".
    let exec_failed = |l: &&&str| is_run && l.starts_with("sysfence: cannot run ");
    if let Some(bad) = errors
        .iter()
        .find(|l| !names_file_and_place(l, file) && !exec_failed(l))
    {
        return Some(format!(
            "error without file and place: {}",
            first_chars(bad)
        ));
    }
    match outcome.code {
        Some(0) => None,
        Some(1) if !errors.is_empty() => None,
        // The profile killed /bin/true (no exit code), denied its execve (126) or made it
        // fail: the profile doing its job, not a reading failure.
        _ if is_run => None,
        other => Some(format!(
            "exit {other:?}, stderr: {}",
            first_chars(&outcome.stderr)
        )),
    }
}

fn first_chars(s: &str) -> String {
    s.chars().take(300).collect()
}

#[test]
fn mutated_profiles_never_panic_hang_or_give_placeless_errors() {
    let dir = tempfile::tempdir().unwrap();
    let seeds = seeds(dir.path());
    let mut rng = Rng(0x5eed_cafe_f00d_0001);
    let cases: Vec<(String, Vec<u8>)> = (0..CASES).map(|_| mutate(&mut rng, &seeds)).collect();
    let next = AtomicUsize::new(0);
    let failures = Mutex::new(Vec::<String>::new());
    let slowest = Mutex::new((Duration::ZERO, String::new()));
    let start = Instant::now();
    std::thread::scope(|scope| {
        for worker in 0..2 {
            let (cases, next, failures, slowest, dir) =
                (&cases, &next, &failures, &slowest, dir.path());
            scope.spawn(move || {
                let stderr_file = dir.join(format!("stderr{worker}"));
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some((how, bytes)) = cases.get(i) else {
                        break;
                    };
                    let file: PathBuf = dir.join(format!("case{i:04}.prof"));
                    std::fs::write(&file, bytes).unwrap();
                    let name = file.display().to_string();
                    for (args, is_run) in [
                        (&["profile", "show", "FILE"][..], false),
                        (&["run", "--profile", "FILE", "--", "/bin/true"][..], true),
                    ] {
                        let outcome = run_one(args, &file, &stderr_file);
                        {
                            let mut s = slowest.lock().unwrap();
                            if outcome.took > s.0 {
                                *s = (outcome.took, format!("case {i} ({how}) {}", args[0]));
                            }
                        }
                        if let Some(problem) = judge(&outcome, &name, is_run) {
                            let keep =
                                std::env::temp_dir().join(format!("sysfence-fuzz-case{i:04}.prof"));
                            let _ = std::fs::write(&keep, bytes);
                            failures.lock().unwrap().push(format!(
                                "case {i} ({how}; kept as {}), {}: {problem}",
                                keep.display(),
                                args[..2].join(" ")
                            ));
                        }
                    }
                    std::fs::remove_file(&file).unwrap();
                }
            });
        }
    });
    let wall = start.elapsed();
    let (took, which) = slowest.into_inner().unwrap();
    eprintln!(
        "{CASES} mutated profiles, {} runs, in {wall:?} (2 threads); slowest run {took:?}: {which}",
        CASES * 2
    );
    let failures = failures.into_inner().unwrap();
    assert!(
        failures.is_empty(),
        "{} failing runs; the first:\n{}",
        failures.len(),
        failures
            .iter()
            .take(25)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}

#[test]
fn the_judge_accepts_placed_errors_only() {
    let f = "/tmp/x/case0001.prof";
    assert!(names_file_and_place(
        &format!("sysfence: {f}: line 3 column 7: EOF"),
        f
    ));
    assert!(names_file_and_place(
        &format!("sysfence: {f}: spec.syscalls[0].names[1]: expected a syscall name, found a list"),
        f
    ));
    assert!(names_file_and_place(
        &format!("sysfence: {f}: byte 9 (line 1 column 10): not UTF-8"),
        f
    ));
    assert!(names_file_and_place(
        &format!("sysfence: {f}: rules[2] (read).conditions: bad"),
        f
    ));
    assert!(!names_file_and_place(
        &format!("sysfence: {f}: the filter needs 9999 instructions"),
        f
    ));
    assert!(!names_file_and_place(
        "sysfence: invalid type: sequence, expected struct RawProfile",
        f
    ));
    let placeless = Outcome {
        code: Some(1),
        stderr: format!("sysfence: {f}: something went wrong\n"),
        took: Duration::ZERO,
    };
    assert!(judge(&placeless, f, false).is_some());
    let panic = Outcome {
        code: Some(101),
        stderr: "thread 'main' panicked at x".into(),
        took: Duration::ZERO,
    };
    assert_eq!(judge(&panic, f, true).as_deref(), Some("panicked"));
}
