//! Per-session costs of the core: parse, serialise, validate (canonicalize), property arrays.

use criterion::{criterion_group, criterion_main, Criterion};
use sessionkeeper_core::storage::callback::{finish_load, Returned};
use sessionkeeper_core::{Origin, Patchable, Session};
use std::hint::black_box;

const SESSION: &str = r#"{"id":"sid","shop":"test.myshopify.com","state":"st","isOnline":true,"scope":"read_products,write_orders","expires":"2030-01-01T00:00:00.000Z","accessToken":"tok","refreshToken":"rt","refreshTokenExpires":"2030-02-01T00:00:00.000Z","onlineAccessInfo":{"expires_in":1,"associated_user_scope":"read_products","associated_user":{"id":42,"first_name":"F","last_name":"L","email":"e@x","email_verified":true,"account_owner":false,"locale":"en","collaborator":false}}}"#;

fn bench(c: &mut Criterion) {
    let session = Session::from_json(SESSION, Origin::Stored).unwrap();
    let plain = SESSION.replace(".000Z", "Z");
    c.bench_function("parse canonical JSON", |b| {
        b.iter(|| Session::from_json(black_box(SESSION), Origin::Stored).unwrap())
    });
    let offline = r#"{"id":"offline_test.myshopify.com","shop":"test.myshopify.com","state":"st","isOnline":false,"scope":"read_products,write_orders","expires":"2030-01-01T00:00:00.000Z","accessToken":"tok"}"#;
    c.bench_function("parse canonical JSON, offline", |b| {
        b.iter(|| Session::from_json(black_box(offline), Origin::Stored).unwrap())
    });
    c.bench_function("serialize canonical JSON", |b| b.iter(|| black_box(&session).to_json()));
    let mut held = Patchable::from_json(SESSION, Origin::Stored).unwrap();
    c.bench_function(
        "patch: one field of a held session and its text (Node's changed store)",
        |b| {
            b.iter(|| {
                held.patch(black_box(r#"{"state":"state-1"}"#), Origin::Argument).unwrap();
                black_box(held.text().len())
            })
        },
    );
    c.bench_function("validate canonical text (unchanged)", |b| {
        b.iter(|| Session::canonicalize(black_box(SESSION), Origin::Stored).unwrap())
    });
    c.bench_function("validate plain text (rewritten)", |b| {
        b.iter(|| Session::canonicalize(black_box(&plain), Origin::Stored).unwrap())
    });
    c.bench_function("finish_load (callback engine)", |b| {
        b.iter(|| finish_load("sid", Returned::Json(black_box(SESSION))).unwrap())
    });
    let memory = sessionkeeper_core::storage::MemoryStorage::new();
    c.bench_function("memory put (upsert of one id)", |b| {
        b.iter(|| memory.store(black_box(&session).clone()).unwrap())
    });
    c.bench_function("memory get", |b| b.iter(|| memory.load(black_box("sid")).unwrap()));
    c.bench_function("to_property_array(true)", |b| {
        b.iter(|| black_box(&session).to_property_array(true))
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().measurement_time(std::time::Duration::from_secs(2)).warm_up_time(std::time::Duration::from_millis(500));
    targets = bench
}
criterion_main!(benches);
