//! The `colaunch` command.

fn main() {}
