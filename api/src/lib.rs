//! Exodus: a GraphQL API tracking how the United States left international organizations.

pub mod auth;
pub mod cli;
pub mod config;
pub mod db;
pub mod error;
pub mod events;
pub mod graphql;
pub mod http;
pub mod loaders;
pub mod seed;
pub mod service;
pub mod webhooks;
