//! Why an upload link cannot be made or is refused. (A signature that does not verify is the
//! domain's own error, `declarations::sign::signature_not_verified`, as its port requires; the
//! printout fails only on a request without its document, an internal fault.)

/// Upload links cannot be signed with this configuration. No message repeats the secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UploadConfigError {
    #[error("the upload link secret must be at least {min} bytes, found {found}")]
    SecretTooShort { min: usize, found: usize },
    #[error("the upload base URL must start with http:// or https:// and have a host")]
    BaseUrl,
}

/// Why a `PUT` through an upload link is refused, for the route that takes it to answer and log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum UploadRefusal {
    /// The signature is not hex, or not the one of this key and expiry.
    #[error("the upload link's signature does not match")]
    BadSignature,
    /// The link's expiry has come.
    #[error("the upload link has expired")]
    Expired,
}
