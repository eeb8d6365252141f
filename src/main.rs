fn main() -> std::process::ExitCode {
    portero::cli::run()
}
