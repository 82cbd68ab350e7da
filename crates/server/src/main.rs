//! The `persus` binary: see `persus --help`.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = persus_server::cli::Cli::parse();
    persus_server::telemetry::init(cli.global.log_format);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("persus: não foi possível iniciar o runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(persus_server::cli::run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // The chain is for the person at the terminal: every cause, outermost first.
            eprintln!("persus: erro: {e}");
            for cause in e.chain().skip(1) {
                eprintln!("  causa: {cause}");
            }
            ExitCode::FAILURE
        }
    }
}
