//! Tests of the clinic's staff services against mocks of the ports.
//!
//! The cast: the admin [`ADMIN`] (`admin`), the doctor [`DOCTOR`] (`doctor`, provider `EMP3`).
//! The clock stands at [`NOW`].

mod login;
mod staff;

use std::sync::Arc;

use time::macros::datetime;

use super::audit::Who;
use super::ids::StaffId;
use super::staff::{StaffAccount, StaffName, Username};
use crate::identity::Role;
use crate::kernel::ids::ActorId;
use crate::testing::{FixedClock, NOW, uuid};

const ADMIN: u128 = 0xad;
const DOCTOR: u128 = 0xd0c;

fn staff_id(n: u128) -> StaffId {
    StaffId::from_uuid(uuid(n))
}

fn account(n: u128, username: &str, roles: &[Role]) -> StaffAccount {
    StaffAccount {
        id: staff_id(n),
        username: Username::from_stored(username.to_owned()),
        name: StaffName::from_stored(format!("{username} name")),
        name_ar: None,
        roles: roles.to_vec(),
        is_active: true,
        provider_id: None,
        created_at: datetime!(2026-11-01 09:00 UTC),
        updated_at: datetime!(2026-11-01 09:00 UTC),
    }
}

fn admin() -> StaffAccount {
    account(ADMIN, "admin", &[Role::Admin])
}

fn doctor() -> StaffAccount {
    let mut doctor = account(DOCTOR, "doctor", &[Role::Doctor]);
    doctor.provider_id = Some(ActorId::from_stored("EMP3".into()));
    doctor
}

/// The caller `account`, as the guard hands it to the services.
fn who(account: &StaffAccount) -> Who {
    Who {
        actor: ActorId::from_stored(account.id.to_string()),
        roles: account.roles.clone(),
        request_id: None,
    }
}

fn clock() -> Arc<FixedClock> {
    Arc::new(FixedClock(NOW))
}
