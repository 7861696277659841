//! Ids of the declarations context: the national registry's objects and our own requests, each its
//! own type so that a person's id cannot be passed where an employee's is meant.

use std::fmt;

use uuid::Uuid;

use crate::Result;
use crate::kernel::ids::{IdGenerator, parse_uuid, uuid_id};

uuid_id!(
    /// A person (patient) of the registry.
    PersonId
);
uuid_id!(
    /// An employee (a doctor) of a legal entity.
    EmployeeId
);
uuid_id!(
    /// A division (a clinic's branch) of a legal entity.
    DivisionId
);
uuid_id!(
    /// A legal entity (a medical service provider); tokens carry it as `client_id`.
    LegalEntityId
);
uuid_id!(
    /// A declaration: a person's choice of a doctor.
    DeclarationId
);
uuid_id!(
    /// A declaration request, on its way to becoming a declaration.
    DeclarationRequestId
);
uuid_id!(
    /// A verification code sent to a phone.
    VerificationId
);
