//! Integration tests: the real app over real HTTP against a fresh database per test, on
//! SQLite and on PostgreSQL.

mod atom;
mod auth;
mod browser;
mod cache;
mod canary;
mod confidence;
mod dataset;
mod edits;
mod export;
mod hardening;
mod hostile;
mod http;
mod idp;
mod lifecycle;
mod limits;
mod lists;
mod live;
mod migrations;
mod planner;
mod queries;
mod schema;
mod search;
mod sessions;
mod sse;
mod stats;
mod sweep;
mod visibility;
mod webhooks;
