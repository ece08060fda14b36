//! Parse + evaluate on the official Redis 7.2 redis.conf: the work a
//! pre-commit hook pays for on every commit.

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use redis_preflight::conf::{self, catalog::Target, LoadOptions};
use redis_preflight::rules::{self, Evaluation, RulePack};
use redis_preflight::run::assemble::{build_facts, FactInputs};
use redis_preflight::settings::Settings;
use std::collections::BTreeMap;
use std::path::Path;

fn static_check(c: &mut Criterion) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/corpus/official/redis-7.2.conf");
    let target = Target::parse("7.2").unwrap();
    let settings = Settings::default();
    let pack = RulePack::embedded().unwrap();
    let overrides = BTreeMap::new();
    let evaluation = Evaluation {
        profile: "self-hosted",
        severity_overrides: &overrides,
        select: &[],
        ignore: &[],
    };

    c.bench_function("parse redis-7.2.conf", |b| {
        b.iter(|| conf::load(black_box(&path), target, &LoadOptions::default()).unwrap())
    });
    let parsed = conf::load(&path, target, &LoadOptions::default()).unwrap();
    c.bench_function("facts + evaluate redis-7.2.conf", |b| {
        b.iter(|| {
            let facts = build_facts(FactInputs {
                target,
                profile: "self-hosted",
                settings: &settings,
                config: Some(&parsed),
                env: None,
                live: None,
            });
            rules::evaluate(&pack, &facts, &evaluation)
        })
    });
    c.bench_function("parse + evaluate redis-7.2.conf", |b| {
        b.iter(|| {
            let parsed = conf::load(black_box(&path), target, &LoadOptions::default()).unwrap();
            let facts = build_facts(FactInputs {
                target,
                profile: "self-hosted",
                settings: &settings,
                config: Some(&parsed),
                env: None,
                live: None,
            });
            rules::evaluate(&pack, &facts, &evaluation)
        })
    });
    c.bench_function("load embedded rule pack", |b| b.iter(|| RulePack::embedded().unwrap()));
}

criterion_group!(benches, static_check);
criterion_main!(benches);
