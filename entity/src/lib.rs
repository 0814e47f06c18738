//! sea-orm entities and enums of Exodus; no business logic lives here.

pub mod correction;
pub mod correction_subject;
pub mod editor;
pub mod enums;
pub mod instrument;
pub mod organization;
pub mod organization_category;
pub mod pact;
pub mod pact_party;
pub mod pact_replacement;
pub mod pact_status_change;
pub mod pact_topic;
pub mod reaction;
pub mod revision;
pub mod source;
pub mod source_link;
pub mod stakeholder;
pub mod webhook_delivery;
pub mod webhook_endpoint;
pub mod withdrawal;
