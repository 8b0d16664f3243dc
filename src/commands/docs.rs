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
    let cmd = cmd.clone().name(name.to_string());
    let mut buf = Vec::new();
    clap_mangen::Man::new(cmd)
        .render(&mut buf)
        .with_context(|| format!("rendering man page {name}"))?;
    let path = dir.join(format!("{name}.1"));
    std::fs::write(&path, buf).with_context(|| format!("writing {}", path.display()))?;
    Ok(())
}
