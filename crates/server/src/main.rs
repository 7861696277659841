//! `server`: run the platform, manage its database, issue tokens, load demo data.

use std::net::TcpListener;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, bail};
use clap::{Parser, Subcommand};
use domain::identity::{Audience, IssueRequest, Role};
use server::config::Config;
use server::{Background, keys, open, seed};

#[derive(Parser)]
#[command(name = "server", version, about = "Medical care platform server")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the HTTP API on BIND_ADDR.
    Serve,
    /// Manage the database schema.
    Migrate {
        #[command(subcommand)]
        action: MigrateAction,
    },
    /// Issue or manage tokens.
    Token {
        #[command(subcommand)]
        action: TokenAction,
    },
    /// Remove deleted clinic documents past DOCUMENT_RETENTION_DAYS now (the server does it daily).
    PurgeDocuments,
    /// Load a small bilingual demo catalogue, the demo doctors, the demo eHealth registry and
    /// the demo clinic staff (idempotent).
    SeedDemo,
    /// Clinic staff accounts.
    Staff {
        #[command(subcommand)]
        action: StaffAction,
    },
    /// The eHealth registry: import it, verify the declarations chain.
    Registry {
        #[command(subcommand)]
        action: RegistryAction,
    },
    /// Add bulk review cases for load tests, a sixth in each status from draft to completed, those
    /// past review with their coordinator's and specialists' assignments (after the demo catalogue
    /// and doctors, which it loads too).
    SeedLoad {
        /// Cases in all.
        #[arg(long, default_value_t = 100_000)]
        cases: usize,
        /// The user who owns the first `--user-cases` cases.
        #[arg(long, default_value = "load-user-0")]
        user: String,
        /// Cases per user.
        #[arg(long, default_value_t = 1_000)]
        user_cases: usize,
        /// The provider who coordinates the first `--provider-cases` cases past review, the rest
        /// going to load-coordinator-N in groups as large; without it, EMP1 and EMP2 take turns.
        #[arg(long)]
        provider: Option<String>,
        /// Cases past review per coordinator, with `--provider`.
        #[arg(long, default_value_t = 1_000)]
        provider_cases: usize,
        /// Clinic patients to add (with mixed Latin and Arabic names), after the demo staff.
        #[arg(long, default_value_t = 0)]
        patients: usize,
        /// Clinic appointments to add, over those patients, the demo doctors `doctor` and
        /// `doctor2`, and two years of days; prints a line of their totals (`clinic facts:`).
        #[arg(long, default_value_t = 0)]
        appointments: usize,
    },
}

#[derive(Subcommand)]
enum RegistryAction {
    /// Upsert a registry file (legal entities, divisions, employees, persons, declarations), all
    /// or nothing; importing the same file again changes nothing.
    Import {
        /// A JSON file in the format of docs/declarations.md.
        file: std::path::PathBuf,
    },
    /// Recompute every closed block of the declarations chain; name the first broken one.
    VerifyChain,
}

#[derive(Subcommand)]
enum StaffAction {
    /// Create an account (the first admin, say); the password is read from standard input (one
    /// line). Prints the new account's id.
    Create {
        /// 3 to 64 letters, digits, `.`, `_` or `-`.
        #[arg(long)]
        username: String,
        #[arg(long)]
        name: String,
        #[arg(long)]
        name_ar: Option<String>,
        /// Comma-separated clinic roles: admin, doctor, technician, receptionist.
        #[arg(long, value_delimiter = ',', required = true)]
        roles: Vec<String>,
        /// The second-opinion provider this account also is (EMP3).
        #[arg(long)]
        provider_id: Option<String>,
    },
}

#[derive(Subcommand)]
enum MigrateAction {
    /// Apply every pending migration.
    Run,
    /// Revert the most recent migration.
    Revert,
    /// List migrations and whether each is applied.
    Status,
}

#[derive(Subcommand)]
enum TokenAction {
    /// Print a new token on stdout.
    Issue {
        /// snr_usr, snr_pro, snr_admin, clinic or ehealth.
        #[arg(long)]
        aud: String,
        /// The user's, doctor's or staff member's id.
        #[arg(long)]
        sub: String,
        /// Comma-separated roles: admin, coordinator, doctor, technician, receptionist.
        #[arg(long, value_delimiter = ',')]
        roles: Vec<String>,
        /// Space-separated scopes, e.g. "declaration_request:approve".
        #[arg(long)]
        scope: Option<String>,
        /// The caller's legal entity (eHealth tokens): the `client_id` claim.
        #[arg(long)]
        client_id: Option<String>,
        /// Lifetime: 3600, 90s, 15m, 12h or 30d.
        #[arg(long, default_value = "24h")]
        ttl: String,
    },
    /// Add a new current key to the key ring file in DATA_DIR; older tokens stay valid.
    RotateKeys,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let config = match Config::from_env() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e:#}");
            return ExitCode::from(2);
        }
    };
    init_logs(&config);
    match run(cli.command, &config) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("{e:#}");
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn init_logs(config: &Config) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if config.log_json {
        builder.json().init();
    } else {
        builder.init();
    }
}

fn run(command: Command, config: &Config) -> anyhow::Result<()> {
    match command {
        Command::Serve => serve(config),
        Command::Migrate { action } => migrate(action, config),
        Command::Registry { action } => registry(action, config),
        Command::Staff {
            action:
                StaffAction::Create {
                    username,
                    name,
                    name_ar,
                    roles,
                    provider_id,
                },
        } => {
            let platform = open(config)?;
            let mut password = String::new();
            std::io::stdin()
                .read_line(&mut password)
                .context("cannot read the password from standard input")?;
            // The line's end is not part of the password.
            let password = password.trim_end_matches(['\r', '\n']);
            let input = domain::clinic::NewStaff {
                username,
                password: domain::clinic::Password::given(password),
                name,
                name_ar,
                roles: roles.into_iter().filter(|r| !r.trim().is_empty()).collect(),
                provider_id,
            };
            let account = platform
                .state
                .clinic
                .staff
                .create_account(input)
                .map_err(|e| {
                    anyhow::anyhow!("the account was not created: {}", platform.describe(&e))
                })?;
            println!("{}", account.id);
            Ok(())
        }
        Command::Token {
            action: TokenAction::RotateKeys,
        } => {
            let ring = keys::rotate(config)?;
            println!("key ring rotated: current key id {}", ring.current_id());
            Ok(())
        }
        Command::Token {
            action:
                TokenAction::Issue {
                    aud,
                    sub,
                    roles,
                    scope,
                    client_id,
                    ttl,
                },
        } => {
            let platform = open(config)?;
            let explain = |e: domain::Error| anyhow::anyhow!("{}", platform.describe(&e));
            let audience = Audience::parse(&aud)
                .map_err(|e| anyhow::anyhow!("--aud: {}", platform.describe(&e)))?;
            let roles = roles
                .iter()
                .filter(|r| !r.trim().is_empty())
                .map(|r| Role::parse(r))
                .collect::<Result<Vec<_>, _>>()
                .map_err(explain)?;
            let request = IssueRequest {
                audience,
                subject: sub,
                roles,
                scope,
                client_id,
                ttl: parse_ttl(&ttl)?,
            };
            let token = platform.state.auth.issue(&request).map_err(explain)?;
            println!("{token}");
            Ok(())
        }
        Command::SeedLoad {
            cases,
            user,
            user_cases,
            provider,
            provider_cases,
            patients,
            appointments,
        } => {
            let platform = open(config)?;
            seed::seed_demo(&platform.state.catalogue)
                .map_err(|e| anyhow::anyhow!("{}", platform.describe(&e)))?;
            seed::seed_providers(&platform.state.providers)
                .map_err(|e| anyhow::anyhow!("{}", platform.describe(&e)))?;
            if patients > 0 {
                seed::seed_staff(&platform.state.clinic.staff)
                    .map_err(|e| anyhow::anyhow!("{}", platform.describe(&e)))?;
                let plan = server::clinic_load::ClinicPlan {
                    patients,
                    appointments,
                };
                let started = std::time::Instant::now();
                let facts = server::clinic_load::seed_clinic(&platform.store, &plan)?;
                println!(
                    "clinic load data: {} patients and {} appointments in {:.1} s",
                    facts.patients,
                    facts.appointments,
                    started.elapsed().as_secs_f64()
                );
                println!("{facts}");
            }
            if cases == 0 {
                return Ok(());
            }
            let plan = server::load::LoadPlan {
                total: cases,
                user,
                per_user: user_cases,
                provider,
                provider_cases,
            };
            let started = std::time::Instant::now();
            let loaded = server::load::seed_cases(&platform.store, &plan)?;
            println!(
                "load data: {} cases and {} assignments in {:.1} s",
                loaded.cases,
                loaded.assignments,
                started.elapsed().as_secs_f64()
            );
            Ok(())
        }
        Command::PurgeDocuments => {
            let platform = open(config)?;
            let purged = platform
                .state
                .documents
                .purge()
                .map_err(|e| anyhow::anyhow!("{}", platform.describe(&e)))?;
            println!(
                "deleted documents removed: {} ({} files left to the sweeper)",
                purged.documents, purged.failed
            );
            Ok(())
        }
        Command::SeedDemo => {
            let platform = open(config)?;
            let report = seed::seed_demo(&platform.state.catalogue)
                .map_err(|e| anyhow::anyhow!("{}", platform.describe(&e)))?;
            let doctors = seed::seed_providers(&platform.state.providers)
                .map_err(|e| anyhow::anyhow!("{}", platform.describe(&e)))?;
            println!(
                "demo catalogue: {} created, {} already present",
                report.created, report.existing
            );
            println!(
                "demo doctors: {} created, {} already present (EMP1 and EMP2 coordinate every category; EMP3 to EMP18 are two specialists per category)",
                doctors.created, doctors.existing
            );
            let demo = server::registry::read(server::registry::DEMO_REGISTRY)?;
            let imported = server::registry::import(&platform.store, &demo)
                .map_err(|e| anyhow::anyhow!("{}", platform.describe(&e)))?;
            println!(
                "demo eHealth registry: {} created, {} updated (legal entity 0193a1c0-0000-7000-8000-00000000e001)",
                imported.created(),
                imported.updated()
            );
            let staff = seed::seed_staff(&platform.state.clinic.staff)
                .map_err(|e| anyhow::anyhow!("{}", platform.describe(&e)))?;
            let password = seed::DEMO_STAFF_PASSWORD;
            println!(
                "demo clinic staff: {} created, {} already present (admin, doctor, doctor2, technician, receptionist; password {password})",
                staff.created, staff.existing
            );
            println!(
                "sign in: POST /api/auth/login {{\"username\": \"admin\", \"password\": \"{password}\"}}; doctor is provider EMP3 (add \"audience\": \"snr_pro\" for a /pro token)"
            );
            Ok(())
        }
    }
}

fn serve(config: &Config) -> anyhow::Result<()> {
    let platform = open(config)?;
    let listener = TcpListener::bind(&config.bind_addr)
        .with_context(|| format!("cannot listen on {}", config.bind_addr))?;
    tracing::info!(
        addr = %config.bind_addr,
        database = %config.database_for_log(),
        backend = ?platform.store.backend(),
        "serving; API docs at /docs"
    );
    let metrics = match &config.metrics_bind_addr {
        Some(addr) => {
            let listener = TcpListener::bind(addr)
                .with_context(|| format!("cannot listen on {addr} (METRICS_BIND_ADDR)"))?;
            tracing::info!(%addr, "metrics at /metrics");
            Some(platform.serve_metrics(listener)?)
        }
        None => None,
    };
    let background = Background::start(&platform, config)?;
    // The DICOM listener runs on its own threads and stops when this goes out of scope.
    let _dicom = server::imaging::listen(
        &platform.imaging,
        platform.state.translator.clone(),
        &config.dicom,
    )?;
    let server = platform.serve(listener, config)?;
    let served = actix_web::rt::System::new().block_on(async move {
        match metrics {
            // The metrics listener stops with the main one.
            Some(metrics) => {
                let handle = metrics.handle();
                let metrics = actix_web::rt::spawn(metrics);
                let served = server.await;
                handle.stop(true).await;
                let _ = metrics.await;
                served
            }
            None => server.await,
        }
    });
    background.stop();
    served.context("server stopped with an error")
}

fn registry(action: RegistryAction, config: &Config) -> anyhow::Result<()> {
    let platform = open(config)?;
    match action {
        RegistryAction::Import { file } => {
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("cannot read {}", file.display()))?;
            let registry = server::registry::read(&text)
                .with_context(|| format!("{} is not a registry file", file.display()))?;
            let imported = server::registry::import(&platform.store, &registry).map_err(|e| {
                anyhow::anyhow!("the registry was not imported: {}", platform.describe(&e))
            })?;
            for (what, counts) in [
                ("legal_entities", imported.legal_entities),
                ("divisions", imported.divisions),
                ("employees", imported.employees),
                ("persons", imported.persons),
                ("declarations", imported.declarations),
            ] {
                println!(
                    "{what}: {} created, {} updated",
                    counts.created, counts.updated
                );
            }
            Ok(())
        }
        RegistryAction::VerifyChain => {
            let verified = platform
                .store
                .verify_declaration_chain()
                .map_err(|e| anyhow::anyhow!("{}", platform.describe(&e)))?;
            match verified.broken {
                None => {
                    println!(
                        "declarations chain intact: {} blocks",
                        verified.intact_blocks
                    );
                    Ok(())
                }
                Some(broken) => bail!(
                    "declarations chain broken at block {} ({:?}); {} blocks before it are intact",
                    broken.block_number,
                    broken.reason,
                    verified.intact_blocks
                ),
            }
        }
    }
}

fn migrate(action: MigrateAction, config: &Config) -> anyhow::Result<()> {
    // `open` runs pending migrations; `migrate` works on the bare store so `revert` and `status`
    // see the schema as it is.
    let store = store_diesel::Store::connect(config.database_url.expose(), 1)
        .with_context(|| format!("cannot open the database at {}", config.database_for_log()))?;
    match action {
        MigrateAction::Run => {
            let applied = store.run_migrations()?;
            if applied.is_empty() {
                println!("nothing to apply: the schema is up to date");
            }
            for name in applied {
                println!("applied {name}");
            }
        }
        MigrateAction::Revert => match store.revert_last_migration()? {
            Some(name) => println!("reverted {name}"),
            None => println!("nothing to revert"),
        },
        MigrateAction::Status => {
            for m in store.migration_status()? {
                println!(
                    "{} {}",
                    if m.applied { "[applied]" } else { "[pending]" },
                    m.name
                );
            }
        }
    }
    Ok(())
}

/// `3600`, `90s`, `15m`, `12h`, `30d`.
fn parse_ttl(raw: &str) -> anyhow::Result<Duration> {
    let raw = raw.trim();
    let (digits, unit) = match raw.char_indices().find(|(_, c)| !c.is_ascii_digit()) {
        Some((i, _)) => raw.split_at(i),
        None => (raw, "s"),
    };
    let n: u64 = digits
        .parse()
        .with_context(|| format!("--ttl {raw:?}: expected e.g. 3600, 90s, 15m, 12h, 30d"))?;
    let seconds = match unit {
        "s" => n,
        "m" => n * 60,
        "h" => n * 3600,
        "d" => n * 86_400,
        _ => bail!("--ttl {raw:?}: the unit must be s, m, h or d"),
    };
    Ok(Duration::from_secs(seconds))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ttl_forms() {
        assert_eq!(parse_ttl("3600").ok(), Some(Duration::from_secs(3600)));
        assert_eq!(parse_ttl("90s").ok(), Some(Duration::from_secs(90)));
        assert_eq!(parse_ttl("15m").ok(), Some(Duration::from_secs(900)));
        assert_eq!(parse_ttl("2h").ok(), Some(Duration::from_secs(7200)));
        assert_eq!(parse_ttl("30d").ok(), Some(Duration::from_secs(2_592_000)));
        assert!(parse_ttl("1w").is_err());
        assert!(parse_ttl("abc").is_err());
    }
}
