//! `jvdb completions SHELL` and the hidden `jvdb generate-docs DIR` that writes the checked-in
//! `completions/` and `man/` from the clap definitions.
use crate::cli::{Cli, CompletionsArgs, GenerateDocsArgs, ShellArg};
use anyhow::Context;
use clap::CommandFactory;
use clap_complete::Shell;
use std::io::Write;

fn shell(s: ShellArg) -> Shell {
    match s {
        ShellArg::Bash => Shell::Bash,
        ShellArg::Zsh => Shell::Zsh,
        ShellArg::Fish => Shell::Fish,
        ShellArg::Powershell => Shell::PowerShell,
        ShellArg::Elvish => Shell::Elvish,
    }
}

pub fn completions(args: CompletionsArgs) -> anyhow::Result<i32> {
    let mut cmd = Cli::command();
    let mut buf = Vec::new();
    clap_complete::generate(shell(args.shell), &mut cmd, "jvdb", &mut buf);
    let mut out = crate::output::stdout();
    out.write_all(&buf)?;
    out.flush()?;
    Ok(0)
}

pub fn generate(args: GenerateDocsArgs) -> anyhow::Result<i32> {
    let comp = args.out_dir.join("completions");
    let man = args.out_dir.join("man");
    std::fs::create_dir_all(&comp).with_context(|| format!("creating {}", comp.display()))?;
    std::fs::create_dir_all(&man).with_context(|| format!("creating {}", man.display()))?;
    let mut cmd = Cli::command();
    for s in [
        Shell::Bash,
        Shell::Zsh,
        Shell::Fish,
        Shell::PowerShell,
        Shell::Elvish,
    ] {
        clap_complete::generate_to(s, &mut cmd, "jvdb", &comp)
            .with_context(|| format!("writing {s} completions"))?;
    }
    cmd.build();
    write_man(&cmd, &man, "jvdb")?;
    for sub in cmd.get_subcommands() {
        if sub.is_hide_set() {
            continue;
        }
        write_man(sub, &man, &format!("jvdb-{}", sub.get_name()))?;
    }
    Ok(0)
}

fn write_man(cmd: &clap::Command, dir: &std::path::Path, name: &str) -> anyhow::Result<()> {
    let sub = cmd.get_name().to_string();
    let cmd = cmd.clone().name(name.to_string());
    let man = clap_mangen::Man::new(cmd.clone());
    let mut buf = Vec::new();
    let render = |buf: &mut Vec<u8>| -> std::io::Result<()> {
        man.render_title(buf)?;
        man.render_name_section(buf)?;
        man.render_synopsis_section(buf)?;
        man.render_description_section(buf)?;
        if cmd.get_arguments().any(|a| !a.is_hide_set()) {
            man.render_options_section(buf)?;
        }
        if cmd.get_subcommands().any(|s| !s.is_hide_set()) {
            man.render_subcommands_section(buf)?;
        }
        if cmd.get_after_help().is_some() || cmd.get_after_long_help().is_some() {
            man.render_extra_section(buf)?;
        }
        let top = name == "jvdb";
        buf.extend_from_slice(extra_sections(if top { None } else { Some(&sub) }).as_bytes());
        if cmd.get_version().is_some() || cmd.get_long_version().is_some() {
            man.render_version_section(buf)?;
        }
        Ok(())
    };
    render(&mut buf).with_context(|| format!("rendering man page {name}"))?;
    let path = dir.join(format!("{name}.1"));
    std::fs::write(&path, buf).with_context(|| format!("writing {}", path.display()))?;
    Ok(())
}

/// The README, whose tour (real output of `examples/tour.sh`) gives the man pages' EXAMPLES.
const README: &str = include_str!("../../README.md");

/// The commands of the README's tour, each with the subcommand it runs.
fn tour_commands() -> Vec<(String, String)> {
    let Some(start) = README.find("<!-- tour:start -->") else {
        return Vec::new();
    };
    let end = README[start..]
        .find("<!-- tour:end -->")
        .map_or(README.len(), |e| start + e);
    let names: Vec<String> = Cli::command()
        .get_subcommands()
        .map(|s| s.get_name().to_string())
        .collect();
    README[start..end]
        .lines()
        .filter_map(|l| l.strip_prefix("$ "))
        .filter_map(|line| {
            let words: Vec<&str> = line.split_whitespace().collect();
            let at = words.iter().position(|w| *w == "jvdb")?;
            let sub = words[at + 1..]
                .iter()
                .find(|w| names.iter().any(|n| n == *w))?;
            Some((sub.to_string(), line.to_string()))
        })
        .collect()
}

/// EXAMPLES (the tour's commands for this subcommand, or all for the top page), ENVIRONMENT
/// and EXIT STATUS, in roff.
fn extra_sections(sub: Option<&str>) -> String {
    use roff::{Roff, bold, roman};
    let mut r = Roff::new();
    let examples: Vec<String> = tour_commands()
        .into_iter()
        .filter(|(s, _)| sub.is_none_or(|want| want == s))
        .map(|(_, line)| line)
        .collect();
    if !examples.is_empty() {
        r.control("SH", ["EXAMPLES"]);
        r.text([roman(
            "From the README's tour, run on a copy of the sample store (JVSPATIAL_DB_PATH=store):",
        )]);
        for e in examples {
            r.control("PP", []);
            r.control("RS", ["4"]);
            r.text([bold(format!("$ {e}"))]);
            r.control("RE", []);
        }
    }
    r.control("SH", ["ENVIRONMENT"]);
    for (var, what) in crate::cli::ENVIRONMENT {
        r.control("TP", []);
        r.text([bold(*var)]);
        r.text([roman(*what)]);
    }
    r.control("SH", ["EXIT STATUS"]);
    for (code, what) in jvdb::error::exit::MEANINGS {
        r.control("TP", []);
        r.text([bold(code.to_string())]);
        r.text([roman(*what)]);
    }
    r.to_roff()
}
