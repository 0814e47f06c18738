//! The inputs of the create and update mutations, as GraphQL types. Each maps onto the
//! service layer's plain input, which validates it; references arrive as global ids.

mod correction;
mod instrument;
mod organization;
mod pact;
mod reaction;
mod source;
mod stakeholder;
mod withdrawal;

pub use correction::*;
pub use instrument::*;
pub use organization::*;
pub use pact::*;
pub use reaction::*;
pub use source::*;
pub use stakeholder::*;
pub use withdrawal::*;
