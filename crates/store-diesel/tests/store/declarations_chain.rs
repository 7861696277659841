//! The declarations chain: the seed before and after blocks close, the documented bytes of a
//! block's hash, and tampering named by block.

use domain::declarations::{ChainSeed, Declaration, DeclarationStatus};
use sha2::{Digest, Sha512};
use store_diesel::{BrokenBlock, ChainBreak, ChainVerification, GENESIS_HASH, RegistryImport};

use crate::declarations_fixtures::{Registry, declaration, imported};
use crate::support::*;

/// A block's hash as the store's `chain` module documents it, computed here independently.
fn documented_hash(declarations: &[&Declaration], previous: &str) -> String {
    let mut sorted = declarations.to_vec();
    sorted.sort_by_key(|d| d.id.to_string());
    let mut hasher = Sha512::new();
    for d in sorted {
        let fields = [
            Some(d.id.to_string()),
            Some(d.declaration_number.clone()),
            Some(d.person_id.to_string()),
            Some(d.employee_id.to_string()),
            Some(d.legal_entity_id.to_string()),
            d.division_id.map(|id| id.to_string()),
            Some(d.start_date.to_string()),
            d.declaration_request_id.map(|id| id.to_string()),
        ];
        for field in fields {
            let text = field.unwrap_or_default();
            hasher.update((text.len() as u32).to_be_bytes());
            hasher.update(text.as_bytes());
        }
    }
    hasher.update(previous.as_bytes());
    hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Imports one more active declaration of `registry`'s person `p` with its family doctor.
fn one_more(store: &Store, registry: &Registry, p: usize, number: &str) -> Declaration {
    let d = declaration(
        &registry.persons[p],
        &registry.employees[2],
        DeclarationStatus::Active,
        number,
    );
    let import = RegistryImport {
        declarations: std::slice::from_ref(&d),
        ..RegistryImport::default()
    };
    store.import_registry(import, at(2)).unwrap();
    d
}

fn broken_at(block_number: i64, reason: ChainBreak, intact: u64) -> ChainVerification {
    ChainVerification {
        intact_blocks: intact,
        broken: Some(BrokenBlock {
            block_number,
            reason,
        }),
    }
}

fn intact(blocks: u64) -> ChainVerification {
    ChainVerification {
        intact_blocks: blocks,
        broken: None,
    }
}

on_each_backend!(blocks_seal_new_declarations_and_move_the_seed, |db| {
    let store = &db.store;
    assert_eq!(store.latest_hash().unwrap(), GENESIS_HASH);
    assert_eq!(GENESIS_HASH.len(), 128);
    assert_eq!(store.close_declaration_block(at(0)).unwrap(), None);
    assert_eq!(store.verify_declaration_chain().unwrap(), intact(0));

    let reg = imported(store);
    let first = store.close_declaration_block(at(1)).unwrap().unwrap();
    assert_eq!(first.block_number, 1);
    assert_eq!(first.previous_hash, GENESIS_HASH);
    assert_eq!(first.declaration_count, 3);
    assert_eq!(first.closed_at, at(1));
    let mut ids: Vec<_> = reg.declarations.iter().map(|d| d.id).collect();
    ids.sort_by_key(ToString::to_string);
    assert_eq!(
        (first.first_declaration_id, first.last_declaration_id),
        (ids[0], ids[2])
    );
    let all: Vec<&Declaration> = reg.declarations.iter().collect();
    assert_eq!(first.hash, documented_hash(&all, GENESIS_HASH));
    assert_eq!(store.latest_hash().unwrap(), first.hash);
    // Nothing new: no empty block.
    assert_eq!(store.close_declaration_block(at(2)).unwrap(), None);

    let d = one_more(store, &reg, 0, "0000-0100");
    let second = store.close_declaration_block(at(3)).unwrap().unwrap();
    assert_eq!(second.block_number, 2);
    assert_eq!(second.previous_hash, first.hash);
    assert_eq!(second.declaration_count, 1);
    assert_eq!(second.hash, documented_hash(&[&d], &first.hash));
    assert_eq!(store.latest_hash().unwrap(), second.hash);
    assert_eq!(store.declaration_blocks().unwrap(), [first, second]);
    assert_eq!(store.verify_declaration_chain().unwrap(), intact(2));
});

on_each_backend!(tampering_with_a_declaration_names_its_block, |db| {
    let store = &db.store;
    let reg = imported(store);
    store.close_declaration_block(at(1)).unwrap().unwrap();
    let later = one_more(store, &reg, 1, "0000-0200");
    store.close_declaration_block(at(3)).unwrap().unwrap();
    assert_eq!(store.verify_declaration_chain().unwrap(), intact(2));

    let sealed = reg.declarations[1].id;
    let set = |sql: &str, id| {
        raw_sql(
            &db,
            &format!("UPDATE declarations SET {sql} WHERE declaration_id = '{id}'"),
        );
    };
    // Who the declaration is with, and from when, are sealed.
    set("start_date = '2020-01-01'", sealed);
    assert_eq!(
        store.verify_declaration_chain().unwrap(),
        broken_at(1, ChainBreak::Hash, 0)
    );
    set("start_date = '2025-02-01'", sealed);
    assert_eq!(store.verify_declaration_chain().unwrap(), intact(2));
    let other_doctor = reg.employees[1].id;
    set(&format!("employee_id = '{other_doctor}'"), later.id);
    assert_eq!(
        store.verify_declaration_chain().unwrap(),
        broken_at(2, ChainBreak::Hash, 1)
    );
    let own_doctor = later.employee_id;
    set(&format!("employee_id = '{own_doctor}'"), later.id);

    // Its status is not: a declaration is terminated in the ordinary course of things.
    set(
        "status = 'terminated', reason = 'auto_reorganization'",
        sealed,
    );
    assert_eq!(store.verify_declaration_chain().unwrap(), intact(2));

    // A declaration taken out of its block.
    set("block_number = NULL", later.id);
    assert_eq!(
        store.verify_declaration_chain().unwrap(),
        broken_at(2, ChainBreak::Count, 1)
    );
    set("block_number = 2", later.id);
    assert_eq!(store.verify_declaration_chain().unwrap(), intact(2));

    // The blocks themselves.
    raw_sql(
        &db,
        "UPDATE declaration_blocks SET previous_hash = 'ab' WHERE block_number = 2",
    );
    assert_eq!(
        store.verify_declaration_chain().unwrap(),
        broken_at(2, ChainBreak::PreviousHash, 1)
    );
    raw_sql(
        &db,
        "UPDATE declaration_blocks SET hash = 'ab' WHERE block_number = 1",
    );
    assert_eq!(
        store.verify_declaration_chain().unwrap(),
        broken_at(1, ChainBreak::Hash, 0)
    );
    raw_sql(
        &db,
        "UPDATE declarations SET block_number = NULL WHERE block_number = 1",
    );
    raw_sql(&db, "DELETE FROM declaration_blocks WHERE block_number = 1");
    assert_eq!(
        store.verify_declaration_chain().unwrap(),
        broken_at(1, ChainBreak::Missing, 0)
    );
});
