//! On Linux with glibc, links libgcc's unwinder (libgcc_eh.a) into the binary, as C's
//! `-static-libgcc` does, so that no libgcc_s.so is loaded at each start. Every `tokendeck token`
//! is a new process that scripts start many times a minute, and libgcc_s costs more than the rest
//! of the dynamic libraries together: its constructor probes the CPU's features with `cpuid`,
//! which traps to the hypervisor in a VM (README, Benchmarks). Rust's standard library names
//! libgcc_s for the unwinder it uses for panics and backtraces; with libgcc_eh's copy named first,
//! the linker (which Rust runs with `--as-needed`) finds nothing left for libgcc_s to give.
//! libc and libm stay dynamic: a static glibc would load NSS modules (host names, users) that can
//! crash it.
//!
//! Where the C compiler cannot find libgcc_eh.a (a toolchain without GCC's runtime), or when
//! cross-compiling, nothing is changed and libgcc_s is loaded as usual.

use std::env;
use std::path::Path;
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=CC");
    let var = |key: &str| env::var(key).unwrap_or_default();
    if var("CARGO_CFG_TARGET_OS") != "linux" || var("CARGO_CFG_TARGET_ENV") != "gnu" {
        return;
    }
    // Cross-compiling, the C compiler found here is not the target's: leave the link alone.
    if var("HOST") != var("TARGET") {
        return;
    }
    if var("CARGO_CFG_TARGET_FEATURE")
        .split(',')
        .any(|f| f == "crt-static")
    {
        return; // a fully static build links libgcc_eh already
    }
    if libgcc_eh_found() {
        // `-bundle`: named at the final link (of the binary, the tests, the examples), not
        // packed into the library's rlib.
        println!("cargo:rustc-link-lib=static:-bundle=gcc_eh");
    }
}

/// Whether the C compiler Rust links with knows a libgcc_eh.a: `-print-file-name` answers its
/// full path when it does, the bare name when it does not.
fn libgcc_eh_found() -> bool {
    let cc = env::var("CC").unwrap_or_else(|_| "cc".into());
    Command::new(cc)
        .arg("-print-file-name=libgcc_eh.a")
        .output()
        .ok()
        .filter(|out| out.status.success())
        .map(|out| String::from_utf8_lossy(&out.stdout).trim().to_string())
        .is_some_and(|path| Path::new(&path).is_absolute() && Path::new(&path).exists())
}
