use super::*;
use crate::layout::{PostgresLayout, RedisLayout};
use crate::time::Timestamp;

const X: &str = "x.myshopify.com";

fn session(id: &str, shop: &str) -> Reply {
    Reply::Bulk(
        format!(r#"{{"id":"{id}","shop":"{shop}","state":"","isOnline":false}}"#).into_bytes(),
    )
}

fn bulk(text: &str) -> Reply {
    Reply::Bulk(text.as_bytes().to_vec())
}

/// A step as text, one string per command, one list per phase.
fn shown(step: &RedisStep) -> Vec<Vec<String>> {
    let arg = |a: &Vec<u8>| String::from_utf8_lossy(a).into_owned();
    let command = |c: &Command| {
        std::iter::once(c.name.to_owned())
            .chain(c.args.iter().map(arg))
            .collect::<Vec<_>>()
            .join(" ")
    };
    step.phases().iter().map(|phase| phase.iter().map(command).collect()).collect()
}

fn sent(next: Result<RedisNext, crate::Error>) -> RedisStep {
    match next.unwrap() {
        RedisNext::Send(step) => step,
        RedisNext::Done(outcome) => panic!("done early: {outcome:?}"),
    }
}

fn outcome(next: Result<RedisNext, crate::Error>) -> Outcome {
    match next.unwrap() {
        RedisNext::Done(outcome) => outcome,
        RedisNext::Send(step) => panic!("one more step: {:?}", shown(&step)),
    }
}

fn redis() -> RedisLayout {
    RedisLayout::new(Some("p:")).unwrap()
}

#[test]
fn a_store_is_one_round_trip_unless_an_srem_landed_in_between() {
    let text = r#"{"id":"a","shop":"x.myshopify.com","state":"","isOnline":false,"expires":"2030-01-01T00:00:00.000Z"}"#;
    let step = redis().with_grace_ms(0.0).unwrap().store(text).unwrap();
    assert_eq!(
        shown(&step),
        [
            vec!["SADD p:shop:x.myshopify.com a".to_owned()],
            vec![format!("SET p:session:a {text} PXAT 1893456000000")],
            vec!["SADD p:shop:x.myshopify.com a".to_owned()],
        ]
    );
    assert_eq!(step.yields(), None);
    let replies = |again: i64| vec![Reply::Int(1), bulk("OK"), Reply::Int(again)];
    // The shortcut a host may take names the very reply `next` reads as "done".
    assert_eq!(step.done_if_zero(), Some(2));
    assert_eq!(outcome(step.next(replies(0))), Outcome::Bool(true));
    assert_eq!(outcome(step.next(replies(0))), Outcome::Bool(true), "a step can be sent again");
    let check = sent(step.next(replies(1)));
    assert_eq!(shown(&check), [["GET p:session:a"]]);
    assert_eq!(outcome(check.next(vec![bulk(text)])), Outcome::Bool(true), "still ours");
    for gone in [Reply::Nil, session("a", "y.myshopify.com"), bulk("{not json")] {
        let removed = sent(check.next(vec![gone]));
        assert_eq!(shown(&removed), [["SREM p:shop:x.myshopify.com a"], ["GET p:session:a"]]);
        assert_eq!(outcome(removed.next(vec![Reply::Int(1), Reply::Nil])), Outcome::Bool(true));
        let back = sent(removed.next(vec![Reply::Int(1), session("a", X)]));
        assert_eq!(shown(&back), [["SADD p:shop:x.myshopify.com a"]], "a store landed meanwhile");
        assert_eq!(outcome(back.next(vec![Reply::Int(1)])), Outcome::Bool(true));
    }
}

#[test]
fn a_store_without_a_shop_is_one_set_and_no_index_entry() {
    let step = redis().store(r#"{"id":"b"}"#).unwrap();
    assert_eq!(
        shown(&step),
        [[r#"SET p:session:b {"id":"b","shop":"","state":"","isOnline":false}"#]]
    );
    assert_eq!(outcome(step.next(vec![bulk("OK")])), Outcome::Bool(true));
    assert_eq!(step.done_if_zero(), None, "an OK is not a 0");
    assert_eq!(redis().store(r#"{"id":""}"#).unwrap_err().code(), "INVALID_ARGUMENT");
    // Deleting it removes the key and touches no index.
    let step = sent(redis().delete_many(&["b".to_owned()]));
    let step = sent(step.next(vec![session("b", "")]));
    assert_eq!(shown(&step), [["DEL p:session:b"]]);
}

#[test]
fn a_load_is_one_get_whose_reply_is_the_result() {
    let step = redis().load("a").unwrap();
    assert_eq!((shown(&step), step.yields()), (vec![vec!["GET p:session:a".to_owned()]], Some(0)));
    assert_eq!(
        outcome(step.next(vec![bulk("{")])),
        Outcome::Value(Some(b"{".to_vec())),
        "as it came"
    );
    assert_eq!(outcome(step.next(vec![Reply::Nil])), Outcome::Value(None));
    assert_eq!(redis().load("").unwrap_err().code(), "INVALID_ARGUMENT");
}

#[test]
fn a_delete_reads_the_shops_then_removes_then_rechecks() {
    let l = redis();
    assert_eq!(outcome(l.delete_many(&[])), Outcome::Bool(true), "nothing to send");
    assert_eq!(l.delete_many(&["a".into(), String::new()]).unwrap_err().code(), "INVALID_ARGUMENT");
    let ids: Vec<String> = ["a", "b", "a", "c", "d", "e"].map(String::from).to_vec();
    let read = sent(l.delete_many(&ids));
    assert_eq!(
        shown(&read),
        [[
            "GET p:session:a",
            "GET p:session:b",
            "GET p:session:c",
            "GET p:session:d",
            "GET p:session:e"
        ]],
        "each id once"
    );
    let stored =
        vec![session("a", X), Reply::Nil, bulk("{not json"), session("d", ""), session("e", X)];
    let removed = sent(read.next(stored));
    assert_eq!(
        shown(&removed),
        [
            vec!["DEL p:session:a", "DEL p:session:c", "DEL p:session:d", "DEL p:session:e"],
            vec!["SREM p:shop:x.myshopify.com a e"],
            vec!["GET p:session:a", "GET p:session:e"],
        ],
        "a corrupt value is deleted, its shop unknown; one SREM per index; none without a shop"
    );
    let quiet = [1, 1, 1, 1, 2].map(Reply::Int).to_vec();
    assert_eq!(
        outcome(removed.next([quiet.clone(), vec![Reply::Nil; 2]].concat())),
        Outcome::Bool(true)
    );
    let raced = [quiet, vec![session("a", X), session("e", X)]].concat();
    let back = sent(removed.next(raced));
    assert_eq!(
        shown(&back),
        [["SADD p:shop:x.myshopify.com a e"]],
        "stored again meanwhile: listed again"
    );
    assert_eq!(outcome(back.next(vec![Reply::Int(2)])), Outcome::Bool(true));
    assert_eq!(outcome(read.next(vec![Reply::Nil; 5])), Outcome::Bool(true), "nothing was stored");
}

#[test]
fn a_find_keeps_the_sessions_of_the_shop_in_id_order_and_removes_stale_members() {
    let l = redis();
    let members = sent(l.find_by_shop(X).unwrap().next(vec![Reply::Array(
        ["kept", "gone", "", "moved", "bad", "alias", "a-first"].map(bulk).into_iter()
            .chain([Reply::Bulk(vec![0xff, 0xfe]), Reply::Bulk("x".repeat(1025).into_bytes())])
            .collect(),
    )]));
    assert_eq!(
        shown(&members),
        [[
            "GET p:session:a-first",
            "GET p:session:alias",
            "GET p:session:bad",
            "GET p:session:gone",
            "GET p:session:kept",
            "GET p:session:moved"
        ]],
        "members in byte order; those that are no id have no key"
    );
    let values = vec![
        session("a-first", X),
        session("other", X),
        bulk("{not json"),
        Reply::Nil,
        session("kept", X),
        session("moved", "y"),
    ];
    let recheck = sent(members.next(values));
    let long = "x".repeat(1025);
    assert_eq!(
        shown(&recheck),
        [
            vec![format!("SREM p:shop:x.myshopify.com  gone moved {long} \u{fffd}\u{fffd}")],
            vec!["GET p:session:gone".into(), "GET p:session:moved".into()]
        ],
    );
    assert_eq!(recheck.phases()[0][0].args[5], [0xff, 0xfe], "sent back byte for byte");
    let Outcome::Found(found) =
        outcome(recheck.next(vec![Reply::Int(5), Reply::Nil, session("moved", "y")]))
    else {
        panic!()
    };
    let ids: Vec<&str> = found.sessions.iter().map(|(s, _)| s.id.as_str()).collect();
    assert_eq!(
        (ids, found.dropped, found.unreadable),
        (vec!["a-first", "kept"], 5, 2),
        "corrupt and misfiled values are skipped"
    );
    assert_eq!(
        found.sessions[1].1,
        String::from_utf8(match session("kept", X) {
            Reply::Bulk(b) => b,
            _ => unreachable!(),
        })
        .unwrap()
    );
    let back = sent(recheck.next(vec![Reply::Int(5), session("gone", X), Reply::Nil]));
    assert_eq!(
        shown(&back),
        [["SADD p:shop:x.myshopify.com gone"]],
        "stored meanwhile: listed again"
    );
    let Outcome::Found(found) = outcome(back.next(vec![Reply::Int(1)])) else { panic!() };
    assert_eq!((found.sessions.len(), found.dropped, found.unreadable), (2, 4, 2));
}

#[test]
fn a_find_without_stale_members_is_two_round_trips() {
    let l = redis();
    assert_eq!(
        outcome(l.find_by_shop(X).unwrap().next(vec![Reply::Array(vec![])])),
        Outcome::Found(Found::default())
    );
    let read =
        sent(l.find_by_shop(X).unwrap().next(vec![Reply::Array(vec![bulk("b"), bulk("a")])]));
    let Outcome::Found(found) = outcome(read.next(vec![session("a", X), session("b", X)])) else {
        panic!()
    };
    assert_eq!(found.sessions.iter().map(|(s, _)| s.id.as_str()).collect::<Vec<_>>(), ["a", "b"]);
    assert_eq!((found.dropped, found.unreadable), (0, 0));
    let err = l.find_by_shop(X).unwrap().next(vec![Reply::Int(3)]).unwrap_err();
    assert_eq!(err.code(), "INVALID_SESSION");
    assert_eq!(l.find_by_shop("").unwrap_err().code(), "INVALID_ARGUMENT");
}

#[test]
fn postgres_plans_name_their_statement_and_result() {
    let l = PostgresLayout::new(Some("t")).unwrap();
    let store = l.store(r#"{"id":"a","shop":"s","expires":"2030-01-01T00:00:00.000Z"}"#).unwrap();
    assert_eq!((store.sql.clone(), store.returns), (l.upsert_sql(), Returns::True));
    assert_eq!(
        store.params,
        [
            Param::Text("a".into()),
            Param::Text("s".into()),
            Param::Int(Some(1_893_456_000_000)),
            Param::Int(Some(1_893_456_000_000)),
            Param::Text(r#"{"id":"a","shop":"s","state":"","isOnline":false,"expires":"2030-01-01T00:00:00.000Z"}"#.into()),
        ]
    );
    let load = l.load("a").unwrap();
    assert_eq!(
        (load.sql, load.params, load.returns),
        (l.load_sql(), vec![Param::Text("a".into())], Returns::Value)
    );
    let one = l.delete_many(&["a".into()]).unwrap();
    assert_eq!((one.sql, one.params), (l.delete_sql(), vec![Param::Text("a".into())]));
    let many = l.delete_many(&["a".into(), "b".into()]).unwrap();
    assert_eq!(
        (many.sql, many.params),
        (l.delete_many_sql(), vec![Param::Texts(vec!["a".into(), "b".into()])])
    );
    let now = Timestamp::from_epoch_ms(1_000_000_000_000).unwrap();
    let sweep = l.clone().with_grace_ms(0.0).unwrap().sweep(now);
    assert_eq!(
        (sweep.params, sweep.returns),
        (vec![Param::Int(Some(1_000_000_000_000))], Returns::Count)
    );
    for refused in
        [l.load("a\0"), l.delete_many(&["b".into(), "a\0".into()]), l.find_by_shop("s\0")]
    {
        assert_eq!(refused.unwrap_err().code(), "INVALID_ARGUMENT");
    }
}

#[test]
fn a_postgres_find_sorts_by_id_and_skips_broken_rows() {
    let l = PostgresLayout::new(None).unwrap();
    let find = l.find_by_shop(X).unwrap();
    assert_eq!(
        (find.params.clone(), find.returns),
        (vec![Param::Text(X.into())], Returns::Sessions)
    );
    let row = |id: &str, shop: &str| format!(r#"{{"id":"{id}","shop":"{shop}"}}"#);
    // PostgreSQL's ORDER BY follows the database's collation: "B" before "a" only in bytes.
    let rows =
        vec![row("a", X), row("B", X), r#"{"id":"c","isOnline":"maybe"}"#.into(), row("d", "y")];
    let Outcome::Found(found) = find.next(rows) else { panic!() };
    let ids: Vec<&str> = found.sessions.iter().map(|(s, _)| s.id.as_str()).collect();
    assert_eq!((ids, found.dropped, found.unreadable), (vec!["B", "a"], 0, 2));
    assert_eq!(found.sessions[1].1, row("a", X), "the text as read");
}

#[test]
fn a_step_takes_one_reply_per_command() {
    let step = redis().store(r#"{"id":"a","shop":"x.myshopify.com"}"#).unwrap();
    for replies in [vec![Reply::Int(1)], vec![Reply::Int(0); 4]] {
        let err = step.next(replies).unwrap_err();
        assert_eq!(err.code(), "INVALID_ARGUMENT");
        assert!(err.message().contains("3 replies"), "{err}");
    }
}

#[test]
fn empty_phases_are_not_sent() {
    let l = redis();
    let read = sent(l.delete_many(&["a".into(), "b".into()]));
    let removed = sent(read.next(vec![bulk("{not json"), bulk("[]")]));
    assert_eq!(
        shown(&removed),
        [["DEL p:session:a", "DEL p:session:b"]],
        "no shop known: no SREM, no re-check"
    );
    assert_eq!(outcome(removed.next(vec![Reply::Int(1), Reply::Int(1)])), Outcome::Bool(true));
    let read = sent(l.find_by_shop(X).unwrap().next(vec![Reply::Array(vec![bulk(""), bulk("a")])]));
    let recheck = sent(read.next(vec![Reply::Nil]));
    assert_eq!(shown(&recheck), [["SREM p:shop:x.myshopify.com  a"], ["GET p:session:a"]]);
    let read = sent(l.find_by_shop(X).unwrap().next(vec![Reply::Array(vec![bulk(""), bulk("a")])]));
    let recheck = sent(read.next(vec![session("a", X)]));
    assert_eq!(
        shown(&recheck),
        [["SREM p:shop:x.myshopify.com "]],
        "a member that is no id: nothing to read again"
    );
    let Outcome::Found(found) = outcome(recheck.next(vec![Reply::Int(1)])) else { panic!() };
    assert_eq!((found.sessions.len(), found.dropped), (1, 1));
}

#[test]
fn postgres_results_are_named_for_the_hosts() {
    let names =
        [Returns::True, Returns::Value, Returns::Count, Returns::Sessions].map(Returns::name);
    assert_eq!(names, ["true", "value", "count", "sessions"]);
}

#[test]
fn compare_and_store_is_one_eval_or_one_statement() {
    let managed =
        Session::from_json(r#"{"id":"m","expires":"2030-01-01T00:00:00.000Z"}"#, Origin::Argument)
            .unwrap();
    let step = redis().store_if_version(&managed, 3).unwrap();
    let shown = shown(&step);
    assert_eq!(shown.len(), 1);
    assert!(shown[0][0].starts_with("EVAL local cur = redis.call('GET', KEYS[1])"));
    assert!(shown[0][0].ends_with(r#" 1 p:session:m {"id":"m","shop":"","state":"","isOnline":false,"expires":"2030-01-01T00:00:00.000Z"} 3 1894060800000"#), "PXAT: expires plus the grace; {}", shown[0][0]);
    assert_eq!(outcome(step.next(vec![Reply::Int(-2)])), Outcome::Bool(true));
    let err = step.next(vec![Reply::Int(4)]).unwrap_err();
    assert_eq!(err.code(), "CONFLICT");
    assert!(err.message().contains("the store holds version 4, expected version 3"), "{err}");
    assert!(!err.message().contains("\"m\""), "the id shows only as a hash");
    assert_eq!(step.next(vec![Reply::Int(0)]).unwrap_err().code(), "CONFLICT");

    let pg = PostgresLayout::new(None).unwrap();
    let insert = pg.store_if_version(&managed, 0).unwrap();
    assert!(insert.sql.ends_with("ON CONFLICT (id) DO NOTHING") && insert.params.len() == 5);
    let update = pg.store_if_version(&managed, 3).unwrap();
    assert!(update.sql.contains("->>'version' = $6") && update.params.len() == 6);
    assert_eq!(update.returns.name(), "stored");
    assert!(update.stored(1).unwrap());
    assert_eq!(update.stored(0).unwrap_err().code(), "CONFLICT");

    let mut shop = managed.clone();
    shop.shop = X.into();
    assert_eq!(redis().store_if_version(&shop, 0).unwrap_err().code(), "INVALID_ARGUMENT");
    assert_eq!(pg.store_if_version(&shop, 0).unwrap_err().code(), "INVALID_ARGUMENT");
}
