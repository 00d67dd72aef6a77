//! `opsroom`: the crisis operations room server, its admin commands, scenarios and benchmarks.

fn main() -> std::process::ExitCode {
    opsroom_cli::main()
}
