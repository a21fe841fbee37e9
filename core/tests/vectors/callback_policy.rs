//! `tests/vectors/callback_policy.json` through the core's sans-IO engine, driven the way the
//! Node and Python hosts drive it (ARCHITECTURE.md): the scripted callbacks settle at once or
//! never, the deadlines say when the never-settling ones time out, and the plan and verdict of
//! `deleteSessions` come from `storage::fallback`. Messages read as Node's (this process never
//! names Python); the Python suite checks `pythonMessage`.

use std::collections::BTreeMap;

use serde_json::{json, Value};
use sessionkeeper_core::storage::callback::{self as engine, Op, Returned};
use sessionkeeper_core::storage::deadlines::Deadlines;
use sessionkeeper_core::storage::fallback::{finish_delete_many, plan_delete_many, DeleteManyPlan};
use sessionkeeper_core::Error;

/// How a scripted call settles.
enum Settles<'a> {
    With(&'a Value),
    Throws(Option<&'a str>, &'a str),
    Never,
}

fn settles(script: &Value) -> Settles<'_> {
    if let Some(thrown) = script.get("throw") {
        return Settles::Throws(thrown["message"].as_str(), thrown["type"].as_str().unwrap());
    }
    if script.get("hang").is_some() {
        return Settles::Never;
    }
    Settles::With(script)
}

/// A Node host's view of a resolved value (`tagOf`, `resultText` in `js/lib`).
fn returned(value: &Value) -> Returned<'_> {
    match value {
        Value::Null => Returned::Nothing,
        Value::Bool(b) => Returned::Bool(*b),
        Value::String(text) => Returned::Json(text),
        Value::Number(_) => Returned::Other("number"),
        _ => Returned::Value(value.clone()),
    }
}

struct Host<'a> {
    callbacks: &'a Value,
    deadlines: Option<Deadlines>,
    now: f64,
    /// The host's numbering of calls, and until when a call shares the last one's deadline.
    next_seq: u64,
    joins_until: f64,
    called: BTreeMap<String, Vec<Value>>,
}

impl Host<'_> {
    /// Calls `callback` once per argument, concurrently; every outcome once all have settled,
    /// as `Ok(value)` or the error the storage raises for that call.
    fn run(&mut self, op: Op, args: &[Value]) -> Vec<Result<Value, Error>> {
        let mut outcomes: Vec<Option<Result<Value, Error>>> = Vec::new();
        let mut hanging = Vec::new();
        for arg in args {
            let subject = match arg {
                Value::Array(ids) => {
                    let ids: Vec<String> =
                        ids.iter().map(|id| id.as_str().unwrap().to_owned()).collect();
                    engine::ids_subject(&ids)
                }
                Value::Object(session) => session["id"].as_str().unwrap().to_owned(),
                other => other.as_str().unwrap().to_owned(),
            };
            let name = op.callback();
            self.called.entry(name.to_owned()).or_default().push(arg.clone());
            let script = &self.callbacks[name];
            let script = match script.get("byId") {
                Some(by_id) => by_id.get(&subject).unwrap_or(&script["default"]),
                None => script,
            };
            let seq = self.deadlines.as_mut().map(|d| {
                let seq = self.next_seq;
                self.next_seq += 1;
                if self.now > self.joins_until {
                    self.joins_until = d.start(self.now, seq);
                }
                seq
            });
            outcomes.push(match settles(script) {
                Settles::With(value) => Some(Ok(value.clone())),
                Settles::Throws(text, type_name) => {
                    Some(Err(engine::callback_failed(op, &subject, text, type_name)))
                }
                Settles::Never => {
                    hanging.push((
                        outcomes.len(),
                        seq.expect("a hanging call needs a timeout"),
                        subject,
                    ));
                    None
                }
            });
        }
        // The host's one timer: fire when the core says, fail what it says is past due.
        while let Some(&(_, oldest, _)) = hanging.first() {
            let deadlines = self.deadlines.as_mut().unwrap();
            self.now += deadlines.next_delay(self.now, Some(oldest)).unwrap();
            let expired = deadlines.expired(self.now);
            let ms = deadlines.timeout_ms();
            hanging.retain(|(at, seq, subject)| {
                let due = *seq < expired;
                if due {
                    outcomes[*at] = Some(Err(engine::callback_timeout(op, subject, ms)));
                }
                !due
            });
        }
        outcomes.into_iter().map(Option::unwrap).collect()
    }

    fn one(&mut self, op: Op, arg: Value) -> Result<Value, Error> {
        self.run(op, &[arg]).pop().unwrap()
    }

    fn boolean(&mut self, op: Op, arg: Value) -> Result<Value, Error> {
        let value = self.one(op, arg)?;
        engine::finish_bool(op, &returned(&value)).map(Value::Bool)
    }

    /// `(outcome, the error that is the cause of a failed fallback)`.
    fn call(&mut self, method: &str, arg: &Value) -> (Result<Value, Error>, Option<Error>) {
        let outcome = match method {
            "storeSession" => self.boolean(Op::Store, arg.clone()),
            "deleteSession" => self.boolean(Op::Delete, arg.clone()),
            "loadSession" => self.one(Op::Load, arg.clone()).and_then(|value| {
                let found = engine::finish_load(arg.as_str().unwrap(), returned(&value))?;
                Ok(found.map_or(Value::Null, |c| json!(c.session().to_json())))
            }),
            "deleteSessions" => return self.delete_many(arg),
            other => panic!("unknown method {other}"),
        };
        (outcome, None)
    }

    fn delete_many(&mut self, arg: &Value) -> (Result<Value, Error>, Option<Error>) {
        let ids: Vec<String> = serde_json::from_value(arg.clone()).unwrap();
        let has_callback = self.callbacks.get("deleteSessions").is_some();
        let batches = match plan_delete_many(&ids, has_callback).unwrap() {
            DeleteManyPlan::Done => Vec::new(),
            DeleteManyPlan::Callback(_) => {
                return (self.boolean(Op::DeleteMany, arg.clone()), None)
            }
            DeleteManyPlan::PerId(batches) => batches,
        };
        let (mut planned, mut outcomes) = (Vec::new(), Vec::new());
        for batch in batches {
            let args: Vec<Value> = batch.iter().map(|id| json!(id)).collect();
            for outcome in self.run(Op::Delete, &args) {
                let deleted = outcome.and_then(|v| engine::finish_bool(Op::Delete, &returned(&v)));
                outcomes.push(deleted);
            }
            planned.extend(batch);
        }
        match finish_delete_many(&planned, &outcomes) {
            Ok(deleted) => (Ok(Value::Bool(deleted)), None),
            Err(failure) => {
                let cause = failure.cause.map(|i| outcomes[i].clone().unwrap_err());
                (Err(failure.error), cause)
            }
        }
    }
}

#[test]
fn the_custom_storage_policy_vectors() {
    let v = super::load("callback_policy.json");
    let cases = v["cases"].as_array().unwrap();
    assert!(cases.len() >= 15);
    for case in cases.iter().filter(|c| c.get("hosts").is_none()) {
        let name = case["name"].as_str().unwrap();
        let mut host = Host {
            callbacks: &case["callbacks"],
            deadlines: Some(Deadlines::new(case["timeoutMs"].as_u64().unwrap_or(10_000))),
            now: 1_000.0,
            next_seq: 0,
            joins_until: f64::NEG_INFINITY,
            called: BTreeMap::new(),
        };
        let (outcome, cause) = host.call(case["call"][0].as_str().unwrap(), &case["call"][1]);
        let expect = &case["expect"];
        match (outcome, expect.get("error")) {
            (Ok(result), None) => assert_eq!(result, expect["result"], "{name}"),
            (Err(e), Some(error)) => {
                assert_eq!(
                    (e.code(), e.message()),
                    (str_of(&error["code"]), str_of(&error["message"])),
                    "{name}"
                );
                match &error["cause"] {
                    Value::Object(c) => {
                        let cause = cause.unwrap_or_else(|| panic!("{name}: no cause"));
                        assert_eq!(
                            (cause.code(), cause.message()),
                            (str_of(&c["code"]), str_of(&c["message"])),
                            "{name}"
                        );
                    }
                    _ => assert!(cause.is_none(), "{name}"),
                }
            }
            (outcome, _) => panic!("{name}: got {outcome:?}"),
        }
        if let Some(called) = case.get("called").and_then(Value::as_object) {
            for (callback, expected) in called {
                let mut got = host.called.remove(callback).unwrap_or_default();
                got.sort_by_key(Value::to_string);
                assert_eq!(&Value::Array(got), expected, "{name}: {callback}");
            }
        }
    }
}

fn str_of(value: &Value) -> &str {
    value.as_str().unwrap()
}
