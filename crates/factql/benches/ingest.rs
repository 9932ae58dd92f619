//! The whole ingest, files to store, with every bundled extractor, on one core: `factql
//! ingest` (the binary this package builds, as a user runs it) over the bundled corpus copied
//! to about 10 MB of files, each copy made unique by a numbered line as
//! `scripts/ingest-speed.sh` makes them, into a fresh store each time. The time counts what a
//! user waits for: starting, loading the plugins, reading, segmenting, extracting, the store's
//! writes and the engine's image written at the end.
//!
//! `cargo bench -p factql --bench ingest`. The child runs under `taskset -c <one cpu>` when
//! taskset is there (the ingest then runs its plugins on one thread, since it uses as many as
//! it may run on); words are whitespace-separated words of the files, as in the script. After
//! criterion's estimate, one more run under `/usr/bin/time` (when there) prints the peak RSS.
//! Each run takes seconds, so the sample count is criterion's minimum, one run each.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use criterion::{Criterion, SamplingMode, Throughput, criterion_group, criterion_main};

const TARGET_BYTES: u64 = 10 * 1024 * 1024;

/// Writes the corpus copies into `dir`; returns the number of words they hold.
fn corpus(dir: &Path) -> usize {
    let files = factql_test_support::corpus_files();
    let (mut bytes, mut copy, mut words) = (0u64, 0usize, 0usize);
    while bytes < TARGET_BYTES {
        for file in &files {
            copy += 1;
            let mut text = std::fs::read_to_string(file).expect("corpus file");
            text.push_str(&format!("\n\nCopy {copy} of the bundled corpus.\n"));
            let name = file.file_name().expect("file name").to_string_lossy();
            let out = dir.join(format!("{copy:06}_{name}"));
            std::fs::write(&out, &text).expect("write the corpus copy");
            bytes += text.len() as u64;
            words += text.split_whitespace().count();
        }
    }
    words
}

/// The command that runs `factql ingest` on `corpus` into `db`, on one core when it can,
/// seeing no plugin configuration but the bundled plugins.
fn ingest(prefix: &[&str], db: &Path, corpus: &Path, home: &Path) -> Command {
    let factql = env!("CARGO_BIN_EXE_factql");
    let cpu = one_cpu();
    let mut argv: Vec<String> = prefix.iter().map(|s| (*s).to_owned()).collect();
    if let Some(cpu) = &cpu {
        argv.extend(["taskset".into(), "-c".into(), cpu.clone()]);
    }
    argv.push(factql.into());
    let mut command = Command::new(&argv[0]);
    command.args(&argv[1..]).arg("--db").arg(db).arg("ingest").arg(corpus);
    command
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home)
        .env_remove("FACTQL_PLUGIN_CONFIG")
        .env_remove("FACTQL_PLUGIN_PATH")
        .env_remove("FACTQL_PLUGINS_LOCK")
        .env_remove("FACTQL_DB")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    command
}

/// The first CPU this process may run on, when `taskset` is there to pin the child to it.
fn one_cpu() -> Option<String> {
    let ok = Command::new("taskset").arg("-V").output().is_ok_and(|out| out.status.success());
    if !ok {
        return None;
    }
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let list = status.lines().find_map(|line| line.strip_prefix("Cpus_allowed_list:"))?;
    let first = list.trim().split([',', '-']).next()?.to_owned();
    Some(first)
}

/// Removes the store, its log and index, and its image.
fn fresh(db: &Path) {
    for suffix in ["", "-wal", "-shm", ".image"] {
        let mut name = db.as_os_str().to_owned();
        name.push(suffix);
        let _ = std::fs::remove_file(PathBuf::from(name));
    }
}

fn run(command: &mut Command) {
    let status = command.status().expect("factql runs");
    assert!(status.success(), "factql ingest failed: {status}");
}

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("tempdir");
    let files = dir.path().join("corpus");
    std::fs::create_dir(&files).expect("corpus folder");
    let words = corpus(&files);
    let db = dir.path().join("bench.db");
    let home = dir.path().join("home");
    std::fs::create_dir(&home).expect("home folder");
    match one_cpu() {
        Some(cpu) => println!("ingest of {words} words, pinned to CPU {cpu}"),
        None => println!("ingest of {words} words (no taskset: the plugins use every core)"),
    }

    let mut group = c.benchmark_group("ingest");
    group.throughput(Throughput::Elements(words as u64));
    // One run per sample, ten samples: criterion's minimum, a few minutes in all.
    group.sampling_mode(SamplingMode::Flat);
    group.sample_size(10);
    group.warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(120));
    group.bench_function("all_bundled_10MB", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                fresh(&db);
                let started = Instant::now();
                run(&mut ingest(&[], &db, &files, &home));
                total += started.elapsed();
            }
            total
        })
    });
    group.finish();

    // Peak memory of one more run, as the kernel counts it for the child.
    let time = Path::new("/usr/bin/time");
    if time.exists() {
        fresh(&db);
        let report = dir.path().join("time.txt");
        let report_arg = report.display().to_string();
        let prefix = ["/usr/bin/time", "-f", "%M %e %U %S", "-o", report_arg.as_str()];
        run(&mut ingest(&prefix, &db, &files, &home));
        let text = std::fs::read_to_string(&report).unwrap_or_default();
        let fields: Vec<f64> =
            text.split_whitespace().filter_map(|field| field.parse().ok()).collect();
        if let [kib, wall, user, sys] = fields[..] {
            println!(
                "one more run: {:.0} words/s wall, {:.0} words per CPU-second, peak RSS {:.1} MiB",
                words as f64 / wall,
                words as f64 / (user + sys),
                kib / 1024.0
            );
        }
    } else {
        println!("no /usr/bin/time: peak RSS not measured");
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
