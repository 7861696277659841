// `embed_migrations!` reads the migration directories at compile time; without this, adding a
// migration would not rebuild the crate.
fn main() {
    println!("cargo:rerun-if-changed=../../migrations");
}
