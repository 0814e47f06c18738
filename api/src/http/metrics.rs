//! What `/metrics` serves, in the Prometheus text format: requests by operation and outcome,
//! latency histograms, websocket connections and subscriptions, the database pool, rate-limit
//! rejections and SQL statements.

use prometheus::{
    HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge, IntGaugeVec, Opts, Registry,
    TextEncoder,
};
use std::collections::HashSet;
use std::sync::Mutex;
use std::time::Duration;

/// Operation names are chosen by clients; past this many distinct names, new ones are counted
/// as "other" so that a client cannot blow up the number of time series.
const MAX_OPERATION_LABELS: usize = 200;

/// The service's metrics, registered in their own registry.
pub struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    latency: HistogramVec,
    rate_limited: IntCounterVec,
    websockets: IntGauge,
    websocket_operations: IntCounterVec,
    sse_streams: IntCounter,
    subscriptions: IntGauge,
    pool: IntGaugeVec,
    statements: IntCounter,
    planner_answers: IntCounter,
    webhook_deliveries: IntCounterVec,
    webhook_lag: IntGaugeVec,
    operations: Mutex<HashSet<String>>,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    pub fn new() -> Self {
        let registry = Registry::new();
        let requests = IntCounterVec::new(
            Opts::new(
                "exodus_graphql_requests_total",
                "GraphQL requests by operation (type and first root field) and outcome",
            ),
            &["operation", "outcome"],
        )
        .expect("valid metric");
        let latency = HistogramVec::new(
            HistogramOpts::new(
                "exodus_graphql_request_duration_seconds",
                "Time from a GraphQL request's arrival to its response, by operation",
            )
            .buckets(vec![
                0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
            ]),
            &["operation"],
        )
        .expect("valid metric");
        let rate_limited = IntCounterVec::new(
            Opts::new(
                "exodus_rate_limited_total",
                "Requests refused with 429, by who was limited",
            ),
            &["scope"],
        )
        .expect("valid metric");
        let websockets = IntGauge::new(
            "exodus_websocket_connections",
            "Open GraphQL websocket connections",
        )
        .expect("valid metric");
        let websocket_operations = IntCounterVec::new(
            Opts::new(
                "exodus_websocket_operations_total",
                "Operations sent over websockets, by outcome (started, rate_limited, too_many, refused)",
            ),
            &["outcome"],
        )
        .expect("valid metric");
        let sse_streams = IntCounter::new(
            "exodus_sse_streams_total",
            "Operations run over Server-Sent Events (graphql-sse)",
        )
        .expect("valid metric");
        let subscriptions = IntGauge::new(
            "exodus_active_subscriptions",
            "Subscriptions currently waiting for changes",
        )
        .expect("valid metric");
        let pool = IntGaugeVec::new(
            Opts::new(
                "exodus_db_pool_connections",
                "Database pool connections by state (idle, in_use, max)",
            ),
            &["state"],
        )
        .expect("valid metric");
        let statements = IntCounter::new(
            "exodus_db_statements_total",
            "SQL statements sent to the database",
        )
        .expect("valid metric");
        let planner_answers = IntCounter::new(
            "exodus_planner_answers_total",
            "List and record fields the planner answered from rows (the rest went through the executor)",
        )
        .expect("valid metric");
        let webhook_deliveries = IntCounterVec::new(
            Opts::new(
                "exodus_webhook_deliveries_total",
                "Webhook delivery attempts by outcome (delivered, failed; paused counts endpoints paused)",
            ),
            &["outcome"],
        )
        .expect("valid metric");
        let webhook_lag = IntGaugeVec::new(
            Opts::new(
                "exodus_webhook_lag_revisions",
                "Revisions of the log an endpoint has not been brought past yet (head - cursor)",
            ),
            &["endpoint"],
        )
        .expect("valid metric");
        for metric in [
            Box::new(requests.clone()) as Box<dyn prometheus::core::Collector>,
            Box::new(latency.clone()),
            Box::new(rate_limited.clone()),
            Box::new(websockets.clone()),
            Box::new(websocket_operations.clone()),
            Box::new(sse_streams.clone()),
            Box::new(subscriptions.clone()),
            Box::new(pool.clone()),
            Box::new(statements.clone()),
            Box::new(planner_answers.clone()),
            Box::new(webhook_deliveries.clone()),
            Box::new(webhook_lag.clone()),
        ] {
            registry.register(metric).expect("metric names are unique");
        }
        Self {
            registry,
            requests,
            latency,
            rate_limited,
            websockets,
            websocket_operations,
            sse_streams,
            subscriptions,
            pool,
            statements,
            planner_answers,
            webhook_deliveries,
            webhook_lag,
            operations: Mutex::new(HashSet::new()),
        }
    }

    /// Counts one GraphQL request and its latency.
    pub fn observe(&self, operation: Option<&str>, outcome: &str, elapsed: Duration) {
        let operation = self.operation_label(operation);
        self.requests
            .with_label_values(&[operation.as_str(), outcome])
            .inc();
        self.latency
            .with_label_values(&[operation.as_str()])
            .observe(elapsed.as_secs_f64());
    }

    /// Counts a 429; `scope` is "address", "editor" or "login".
    pub fn rate_limited(&self, scope: &str) {
        self.rate_limited.with_label_values(&[scope]).inc();
    }

    /// A websocket connection opened (+1) or closed (-1).
    pub fn websocket(&self, delta: i64) {
        self.websockets.add(delta);
    }

    /// An operation started over Server-Sent Events.
    pub fn sse_stream(&self) {
        self.sse_streams.inc();
    }

    /// An operation sent over a websocket: started, or refused and why.
    pub fn websocket_operation(&self, outcome: &'static str) {
        self.websocket_operations
            .with_label_values(&[outcome])
            .inc();
    }

    /// Brings the planner's counter up to its answers so far (read from the schema at scrape).
    pub fn planner_answers(&self, total: u64) {
        let counted = self.planner_answers.get();
        if total > counted {
            self.planner_answers.inc_by(total - counted);
        }
    }

    /// A webhook delivery attempt's outcome ("delivered", "failed"), or "paused".
    pub fn webhook_delivery(&self, outcome: &'static str) {
        self.webhook_deliveries.with_label_values(&[outcome]).inc();
    }

    /// Each endpoint's lag, read now: (endpoint id, head - cursor). Endpoints deleted since
    /// the last scrape disappear.
    pub fn webhook_lags(&self, lags: &[(i64, i64)]) {
        self.webhook_lag.reset();
        for (id, lag) in lags {
            self.webhook_lag
                .with_label_values(&[id.to_string().as_str()])
                .set(*lag);
        }
    }

    /// A bounded, printable label for an operation (see `execute::root_label`); "-" when
    /// none ran (the request was refused before).
    fn operation_label(&self, name: Option<&str>) -> String {
        let Some(name) = name.filter(|n| !n.is_empty()) else {
            return "-".to_owned();
        };
        let valid = name.len() <= 80
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.');
        if !valid {
            return "other".to_owned();
        }
        let mut seen = self.operations.lock().unwrap_or_else(|e| e.into_inner());
        if seen.contains(name) || seen.len() < MAX_OPERATION_LABELS {
            seen.insert(name.to_owned());
            name.to_owned()
        } else {
            "other".to_owned()
        }
    }

    /// The text exposition, with the gauges read now: open subscriptions, the pool, and the
    /// SQL statements sent so far. (They are handed in rather than read from `AppState`, which
    /// holds these metrics: the two modules would import each other.)
    pub fn render(
        &self,
        subscribers: usize,
        pools: &[sea_orm::DatabaseConnection],
        statements: &crate::db::StatementCounter,
    ) -> String {
        self.subscriptions.set(subscribers as i64);
        let (size, idle, max) = pools
            .iter()
            .map(pool_stats)
            .fold((0, 0, 0), |a, b| (a.0 + b.0, a.1 + b.1, a.2 + b.2));
        self.pool.with_label_values(&["idle"]).set(idle);
        self.pool.with_label_values(&["in_use"]).set(size - idle);
        self.pool.with_label_values(&["max"]).set(max);
        let sent = statements.get();
        let counted = self.statements.get();
        if sent > counted {
            self.statements.inc_by(sent - counted);
        }
        TextEncoder::new()
            .encode_to_string(&self.registry.gather())
            .unwrap_or_default()
    }
}

/// Open, idle and maximum connections of one pool (the gauges add up every pool's).
fn pool_stats(db: &sea_orm::DatabaseConnection) -> (i64, i64, i64) {
    match db.get_database_backend() {
        sea_orm::DbBackend::Postgres => {
            let pool = db.get_postgres_connection_pool();
            (
                pool.size() as i64,
                pool.num_idle() as i64,
                pool.options().get_max_connections() as i64,
            )
        }
        _ => {
            let pool = db.get_sqlite_connection_pool();
            (
                pool.size() as i64,
                pool.num_idle() as i64,
                pool.options().get_max_connections() as i64,
            )
        }
    }
}
