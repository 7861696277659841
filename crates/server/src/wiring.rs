//! Builds the domain services on the chosen adapters.

use std::net::TcpListener;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use anyhow::Context;
use domain::clinic::{AppointmentService, PatientService};
use domain::clinic::{
    AuditService, DEFAULT_SESSION_TTL, LoginPorts, LoginService, MemoryThrottle, PasswordHasher,
    ReportPdfService, ReportPorts, ReportQueryService, ReportWriteService, StaffPorts,
    StaffService, ThrottleLimits,
};
use domain::declarations::ExpiryService;
use domain::identity::AuthService;
use domain::kernel::ids::UuidV7;
use domain::kernel::lang::Lang;
use domain::kernel::text::Translator;
use domain::kernel::time::SystemClock;
use domain::notifications::Bilingual;
use domain::notifications::{ContactService, OutboxService, RetryPolicy};
use domain::second_opinion::{
    AdminCaseService, CaseFlow, CaseService, CatalogueService, PatientFlowService, PaymentGateway,
    PaymentService, ProCaseService, ProviderService, ReportParts,
};
use http_actix::event_hub::EventHub;
use http_actix::{AppState, ClinicServices, HttpConfig, HttpMetrics};
use notify::{ChannelConfig, DispatchMetrics, Dispatcher, DispatcherParts};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;
use store_diesel::Store;
use token::Codec;

use crate::config::Config;
use crate::keys;

/// Everything a subcommand may need, wired once.
#[derive(Clone)]
pub struct Platform {
    pub store: Store,
    pub state: AppState,
    /// Counters of the background work, registered with the rest.
    pub jobs: JobMetrics,
    pub dispatch: DispatchMetrics,
    /// Keeps the store's memory (revocations, the active catalogue) fresh while the platform lives.
    pub listener: Arc<store_diesel::Listener>,
    /// Expires declaration requests nobody signed (on the scheduler).
    pub expiry: ExpiryService,
    /// Set when a message that must go out at once (a verification code) is in the outbox; the
    /// dispatcher then runs without waiting for its next poll.
    pub dispatch_now: Arc<AtomicBool>,
    /// The clinic's imaging services, which the DICOM listener calls too.
    pub imaging: crate::imaging::Imaging,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct JobLabels {
    job: &'static str,
    outcome: &'static str,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct JobName {
    job: &'static str,
}

/// Runs and durations of the background jobs.
#[derive(Debug, Clone)]
pub struct JobMetrics {
    runs: Family<JobLabels, Counter>,
    duration: Family<JobName, Histogram, fn() -> Histogram>,
}

fn job_histogram() -> Histogram {
    // 1 ms to about 65 s.
    Histogram::new(exponential_buckets(0.001, 2.0, 17))
}

impl JobMetrics {
    fn register(registry: &mut Registry) -> JobMetrics {
        let metrics = JobMetrics {
            runs: Family::default(),
            duration: Family::new_with_constructor(job_histogram),
        };
        registry.register(
            "background_job_runs",
            "Runs of a background job, by job and outcome (ok, failed)",
            metrics.runs.clone(),
        );
        registry.register(
            "background_job_duration_seconds",
            "How long a background job's run took",
            metrics.duration.clone(),
        );
        metrics
    }

    /// Times `run` and counts it under `job`.
    pub fn record<T, E>(
        &self,
        job: &'static str,
        run: impl FnOnce() -> Result<T, E>,
    ) -> Result<T, E> {
        let started = std::time::Instant::now();
        let result = run();
        let outcome = if result.is_ok() { "ok" } else { "failed" };
        self.runs.get_or_create(&JobLabels { job, outcome }).inc();
        self.duration
            .get_or_create(&JobName { job })
            .observe(started.elapsed().as_secs_f64());
        result
    }
}

impl Platform {
    /// A domain error as an operator reads it on the command line, in English.
    pub fn describe(&self, error: &domain::Error) -> String {
        describe(self.state.translator.as_ref(), error)
    }
}

/// A domain error in English words: the reasons of a refusal, or the whole chain of causes of a
/// fault.
pub fn describe(translator: &dyn Translator, error: &domain::Error) -> String {
    use domain::Error;
    let say = |t: &domain::kernel::text::Text| translator.translate(Lang::En, t);
    match error {
        Error::Validation(fields) => fields
            .iter()
            .map(|f| say(&f.text))
            .collect::<Vec<_>>()
            .join("; "),
        Error::NotFound(t)
        | Error::Conflict(t)
        | Error::Forbidden(t)
        | Error::TooLarge(t)
        | Error::Unsupported(t)
        | Error::NotAcceptable(t)
        | Error::Unprocessable(t)
        | Error::TooManyRequests { text: t, .. } => say(t),
        Error::Unauthorized(reason) => say(&reason.text()),
        Error::Unavailable(_) | Error::Internal(_) => error.chain(),
    }
}

/// The message catalogues; they are part of the binary, so failing to load them is a build error
/// caught by the tests, reported here as a start-up failure rather than a panic.
pub fn catalogues() -> anyhow::Result<Arc<i18n::Catalogues>> {
    Ok(Arc::new(
        i18n::Catalogues::load().context("the message catalogues are broken")?,
    ))
}

impl std::fmt::Debug for Platform {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Platform").finish_non_exhaustive()
    }
}

/// Opens (creating and migrating if needed) the configured database and wires the services.
pub fn open(config: &Config) -> anyhow::Result<Platform> {
    let store = Store::connect(config.database_url.expose(), config.pool_size)
        .with_context(|| format!("cannot open the database at {}", config.database_for_log()))?;
    let applied = store
        .run_migrations()
        .context("cannot migrate the database")?;
    if !applied.is_empty() {
        tracing::info!(database = %config.database_for_log(), migrations = ?applied, "database migrated");
    }
    let ring = keys::load(config)?;
    let blobs = crate::blobs::open(config)?;
    let clock = Arc::new(SystemClock);
    let ids = Arc::new(UuidV7);
    let repo = Arc::new(store.clone());
    let catalogue = CatalogueService::new(repo.clone(), clock.clone(), ids.clone());
    let translator: Arc<dyn Translator> = catalogues()?;
    let gateway: Arc<dyn PaymentGateway> = Arc::new(
        payments::HostedPayments::new(&config.payments.link_base, &keys::webhook_secret(config)?)
            .context("the payment settings are wrong")?,
    );
    let renderer = Arc::new(
        report_pdf::TypstRenderer::new(translator.clone())
            .map_err(|e| anyhow::anyhow!("cannot prepare the PDF reports: {e}"))?,
    );
    let flow = CaseFlow {
        cases: repo.clone(),
        assignments: repo.clone(),
        payments: repo.clone(),
        providers: repo.clone(),
        catalogue: catalogue.clone(),
        clock: clock.clone(),
        ids: ids.clone(),
    };
    // Clinic: reports, the audit log, events.
    let report_ports = ReportPorts {
        reports: repo.clone(),
        audit: repo.clone(),
        clock: clock.clone(),
        ids: ids.clone(),
    };
    let report = ReportParts {
        renderer: renderer.clone(),
        blobs: blobs.clone(),
        issuer: Bilingual {
            en: config.payments.issuer_en.clone(),
            ar: config.payments.issuer_ar.clone(),
        },
    };
    let dispatch_now = Arc::new(AtomicBool::new(false));
    let wake = dispatch_now.clone();
    let declarations = crate::ehealth::wire(
        config,
        &store,
        blobs.clone(),
        clock.clone(),
        ids.clone(),
        Arc::new(move || wake.store(true, Ordering::SeqCst)),
    )?;
    // The clinic's events reach this instance's connected staff through its store listener, which
    // hears every instance's (PostgreSQL `NOTIFY`) or every writer's (SQLite) events.
    let events = Arc::new(EventHub::default());
    store.deliver_clinic_events(events.clone());
    let mut registry = Registry::with_prefix("medcare");
    let metrics = HttpMetrics::register(&mut registry);
    store.register_metrics(&mut registry);
    let dispatch = DispatchMetrics::register(&mut registry);
    let jobs = JobMetrics::register(&mut registry);
    let auth = AuthService::new(
        Arc::new(Codec::new(ring)),
        repo.clone(),
        clock.clone(),
        ids.clone(),
    );
    let clinic_staff = clinic_staff(&repo, &auth, clock.clone(), ids.clone());
    // Clinic: patients and appointments.
    let patients = PatientService::new(repo.clone(), repo.clone(), clock.clone(), ids.clone());
    let appointments =
        AppointmentService::new(repo.clone(), repo.clone(), clock.clone(), ids.clone());
    // Clinic: imaging.
    let imaging = crate::imaging::wire(
        &repo,
        blobs.clone(),
        appointments.clone(),
        clock.clone(),
        ids.clone(),
    );
    let documents =
        crate::documents::wire(config, &repo, blobs.clone(), clock.clone(), ids.clone())?;
    let state = AppState {
        auth,
        cases: CaseService::new(repo.clone(), catalogue.clone(), clock.clone(), ids),
        patient_flow: PatientFlowService::new(flow.clone()),
        admin_cases: AdminCaseService::new(flow.clone(), gateway.clone()),
        pro_cases: ProCaseService::new(flow.clone(), report),
        providers: ProviderService::new(repo.clone(), clock.clone()),
        payments: PaymentService::new(flow, gateway),
        catalogue,
        contacts: ContactService::new(repo.clone(), clock.clone()),
        outbox: OutboxService::new(repo.clone(), clock),
        documents: documents.documents,
        declarations: declarations.services,
        clinic: ClinicServices {
            audit: repo.clone(),
            events: events.clone(),
            // Clinic: staff accounts and sign-in.
            login: clinic_staff.0,
            staff: clinic_staff.1,
            // Clinic: patients and appointments.
            patients,
            appointments,
            // Clinic: reports, the audit log, events.
            reports: ReportQueryService::new(report_ports.clone()),
            report_writes: ReportWriteService::new(report_ports.clone()),
            report_pdf: ReportPdfService::new(
                report_ports,
                renderer.clone(),
                Bilingual {
                    en: config.clinic_name.clone(),
                    ar: config
                        .clinic_name_ar
                        .clone()
                        .unwrap_or_else(|| config.clinic_name.clone()),
                },
            ),
            audit_log: AuditService::new(repo.clone()),
            // Clinic: imaging.
            ingest: imaging.ingest.clone(),
            studies: imaging.studies.clone(),
            worklist: imaging.worklist.clone(),
            dicom_max_bytes: config.dicom.max_instance_bytes,
            // Clinic: documents.
            documents: documents.patients,
            // Clinic: DICOMweb.
            dicomweb: imaging.dicomweb.clone(),
            dicomweb_root: format!(
                "{}/dicomweb",
                config.public_base_url().trim_end_matches('/')
            ),
        },
        chain: repo.clone(),
        readiness: repo,
        blobs,
        translator,
        metrics,
        registry: Arc::new(registry),
    };
    let listener = Arc::new(store.listen());
    Ok(Platform {
        store,
        state,
        jobs,
        dispatch,
        listener,
        expiry: declarations.expiry,
        dispatch_now,
        imaging,
    })
}

/// The clinic's sign-in and staff accounts: Argon2id passwords, failed sign-ins counted in this
/// instance's memory.
fn clinic_staff(
    repo: &Arc<Store>,
    auth: &AuthService,
    clock: Arc<SystemClock>,
    ids: Arc<UuidV7>,
) -> (LoginService, StaffService) {
    let hasher: Arc<dyn PasswordHasher> = Arc::new(token::Argon2Hasher);
    let throttle = Arc::new(MemoryThrottle::new(
        clock.clone(),
        ThrottleLimits::default(),
    ));
    let login = LoginService::new(
        LoginPorts {
            staff: repo.clone(),
            hasher: hasher.clone(),
            throttle,
            auth: auth.clone(),
            clock: clock.clone(),
        },
        DEFAULT_SESSION_TTL,
    );
    let staff = StaffService::new(StaffPorts {
        staff: repo.clone(),
        hasher,
        revocations: repo.clone(),
        clock,
        ids,
    });
    (login, staff)
}

/// The dispatcher's lease on claimed notifications: longer than a batch can take.
const LEASE: Duration = Duration::from_secs(300);
const BATCH: i64 = 20;

/// The notification dispatcher on the configured channels.
pub fn dispatcher(platform: &Platform, config: &Config) -> anyhow::Result<Dispatcher> {
    let store = &platform.store;
    let n = &config.notify;
    let channels = notify::build_channels(&ChannelConfig {
        channels: n.channels.clone(),
        webhook_url: n.webhook_url.clone(),
        webhook_secret: n.webhook_secret.as_ref().map(|s| s.expose().to_owned()),
        smtp_url: n.smtp_url.as_ref().map(|s| s.expose().to_owned()),
        smtp_from: n.smtp_from.clone(),
        sms_gateway_url: n.sms_gateway_url.clone(),
        sms_gateway_secret: n.sms_gateway_secret.as_ref().map(|s| s.expose().to_owned()),
        ..ChannelConfig::default()
    })
    .context("notification channels are misconfigured")?;
    let repo = Arc::new(store.clone());
    let policy = RetryPolicy {
        max_attempts: n.max_attempts,
        base: n.retry_base,
        ..RetryPolicy::default()
    };
    let parts = DispatcherParts {
        outbox: repo.clone(),
        contacts: repo,
        channels,
        translator: platform.state.translator.clone(),
        // What a draft reminder given up means is the cases' decision.
        give_up: Arc::new(platform.state.cases.clone()),
        clock: Arc::new(SystemClock),
    };
    Ok(Dispatcher::new(parts, policy, LEASE, BATCH).with_metrics(platform.dispatch.clone()))
}

/// Background work of a serving instance: draft reminders on a schedule, and notification delivery.
/// Every instance may run it: both jobs are safe to run concurrently.
#[derive(Debug)]
pub struct Background {
    stop: Arc<AtomicBool>,
    threads: Vec<JoinHandle<()>>,
}

impl Background {
    pub fn start(platform: &Platform, config: &Config) -> anyhow::Result<Self> {
        let stop = Arc::new(AtomicBool::new(false));
        let mut threads = Vec::new();
        let dispatcher = dispatcher(platform, config)?;
        let jobs = platform.jobs.clone();
        let (dispatch_stop, poll) = (stop.clone(), config_poll(config));
        let now = platform.dispatch_now.clone();
        threads.push(std::thread::spawn(move || {
            every_or_woken(poll, &dispatch_stop, &now, || dispatch(&jobs, &dispatcher))
        }));
        let interval = config.draft_reminder_interval;
        if !interval.is_zero() {
            let cases = platform.state.cases.clone();
            let (stop, jobs) = (stop.clone(), platform.jobs.clone());
            threads.push(std::thread::spawn(move || {
                every(interval, &stop, || remind(&jobs, &cases))
            }));
        }
        let every_declarations = config.declarations.jobs_interval;
        if !every_declarations.is_zero() {
            let (expiry, store) = (platform.expiry.clone(), platform.store.clone());
            let (stop, jobs) = (stop.clone(), platform.jobs.clone());
            threads.push(std::thread::spawn(move || {
                every(every_declarations, &stop, || {
                    declaration_jobs(&jobs, &expiry, &store)
                })
            }));
        }
        // Files of refused receptions and deleted studies (see the imaging ports).
        let ingest = platform.imaging.ingest.clone();
        let (sweep_stop, jobs) = (stop.clone(), platform.jobs.clone());
        threads.push(std::thread::spawn(move || {
            every(SWEEP_INTERVAL, &sweep_stop, || sweep_blobs(&jobs, &ingest))
        }));
        // Deleted clinic documents' bytes, once past retention: at start, then daily.
        let documents = platform.state.documents.clone();
        let (retention_stop, jobs) = (stop.clone(), platform.jobs.clone());
        threads.push(std::thread::spawn(move || {
            purge_documents(&jobs, &documents);
            every(RETENTION_INTERVAL, &retention_stop, || {
                purge_documents(&jobs, &documents)
            })
        }));
        // Revocations only matter until the token would have expired anyway.
        let store = platform.store.clone();
        let (purge_stop, jobs) = (stop.clone(), platform.jobs.clone());
        threads.push(std::thread::spawn(move || {
            every(PURGE_INTERVAL, &purge_stop, || {
                purge_revocations(&jobs, &store)
            })
        }));
        tracing::info!(
            channels = ?config.notify.channels,
            reminder_interval_s = interval.as_secs(),
            "background jobs started"
        );
        Ok(Self { stop, threads })
    }

    /// Stops the jobs after their current round.
    pub fn stop(self) {
        self.stop.store(true, Ordering::SeqCst);
        for thread in self.threads {
            let _ = thread.join();
        }
    }
}

/// How often the blob trash list is swept.
const SWEEP_INTERVAL: Duration = Duration::from_secs(60);

fn sweep_blobs(jobs: &JobMetrics, ingest: &domain::clinic::imaging::IngestService) {
    match jobs.record("blob_sweep", || ingest.sweep(500)) {
        Ok(swept) if swept.deleted + swept.failed > 0 => {
            tracing::info!(
                deleted = swept.deleted,
                failed = swept.failed,
                "trashed files swept"
            );
        }
        Ok(_) => {}
        Err(error) => tracing::warn!(%error, "sweeping trashed files failed; it runs again later"),
    }
}

/// How often deleted documents past retention are removed.
const RETENTION_INTERVAL: Duration = Duration::from_secs(24 * 3600);

fn purge_documents(jobs: &JobMetrics, documents: &domain::documents::DocumentService) {
    match jobs.record("document_retention", || documents.purge()) {
        Ok(purged) if purged.documents > 0 => tracing::info!(
            documents = purged.documents,
            files_left_to_the_sweeper = purged.failed,
            "deleted documents past retention removed"
        ),
        Ok(_) => {}
        Err(error) => {
            tracing::warn!(%error, "removing deleted documents failed; it runs again tomorrow")
        }
    }
}

/// How often expired revocations are forgotten.
const PURGE_INTERVAL: Duration = Duration::from_secs(3600);

/// Runs `job` every `interval` until `stop` is set, checking `stop` often so that shutdown is quick.
fn every(interval: Duration, stop: &AtomicBool, mut job: impl FnMut()) {
    let tick = Duration::from_millis(100).min(interval);
    let mut waited = Duration::ZERO;
    while !stop.load(Ordering::SeqCst) {
        std::thread::sleep(tick);
        waited += tick;
        if waited >= interval {
            waited = Duration::ZERO;
            job();
        }
    }
}

/// Runs `job` every `interval`, and also as soon as `now` is set (clearing it), until `stop` is
/// set.
fn every_or_woken(interval: Duration, stop: &AtomicBool, now: &AtomicBool, mut job: impl FnMut()) {
    let tick = Duration::from_millis(50).min(interval);
    let mut waited = Duration::ZERO;
    while !stop.load(Ordering::SeqCst) {
        std::thread::sleep(tick);
        waited += tick;
        if now.swap(false, Ordering::SeqCst) || waited >= interval {
            waited = Duration::ZERO;
            job();
        }
    }
}

/// The dispatcher's pause between rounds (at least 10 ms, so that it never spins).
fn config_poll(config: &Config) -> Duration {
    config.notify.poll.max(Duration::from_millis(10))
}

/// One wake of the dispatcher: rounds while they find full batches.
fn dispatch(jobs: &JobMetrics, dispatcher: &Dispatcher) {
    const ROUNDS_PER_WAKE: usize = 20;
    match jobs.record("notification_dispatch", || {
        dispatcher.run_until_idle(ROUNDS_PER_WAKE)
    }) {
        Ok(report) if report.claimed > 0 => tracing::info!(
            claimed = report.claimed,
            delivered = report.delivered,
            retried = report.retried,
            failed = report.failed,
            "notifications dispatched"
        ),
        Ok(_) => {}
        Err(e) => tracing::warn!(error = %e.chain(), "cannot claim notifications"),
    }
}

fn remind(jobs: &JobMetrics, cases: &CaseService) {
    match jobs.record("draft_reminders", || cases.process_draft_reminders()) {
        Ok(report) if report.eligible > 0 => {
            tracing::info!(
                eligible = report.eligible,
                notified = report.notified,
                "draft reminders"
            );
        }
        Ok(_) => {}
        Err(error) => tracing::warn!(%error, "draft reminders failed; they run again next time"),
    }
}

/// Expires the declaration requests nobody signed in time, then closes a block of the
/// declarations chain over the declarations signed since the last one.
fn declaration_jobs(jobs: &JobMetrics, expiry: &ExpiryService, store: &Store) {
    match jobs.record("declaration_request_expiry", || expiry.run()) {
        Ok(0) => {}
        Ok(expired) => tracing::info!(expired, "declaration requests expired"),
        Err(error) => {
            tracing::warn!(%error, "expiring declaration requests failed; it runs again later")
        }
    }
    let now = time::OffsetDateTime::now_utc();
    match jobs.record("declaration_chain_block", || {
        store.close_declaration_block(now)
    }) {
        Ok(Some(block)) => tracing::info!(
            block = block.block_number,
            declarations = block.declaration_count,
            "declarations chain block closed"
        ),
        Ok(None) => {}
        Err(error) => {
            tracing::warn!(%error, "closing a declarations chain block failed; it runs again later")
        }
    }
}

fn purge_revocations(jobs: &JobMetrics, store: &Store) {
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    match jobs.record("revocation_purge", || store.purge_expired_revocations(now)) {
        Ok(0) => {}
        Ok(purged) => tracing::info!(purged, "expired token revocations forgotten"),
        Err(error) => {
            tracing::warn!(%error, "purging expired revocations failed; it runs again later")
        }
    }
}

impl Platform {
    /// Serves HTTP on `listener` until the server is stopped.
    pub fn serve(
        &self,
        listener: TcpListener,
        config: &Config,
    ) -> anyhow::Result<actix_web::dev::Server> {
        let http = HttpConfig {
            workers: config.http_workers,
            blocking_threads: config.blocking_threads(),
            metrics_here: config.metrics_bind_addr.is_none(),
            viewer: crate::imaging::viewer_files(config)?,
            cors_origins: config.dicom.cors_origins.clone(),
            ..HttpConfig::default()
        };
        http_actix::build_server(listener, self.state.clone(), &http)
            .context("cannot start the HTTP server")
    }

    /// Serves `GET /metrics` alone on `listener` (`METRICS_BIND_ADDR`).
    pub fn serve_metrics(&self, listener: TcpListener) -> anyhow::Result<actix_web::dev::Server> {
        http_actix::build_metrics_server(listener, self.state.clone())
            .context("cannot start the metrics listener")
    }
}
