//! Rebuilds the crate when a migration is added or changed: `embed_migrations!` reads the
//! folder at compile time, and cargo does not watch it by itself (diesel_migrations docs).

fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
