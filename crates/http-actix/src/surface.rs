//! The API surfaces: where each is mounted, which token audience it takes, which envelope it speaks.

use domain::identity::Audience;

/// Which of the three envelopes of the API a surface answers in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EnvelopeKind {
    /// `{"status": 1000, "message", "data"}`: second opinion.
    A,
    /// `{"success": true, "data", "message"}`: clinic.
    B,
    /// `{"meta": {...}, "data"}`: eHealth declarations.
    C,
}

/// A mount point of the API.
pub trait Surface: 'static {
    const MOUNT: &'static str;
    const AUDIENCE: Audience;
    const ENVELOPE: EnvelopeKind;
}

macro_rules! surface {
    ($(#[$doc:meta])* $name:ident, $mount:literal, $aud:ident, $env:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy)]
        pub struct $name;
        impl Surface for $name {
            const MOUNT: &'static str = $mount;
            const AUDIENCE: Audience = Audience::$aud;
            const ENVELOPE: EnvelopeKind = EnvelopeKind::$env;
        }
    };
}

surface!(/// Patients of the second-opinion service.
    App, "/app", SnrUsr, A);
surface!(/// Doctors and coordinators of the second-opinion service.
    Pro, "/pro", SnrPro, A);
surface!(/// Administrators of the second-opinion service.
    Admin, "/admin", SnrAdmin, A);
surface!(/// Clinic staff.
    Clinic, "/api", Clinic, B);
surface!(/// eHealth integrations (declaration requests).
    Ehealth, "/api/v3", Ehealth, C);
