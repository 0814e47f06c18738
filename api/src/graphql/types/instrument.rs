use super::curated_object;
use crate::graphql::scalars::Date;
use entity::enums::*;
use entity::instrument;

/// The legal or official act behind a withdrawal.
pub struct Instrument(pub instrument::Model);

curated_object!(
    /// The legal or official act behind a withdrawal: an executive order, a presidential
    /// memorandum, a letter or a statement.
    Instrument, Instrument,
    children: [
    /// The withdrawals it made, earliest announced first.
    withdrawals: WithdrawalConnection = withdrawals_by_instrument, Withdrawal;
    /// Reactions to the act as a whole, earliest first.
    reactions: ReactionConnection = reactions_by_instrument, Reaction;
    ],
    {
    /// The form of the act.
    async fn kind(&self) -> InstrumentKind {
        self.0.kind
    }
    /// Its official number, such as "14199" for an executive order.
    async fn number(&self) -> Option<&str> {
        self.0.number.as_deref()
    }
    /// Its official title.
    async fn title(&self) -> &str {
        &self.0.title
    }
    /// When it was signed or issued.
    async fn signed_on(&self) -> Date {
        self.0.signed_on.into()
    }
    /// When it was published, for example in the Federal Register.
    async fn published_on(&self) -> Option<Date> {
        self.0.published_on.map(Date)
    }
    /// Its Federal Register citation, such as "90 FR 9275".
    async fn federal_register_citation(&self) -> Option<&str> {
        self.0.federal_register_citation.as_deref()
    }
    /// Where its text can be read.
    async fn url(&self) -> Option<&str> {
        self.0.url.as_deref()
    }
    /// What it does, in our words.
    async fn summary(&self) -> &str {
        &self.0.summary
    }
});
