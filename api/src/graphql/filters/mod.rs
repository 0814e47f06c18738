//! The list filters and orderings, as GraphQL types. Each maps onto the service layer's
//! plain filter or ordering, which turns it into SQL; ids arrive as global ids.

mod corrections;
mod instruments;
mod organizations;
mod pacts;
mod reactions;
mod sources;
mod stakeholders;
mod withdrawals;

pub use corrections::*;
pub use instruments::*;
pub use organizations::*;
pub use pacts::*;
pub use reactions::*;
pub use sources::*;
pub use stakeholders::*;
pub use withdrawals::*;
