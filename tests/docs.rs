//! The documentation (README.md and docs/*.md) kept in step with the binary: every command and
//! flag it shows exists, the command table is complete, and every YAML block loads.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::{conform, doc, docs, root, text};

/// Commands that have subcommands of their own: `conform snapshots prune`, `conform report merge`.
const GROUPS: [&str; 2] = ["snapshots", "report"];

/// The commands of `conform --help` (hidden ones are not listed there), subcommands of groups
/// as `group sub`.
fn commands() -> Vec<String> {
    fn listed(help: &str) -> Vec<String> {
        let section = &help[help.find("Commands:\n").expect("a Commands section") + 10..];
        section
            .lines()
            .take_while(|l| l.starts_with("  "))
            .filter_map(|l| l.split_whitespace().next())
            .filter(|c| *c != "help")
            .map(str::to_string)
            .collect()
    }
    let mut out = Vec::new();
    for c in listed(&help(&[])) {
        if GROUPS.contains(&c.as_str()) {
            for sub in listed(&help(&[&c])) {
                out.push(format!("{c} {sub}"));
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// `conform <path…> --help`.
fn help(path: &[&str]) -> String {
    let mut args: Vec<&str> = path.to_vec();
    args.push("--help");
    let out = conform(&root(), &args);
    assert_eq!(out.status.code(), Some(0), "conform {args:?}");
    text(&out.stdout)
}

/// The flags an option list of `--help` shows, a group per option (`-j`, `--jobs`).
fn flag_groups(help: &str) -> Vec<Vec<String>> {
    let mut groups = Vec::new();
    for line in help.lines() {
        let line = line.trim_start();
        if !line.starts_with('-') {
            continue;
        }
        let mut group = Vec::new();
        for word in line.split_whitespace() {
            let word = word.trim_end_matches(',');
            if word.starts_with('-') && word.len() > 1 {
                let name = word.split(['=', '<', '[', '.']).next().unwrap();
                group.push(name.to_string());
            } else {
                break;
            }
        }
        // Lines such as the possible values of --deny ("- defects: …") are no options.
        if !group.is_empty() {
            groups.push(group);
        }
    }
    groups
}

/// Every flag an option list of `--help` shows.
fn flags_of(help: &str) -> BTreeSet<String> {
    flag_groups(help).into_iter().flatten().collect()
}

/// Every piece of code in a markdown text, with its line number: each line of a fenced block and
/// each inline code span outside them (a span may run over a line break within its paragraph).
fn code(markdown: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut fenced = false;
    let mut paragraph: (usize, String) = (0, String::new());
    let flush = |paragraph: &mut (usize, String), out: &mut Vec<(usize, String)>| {
        for span in paragraph.1.split('`').skip(1).step_by(2) {
            out.push((paragraph.0, span.to_string()));
        }
        paragraph.1.clear();
    };
    for (i, line) in markdown.lines().enumerate() {
        if line.trim_start().starts_with("```") {
            flush(&mut paragraph, &mut out);
            fenced = !fenced;
        } else if fenced {
            out.push((i + 1, line.to_string()));
        } else if line.trim().is_empty() || line.starts_with('|') {
            flush(&mut paragraph, &mut out);
            if line.starts_with('|') {
                paragraph.0 = i + 1;
                paragraph.1.push_str(line);
                flush(&mut paragraph, &mut out);
            }
        } else {
            if paragraph.1.is_empty() {
                paragraph.0 = i + 1;
            }
            paragraph.1.push(' ');
            paragraph.1.push_str(line);
        }
    }
    flush(&mut paragraph, &mut out);
    out
}

/// Every `conform <command> … --flag` in a piece of code: the command path (empty for
/// `conform --version`) and the flags written after it, up to the end of the shell command.
fn invocations(code: &str, known: &BTreeSet<String>) -> Vec<(String, Vec<String>)> {
    let mut out = Vec::new();
    let words: Vec<&str> = code.split_whitespace().collect();
    let mut i = 0;
    while i < words.len() {
        if words[i] != "conform" {
            i += 1;
            continue;
        }
        i += 1;
        let mut path = String::new();
        if let Some(w) = words.get(i).filter(|w| !w.starts_with('-')) {
            let w = w.trim_end_matches([',', '.', ':', ';', ')']);
            if !w.chars().all(|c| c.is_ascii_lowercase() || c == '-') {
                continue; // prose in a code span, a placeholder such as <command>
            }
            path = w.to_string();
            i += 1;
            if GROUPS.contains(&w) {
                if let Some(sub) = words.get(i).filter(|w| !w.starts_with('-')) {
                    path = format!("{w} {}", sub.trim_end_matches([',', '.', ')']));
                    i += 1;
                }
            }
            if !known.contains(&path) {
                // Checked by the caller: a command the binary does not have.
                out.push((path, Vec::new()));
                continue;
            }
        }
        let mut flags = Vec::new();
        while let Some(w) = words.get(i) {
            if ["|", "||", "&&", "&", ";", "#", ">", ">>", "2>&1"].contains(w)
                || w.starts_with('#')
                || w.starts_with("<<")
                || *w == "conform"
            {
                break;
            }
            let w = w.trim_start_matches(['[', '(']);
            if w.starts_with('-') && w.len() > 1 && w != "--" {
                let name = w
                    .split(['=', ']', ')', ',', '…', '\\', '|'])
                    .next()
                    .unwrap()
                    .trim_end_matches('.');
                // -vv is -v twice.
                let name = if !name.starts_with("--") && name.len() > 2 {
                    &name[..2]
                } else {
                    name
                };
                flags.push(name.to_string());
            }
            i += 1;
        }
        out.push((path, flags));
    }
    out
}

/// Each command's flags, from its own `--help` (the top level's for `conform --version`).
fn help_flags(commands: &[String]) -> BTreeMap<String, BTreeSet<String>> {
    let mut out: BTreeMap<String, BTreeSet<String>> = commands
        .iter()
        .map(|c| {
            let path: Vec<&str> = c.split(' ').collect();
            (c.clone(), flags_of(&help(&path)))
        })
        .collect();
    out.insert(String::new(), flags_of(&help(&[])));
    out
}

/// Every `conform <command> … --flag` written in README.md or docs/*.md names a command the
/// binary has and flags that command's `--help` lists.
#[test]
fn every_command_and_flag_in_the_docs_is_in_the_help() {
    let commands = commands();
    let known: BTreeSet<String> = commands.iter().cloned().collect();
    let flags = help_flags(&commands);
    let mut problems = Vec::new();
    let mut seen = 0;
    for (file, markdown) in docs() {
        for (line, code) in code(&markdown) {
            for (command, used) in invocations(&code, &known) {
                let Some(allowed) = flags.get(&command) else {
                    problems.push(format!("{file}:{line}: no command `conform {command}`"));
                    continue;
                };
                for flag in used {
                    seen += 1;
                    if !allowed.contains(&flag) {
                        problems.push(format!(
                            "{file}:{line}: `conform {command}` has no {flag} (in `{code}`)"
                        ));
                    }
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert!(seen > 50, "only {seen} flags found: is the scan broken?");
}

/// The README's command table has a row for every command of `conform --help`, and each row
/// shows every flag of its command (`run` and `lint` have too many: docs/running.md's tables
/// list theirs, and every flag there exists).
#[test]
fn the_command_table_and_the_run_flags_are_complete() {
    let readme = doc("README.md");
    let table = &readme[readme.find("\n## Commands\n").expect("a Commands section")..];
    let table = &table[table.find("| command |").expect("the command table")..];
    let table = &table[..table.find("\n\n").unwrap()];
    let commands = commands();
    let running = doc("docs/running.md");
    let mut problems = Vec::new();
    for command in &commands {
        let head = format!("`conform {command}");
        let Some(row) = table.lines().find(|l| l.contains(&head)) else {
            problems.push(format!("no row for `conform {command}`"));
            continue;
        };
        let path: Vec<&str> = command.split(' ').collect();
        for group in flag_groups(&help(&path)) {
            // `--color` is global: the README says it once, not on every row.
            if group
                .iter()
                .any(|f| ["--help", "--version", "--color"].contains(&f.as_str()))
            {
                continue;
            }
            let shown = |text: &str| {
                group.iter().any(|flag| {
                    let long = flag.starts_with("--");
                    text.match_indices(flag.as_str()).any(|(i, _)| {
                        let next = text[i + flag.len()..].chars().next();
                        !next.is_some_and(|c| c.is_ascii_alphanumeric() || (long && c == '-'))
                    })
                })
            };
            let flag = group.join(", ");
            if command == "run" || command == "lint" {
                if !shown(&running) {
                    problems.push(format!(
                        "`conform {command} {flag}` is not in docs/running.md"
                    ));
                }
            } else if !shown(row) {
                problems.push(format!(
                    "`conform {command} {flag}` is not in its README row"
                ));
            }
        }
    }
    assert!(
        table.contains("`conform --version`"),
        "no row for conform --version"
    );
    assert!(
        readme.contains("--color"),
        "the global --color is documented"
    );
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Every fault mode the mock has is a row of the fault table in docs/mock.md, and every row is
/// a fault mode.
#[test]
fn the_fault_table_lists_every_fault_mode() {
    let chapter = doc("docs/mock.md");
    let table = &chapter[chapter
        .find("| fault | what the mock does wrong |")
        .expect("the fault table")..];
    let table = &table[..table.find("\n\n").unwrap()];
    let rows: BTreeSet<String> = table
        .lines()
        .skip(2)
        .map(|l| l.split('|').nth(1).unwrap().trim().to_string())
        .collect();
    let modes: BTreeSet<String> = conform::mock::faults::all()
        .map(|f| f.name().to_string())
        .collect();
    assert_eq!(rows, modes);
}

/// Every ```yaml block of README.md and docs/*.md parses as YAML; a case (a block with
/// `operation:`) loads and resolves against the committed contract with the mock's fixtures,
/// a config (`targets:`) loads as conform.yaml, a quarantine file as one.
#[test]
fn every_yaml_block_in_the_docs_parses_and_loads() {
    let contract = conform::contract::Contract::load(&root().join("schemas")).unwrap();
    let mut vars = conform::case::vars::Vars::new("docs");
    for (k, v) in conform::mock::state::Fixtures::defaults().vars {
        vars.set(k, serde_json::Value::String(v));
    }
    let dir = tempfile::tempdir().unwrap();
    let (mut cases, mut configs, mut blocks) = (0, 0, 0);
    for (file, markdown) in docs() {
        for (i, block) in markdown.split("```yaml\n").skip(1).enumerate() {
            let block = &block[..block.find("```").expect("a closed block")];
            let what = format!("{file}, yaml block {i}");
            blocks += 1;
            serde_saphyr::from_str::<serde_json::Value>(block)
                .unwrap_or_else(|e| panic!("{what}: {e}\n{block}"));
            if block.lines().any(|l| l.starts_with("operation:")) {
                let path = dir.path().join("case.yaml");
                let case = conform::case::parse_case("docs/case", &path, block, &contract)
                    .unwrap_or_else(|e| panic!("{what}: {e:?}\n{block}"));
                conform::case::prepare(&case, &contract, &vars)
                    .unwrap_or_else(|e| panic!("{what}: {e:?}\n{block}"));
                cases += 1;
            } else if block.starts_with("targets:") {
                let path = dir.path().join("conform.yaml");
                std::fs::write(&path, block).unwrap();
                conform::run::target::Config::load(&path)
                    .unwrap_or_else(|e| panic!("{what}: {e}\n{block}"));
                configs += 1;
            } else if block.starts_with("quarantine:") {
                conform::report::gate::Quarantine::parse(&dir.path().join("q.yaml"), block)
                    .unwrap_or_else(|e| panic!("{what}: {e:?}\n{block}"));
            }
        }
    }
    assert!(
        cases >= 2 && configs >= 1 && blocks >= 6,
        "{cases} cases, {configs} configs, {blocks} blocks"
    );
}
