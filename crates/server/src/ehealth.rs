//! Wiring of the eHealth declaration requests: the services on the store, the `ehealth` adapters
//! (signatures, printouts, upload links), the blob store and the outbox that carries codes by SMS.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use domain::declarations::{
    ApprovePorts, ApproveService, CodeSource, CreatePolicy, CreatePorts, CreateService,
    ExpiryService, OtpPolicy, OtpService, QueryService, RejectService, RequestTtl,
    ResendOtpService, SignService,
};
use domain::kernel::blob::{BlobKey, BlobStore};
use domain::kernel::ids::IdGenerator;
use domain::kernel::time::Clock;
use ehealth::{HtmlPrintout, JwsVerifier, SignedUploadUrls};
use http_actix::{DeclarationServices, UploadLinks};
use store_diesel::{OutboxCodeSender, Store};

use crate::config::Config;
use crate::keys;

/// Random bytes from the operating system, for verification codes, their salts and declaration
/// numbers.
#[derive(Debug, Clone, Copy, Default)]
pub struct OsCodes;

impl CodeSource for OsCodes {
    fn fill(&self, bytes: &mut [u8]) {
        rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, bytes);
    }
}

/// The route's check of upload links, by the links' own adapter.
#[derive(Debug, Clone)]
struct UploadLinkCheck(SignedUploadUrls);

impl UploadLinks for UploadLinkCheck {
    fn check(&self, key: &BlobKey, expires: i64, signature: &str) -> Result<(), String> {
        self.0
            .verify(key, expires, signature, time::OffsetDateTime::now_utc())
            .map_err(|refusal| refusal.to_string())
    }
}

/// The declaration services, and the expiry the scheduler runs.
#[derive(Debug)]
pub struct Wired {
    pub services: DeclarationServices,
    pub expiry: ExpiryService,
}

/// Builds the declaration services.
pub fn wire(
    config: &Config,
    store: &Store,
    blobs: Arc<dyn BlobStore>,
    clock: Arc<dyn Clock>,
    ids: Arc<dyn IdGenerator>,
    wake_dispatcher: Arc<dyn Fn() + Send + Sync>,
) -> anyhow::Result<Wired> {
    let settings = &config.declarations;
    let repo = Arc::new(store.clone());
    let codes: Arc<dyn CodeSource> = Arc::new(OsCodes);
    let urls = SignedUploadUrls::new(&config.public_base_url(), &keys::upload_secret(config)?)
        .context("the upload link settings (PUBLIC_BASE_URL, UPLOAD_LINK_SECRET) are wrong")?;
    let otp = OtpService::new(
        repo.clone(),
        codes.clone(),
        clock.clone(),
        ids.clone(),
        OtpPolicy {
            ttl: settings.otp_ttl,
            max_attempts: settings.otp_max_attempts,
        },
    );
    // A code should reach the phone within seconds: its writing wakes this instance's dispatcher.
    let sender = Arc::new(
        OutboxCodeSender::new(store.clone(), clock.clone(), ids.clone()).waking(wake_dispatcher),
    );
    let ttl = RequestTtl::hours(settings.request_ttl_hours);
    let printout: Arc<HtmlPrintout> = Arc::new(HtmlPrintout::new());
    let create = CreateService::new(
        CreatePorts {
            requests: repo.clone(),
            registry: repo.clone(),
            otp: otp.clone(),
            sender: sender.clone(),
            printout: printout.clone(),
            uploads: Arc::new(urls.clone()),
            codes,
            ids,
            clock: clock.clone(),
        },
        CreatePolicy {
            // An upload link works as long as its request may wait for approval.
            upload_url_ttl: Duration::from_secs(settings.request_ttl_hours.saturating_mul(3600)),
            ..CreatePolicy::default()
        },
    );
    let services = DeclarationServices {
        create,
        approve: ApproveService::new(
            ApprovePorts {
                requests: repo.clone(),
                registry: repo.clone(),
                otp: otp.clone(),
                documents: blobs,
                chain: repo.clone(),
                clock: clock.clone(),
                printout,
            },
            settings.limits,
        ),
        reject: RejectService::new(repo.clone(), clock.clone()),
        resend: ResendOtpService::new(repo.clone(), otp, sender),
        sign: SignService::new(
            repo.clone(),
            repo.clone(),
            Arc::new(JwsVerifier::new()),
            repo.clone(),
            clock.clone(),
        ),
        queries: QueryService::new(repo.clone(), repo.clone()),
        upload_links: Arc::new(UploadLinkCheck(urls)),
    };
    Ok(Wired {
        services,
        expiry: ExpiryService::new(repo, clock, ttl),
    })
}
