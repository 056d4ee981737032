//! The built-in rules: YAML files under `rules/`, embedded at build time.

/// Each built-in file's name and text.
pub const FILES: &[(&str, &str)] = &[
    ("execution.yaml", include_str!("../rules/execution.yaml")),
    ("injection.yaml", include_str!("../rules/injection.yaml")),
    ("files.yaml", include_str!("../rules/files.yaml")),
    (
        "persistence.yaml",
        include_str!("../rules/persistence.yaml"),
    ),
    ("containers.yaml", include_str!("../rules/containers.yaml")),
    ("network.yaml", include_str!("../rules/network.yaml")),
];
