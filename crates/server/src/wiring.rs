//! Builds the domain services on the chosen adapters.

use std::net::TcpListener;
use std::sync::Arc;

use anyhow::Context;
use domain::identity::AuthService;
use domain::kernel::ids::UuidV7;
use domain::kernel::time::SystemClock;
use domain::second_opinion::CatalogueService;
use http_actix::{AppState, HttpConfig};
use store_diesel::Store;
use token::Codec;

use crate::config::Config;
use crate::keys;

/// Everything a subcommand may need, wired once.
#[derive(Clone)]
pub struct Platform {
    pub store: Store,
    pub state: AppState,
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
    let clock = Arc::new(SystemClock);
    let ids = Arc::new(UuidV7);
    let repo = Arc::new(store.clone());
    let state = AppState {
        auth: AuthService::new(
            Arc::new(Codec::new(ring)),
            repo.clone(),
            clock.clone(),
            ids.clone(),
        ),
        catalogue: CatalogueService::new(repo.clone(), clock, ids),
        readiness: repo,
    };
    Ok(Platform { store, state })
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
            ..HttpConfig::default()
        };
        http_actix::build_server(listener, self.state.clone(), &http)
            .context("cannot start the HTTP server")
    }
}
