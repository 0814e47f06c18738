//! The `exodus` binary: parse the command line and hand over to the library.

use std::process::ExitCode;

/// mimalloc instead of the system allocator: request handling allocates many small, short-lived
/// values, and glibc's malloc showed up as a fifth of the CPU profile of a nested page.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    exodus::cli::main()
}
