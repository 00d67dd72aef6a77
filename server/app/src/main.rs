//! `opsroom`: the crisis operations room server and its admin commands.

fn main() -> std::process::ExitCode {
    opsroom::cli::main()
}
