//! `cargo run -p migration -- <up|down|status|fresh|...>`, as sea-orm-cli expects.

use sea_orm_migration::prelude::*;

#[tokio::main]
async fn main() {
    cli::run_cli(migration::Migrator).await;
}
