//! The production entry point under another name, so tests can run it as a child process
//! (and kill it with SIGKILL). Cargo exposes `CARGO_BIN_EXE_*` only for a package's own binaries.

fn main() -> std::process::ExitCode {
    opsroom_cli::main()
}
