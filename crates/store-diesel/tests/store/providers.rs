//! [`ProviderRepository`]: providers, their lists, and their eligibility per disease category.

use domain::kernel::ids::DiseaseCategoryId;
use domain::kernel::lang::Lang;
use domain::second_opinion::{
    CatalogueRepository, Eligibility, Provider, ProviderFilter, ProviderRepository,
};

use crate::fixtures::{category, provider};
use crate::support::*;

fn ids(providers: &[Provider]) -> Vec<&str> {
    providers.iter().map(|p| p.id.as_str()).collect()
}

fn filter(active: Option<bool>, q: Option<&str>) -> ProviderFilter {
    ProviderFilter {
        active,
        q: q.map(str::to_owned),
    }
}

on_each_backend!(
    upsert_inserts_and_replaces_keeping_the_creation_date,
    |db| {
        let store = &db.store;
        let lina = provider("EMP1", "Lina Haddad", T0);
        let mut omar = provider("EMP2", "Omar Said", at(1));
        omar.email = None;
        omar.phone = None;
        store.upsert_all(&[omar.clone(), lina.clone()]).unwrap();
        assert_eq!(store.find_provider(&lina.id).unwrap().as_ref(), Some(&lina));
        assert_eq!(store.find_provider(&omar.id).unwrap().as_ref(), Some(&omar));
        assert_eq!(store.find_provider(&actor("EMP9")).unwrap(), None);

        let changed = Provider {
            name_en: "Lina Haddad-Nour".to_owned(),
            name_ar: "د. لينا حداد نور".to_owned(),
            speciality_en: "Oncology".to_owned(),
            speciality_ar: "الأورام".to_owned(),
            email: None,
            phone: None,
            lang: Lang::Ar,
            active: false,
            // An upsert never moves the creation date of an existing provider.
            created_date: at(500),
            updated_date: at(10),
            ..lina.clone()
        };
        let mut omar_again = omar.clone();
        omar_again.email = Some("omar@clinic.example".to_owned());
        store
            .upsert_all(&[changed.clone(), omar_again.clone()])
            .unwrap();
        let stored = store.find_provider(&lina.id).unwrap().unwrap();
        assert_eq!(
            stored,
            Provider {
                created_date: T0,
                ..changed
            }
        );
        assert_eq!(store.find_provider(&omar.id).unwrap(), Some(omar_again));

        let found = store
            .find_providers(&[actor("EMP2"), actor("nobody"), actor("EMP1")])
            .unwrap();
        assert_eq!(ids(&found), ["EMP1", "EMP2"]);
        assert!(store.find_providers(&[]).unwrap().is_empty());
        assert!(store.upsert_all(&[]).is_ok());
        assert_eq!(store.count_providers(&filter(None, None)).unwrap(), 2);
    }
);

on_each_backend!(lists_filter_by_activity_and_search_ids_and_names, |db| {
    let store = &db.store;
    let mut retired = provider("EMP2", "Omar Said", T0);
    retired.active = false;
    let mut percent = provider("DOC_3", "Sara 100% Sure", T0);
    percent.name_ar = "د. سارة".to_owned();
    store
        .upsert_all(&[
            provider("EMP1", "Lina Haddad", T0),
            retired,
            percent,
            provider("DOC14", "Karim Aziz", T0),
        ])
        .unwrap();

    let list = |f: &ProviderFilter, limit: i64, offset: i64| {
        let page = store.list_providers(f, limit, offset).unwrap();
        page.iter().map(|p| p.id.to_string()).collect::<Vec<_>>()
    };
    let all = filter(None, None);
    assert_eq!(list(&all, 10, 0), ["DOC14", "DOC_3", "EMP1", "EMP2"]);
    assert_eq!(list(&all, 2, 1), ["DOC_3", "EMP1"]);
    assert_eq!(store.count_providers(&all).unwrap(), 4);
    let active = filter(Some(true), None);
    assert_eq!(list(&active, 10, 0), ["DOC14", "DOC_3", "EMP1"]);
    assert_eq!(
        store.count_providers(&filter(Some(false), None)).unwrap(),
        1
    );

    for (q, expected) in [
        // The id, any case.
        ("emp", vec!["EMP1", "EMP2"]),
        // The English name, any case.
        ("HADDAD", vec!["EMP1"]),
        // The Arabic name.
        ("سارة", vec!["DOC_3"]),
        // Wildcards are taken literally.
        ("_", vec!["DOC_3"]),
        ("100%", vec!["DOC_3"]),
        ("%", vec!["DOC_3"]),
        ("zzz", vec![]),
    ] {
        let f = filter(None, Some(q));
        assert_eq!(list(&f, 10, 0), expected, "{q}");
        assert_eq!(
            store.count_providers(&f).unwrap(),
            expected.len() as u64,
            "{q}"
        );
    }
    let active_emp = filter(Some(true), Some("emp"));
    assert_eq!(list(&active_emp, 10, 0), ["EMP1"]);
    assert_eq!(store.count_providers(&active_emp).unwrap(), 1);
});

on_each_backend!(
    grants_are_idempotent_and_eligibility_is_active_providers_of_the_category,
    |db| {
        let store = &db.store;
        let cardiology = category("Cardiology", "أمراض القلب", T0);
        let oncology = category("Oncology", "الأورام", T0);
        store.insert_disease_category(&cardiology).unwrap();
        store.insert_disease_category(&oncology).unwrap();
        let mut retired = provider("EMP2", "Omar Said", T0);
        retired.active = false;
        store
            .upsert_all(&[
                provider("EMP1", "Lina Haddad", T0),
                retired,
                provider("EMP3", "Sara Nasser", T0),
            ])
            .unwrap();
        let (emp1, emp2, emp3) = (actor("EMP1"), actor("EMP2"), actor("EMP3"));
        let (c, s) = (Eligibility::Coordinator, Eligibility::Specialist);

        for who in [&emp1, &emp2, &emp3] {
            store.grant(who, cardiology.id, c).unwrap();
        }
        store.grant(&emp1, cardiology.id, c).unwrap();
        store.grant(&emp1, oncology.id, c).unwrap();
        store.grant(&emp3, cardiology.id, s).unwrap();
        store.grant(&emp3, cardiology.id, s).unwrap();

        assert_eq!(
            ids(&store.eligible(cardiology.id, c).unwrap()),
            ["EMP1", "EMP3"]
        );
        assert_eq!(ids(&store.eligible(oncology.id, c).unwrap()), ["EMP1"]);
        assert_eq!(ids(&store.eligible(cardiology.id, s).unwrap()), ["EMP3"]);
        assert!(store.eligible(oncology.id, s).unwrap().is_empty());
        let unknown = DiseaseCategoryId::from_uuid(Uuid::now_v7());
        assert!(store.eligible(unknown, c).unwrap().is_empty());

        let mut both = vec![cardiology.id, oncology.id];
        both.sort_by_key(|id| id.to_string());
        assert_eq!(store.grants(&emp1, c).unwrap(), both);
        assert!(store.grants(&emp1, s).unwrap().is_empty());
        assert_eq!(store.grants(&emp2, c).unwrap(), [cardiology.id]);

        match store.grant(&actor("EMP9"), cardiology.id, c) {
            Err(Error::NotFound(t)) => assert_eq!(t.key(), Key::ProviderNotFound),
            other => panic!("{other:?}"),
        }
        match store.grant(&emp1, unknown, s) {
            Err(Error::NotFound(t)) => assert_eq!(t.key(), Key::DiseaseCategoryNotFound),
            other => panic!("{other:?}"),
        }

        assert!(store.revoke_grant(&emp1, cardiology.id, c).unwrap());
        assert!(!store.revoke_grant(&emp1, cardiology.id, c).unwrap());
        assert!(!store.revoke_grant(&emp1, cardiology.id, s).unwrap());
        assert_eq!(ids(&store.eligible(cardiology.id, c).unwrap()), ["EMP3"]);
        assert_eq!(store.grants(&emp1, c).unwrap(), [oncology.id]);
        // A specialist grant is not a coordinator grant.
        assert!(store.revoke_grant(&emp3, cardiology.id, s).unwrap());
        assert_eq!(ids(&store.eligible(cardiology.id, c).unwrap()), ["EMP3"]);
        assert!(store.eligible(cardiology.id, s).unwrap().is_empty());

        // Reactivated, a provider is eligible again for what they kept.
        let mut back = store.find_provider(&emp2).unwrap().unwrap();
        back.active = true;
        store.upsert_all(&[back]).unwrap();
        assert_eq!(
            ids(&store.eligible(cardiology.id, c).unwrap()),
            ["EMP2", "EMP3"]
        );
    }
);
