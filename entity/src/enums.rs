//! Enumerations shared by the entities, the GraphQL schema and the seed file.
//!
//! Each is stored as its SCREAMING_SNAKE_CASE name in a short text column, so the same
//! migrations serve PostgreSQL and SQLite, and the stored value equals the GraphQL value.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// Declares an enum stored as text, exposed as a GraphQL enum and read from the seed file.
macro_rules! db_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $value:literal,)+ }) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum,
            Serialize, Deserialize, async_graphql::Enum,
        )]
        #[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
        #[serde(rename_all = "SCREAMING_SNAKE_CASE")]
        #[graphql(rename_items = "SCREAMING_SNAKE_CASE")]
        pub enum $name {
            $($(#[$vmeta])* #[sea_orm(string_value = $value)] $variant,)+
        }

        impl $name {
            /// The stored (and GraphQL) name of the value.
            pub fn as_str(&self) -> &'static str {
                match self { $(Self::$variant => $value,)+ }
            }
        }
    };
}

db_enum! {
    /// Where a curated record is in the editorial workflow.
    RecordStatus {
        /// Being prepared; visible to editors only.
        Draft = "DRAFT",
        /// Visible to everyone.
        Published = "PUBLISHED",
        /// Withdrawn from public view; kept with its history.
        Archived = "ARCHIVED",
    }
}

db_enum! {
    /// How well a record is supported by its sources.
    Confidence {
        /// Confirmed by at least two independent sources or a primary text.
        Confirmed = "CONFIRMED",
        /// Supported by a single secondary source.
        SingleSource = "SINGLE_SOURCE",
        /// Reported but not confirmed.
        Unconfirmed = "UNCONFIRMED",
    }
}

db_enum! {
    /// What kind of publisher a source comes from: what the confidence rule weighs.
    PublisherKind {
        /// An official or primary text: the act itself, a government's or an
        /// intergovernmental body's own publication, or a party's own statement.
        Official = "OFFICIAL",
        /// A news outlet or wire service.
        News = "NEWS",
        /// A civil-society or advocacy organization writing about others.
        Ngo = "NGO",
        /// Analysis or commentary: law firms, think tanks, blogs, aggregators.
        Analysis = "ANALYSIS",
    }
}

impl Default for PublisherKind {
    /// What sources written before the kind existed are read as: news, the kind that
    /// confirms least on its own.
    fn default() -> Self {
        Self::News
    }
}

db_enum! {
    /// What kind of international body an organization is.
    OrganizationKind {
        /// A UN body, office, fund, programme or convention secretariat.
        UnEntity = "UN_ENTITY",
        /// An intergovernmental organization outside the UN system.
        Intergovernmental = "INTERGOVERNMENTAL",
        /// A body whose members include governments, companies and civil society.
        Multistakeholder = "MULTISTAKEHOLDER",
        /// A compact, fund or partnership rather than a standing organization.
        Partnership = "PARTNERSHIP",
        /// Anything else.
        Other = "OTHER",
    }
}

db_enum! {
    /// How closely an organization's mandate touches the internet and digital policy.
    DigitalRelevance {
        /// Its mandate is internet freedom, internet governance or cyber security.
        Core = "CORE",
        /// Part of its work touches digital or cyber matters.
        Adjacent = "ADJACENT",
        /// Not a digital body.
        None = "NONE",
    }
}

db_enum! {
    /// The part of the 7 January 2026 memorandum's list an organization appears in.
    ListSection {
        /// Section 2(a): organizations outside the UN.
        NonUn = "NON_UN",
        /// Section 2(b): UN entities.
        Un = "UN",
    }
}

db_enum! {
    /// The form of a legal or official act.
    InstrumentKind {
        /// A presidential executive order.
        ExecutiveOrder = "EXECUTIVE_ORDER",
        /// A presidential memorandum.
        PresidentialMemorandum = "PRESIDENTIAL_MEMORANDUM",
        /// A formal letter, such as a notice of withdrawal.
        Letter = "LETTER",
        /// An official statement or announcement.
        Statement = "STATEMENT",
        /// A White House or department fact sheet.
        FactSheet = "FACT_SHEET",
        /// A formal notice, for example in the Federal Register.
        Notice = "NOTICE",
    }
}

db_enum! {
    /// How far a withdrawal has gone.
    WithdrawalStatus {
        /// Announced, with no formal notice known yet.
        Announced = "ANNOUNCED",
        /// Formal notice given to the body.
        NoticeGiven = "NOTICE_GIVEN",
        /// The United States is out.
        Effective = "EFFECTIVE",
        /// The withdrawal was reversed.
        Reversed = "REVERSED",
    }
}

db_enum! {
    /// What kind of actor a stakeholder is.
    StakeholderKind {
        /// A government, ministry or head of state or government.
        Government = "GOVERNMENT",
        /// A member of a legislature.
        Legislator = "LEGISLATOR",
        /// A digital-rights or press-freedom group.
        DigitalRightsGroup = "DIGITAL_RIGHTS_GROUP",
        /// A company or industry association.
        Industry = "INDUSTRY",
        /// A think tank or policy institute.
        ThinkTank = "THINK_TANK",
        /// A body the United States left.
        AffectedBody = "AFFECTED_BODY",
        /// A researcher or university.
        Academic = "ACADEMIC",
        /// An international organization that is not itself affected.
        InternationalOrganization = "INTERNATIONAL_ORGANIZATION",
        /// Another civil-society or advocacy group.
        CivilSociety = "CIVIL_SOCIETY",
        /// A person speaking for themselves.
        Individual = "INDIVIDUAL",
        /// A news outlet.
        Media = "MEDIA",
    }
}

db_enum! {
    /// A stakeholder's position on what it reacted to.
    Stance {
        /// In favour.
        Support = "SUPPORT",
        /// Against.
        Oppose = "OPPOSE",
        /// Partly for and partly against.
        Mixed = "MIXED",
        /// Neither, including regret without opposition.
        Neutral = "NEUTRAL",
    }
}

db_enum! {
    /// What a reaction responds to.
    SubjectKind {
        /// A single withdrawal.
        Withdrawal = "WITHDRAWAL",
        /// An instrument as a whole.
        Instrument = "INSTRUMENT",
        /// A pact.
        Pact = "PACT",
    }
}

db_enum! {
    /// How many parties a pact has.
    PactKind {
        /// Two governments.
        Bilateral = "BILATERAL",
        /// Several governments.
        Plurilateral = "PLURILATERAL",
        /// Companies or other non-state parties.
        PrivateAlliance = "PRIVATE_ALLIANCE",
    }
}

db_enum! {
    /// Where a pact stands.
    PactStatus {
        /// Proposed, not yet negotiated.
        Proposed = "PROPOSED",
        /// Under negotiation.
        Negotiating = "NEGOTIATING",
        /// Signed.
        Signed = "SIGNED",
        /// In force.
        InForce = "IN_FORCE",
        /// Implementation paused.
        Paused = "PAUSED",
        /// Abandoned.
        Abandoned = "ABANDONED",
    }
}

db_enum! {
    /// A party's role in a pact.
    PartyRole {
        /// The party that leads or convened it.
        Lead = "LEAD",
        /// Signed at the founding.
        FoundingSignatory = "FOUNDING_SIGNATORY",
        /// Signed later.
        Signatory = "SIGNATORY",
        /// Attends without signing.
        Observer = "OBSERVER",
    }
}

db_enum! {
    /// What the record says about a claim in circulation.
    Verdict {
        /// The record contradicts the claim.
        False = "FALSE",
        /// The claim has a true core but leads readers to a wrong conclusion.
        Misleading = "MISLEADING",
        /// Nothing in the record supports the claim.
        Unsupported = "UNSUPPORTED",
        /// The record bears the claim out.
        Accurate = "ACCURATE",
    }
}

db_enum! {
    /// The kinds of curated record.
    RecordKind {
        /// An organization.
        Organization = "ORGANIZATION",
        /// An instrument.
        Instrument = "INSTRUMENT",
        /// A withdrawal.
        Withdrawal = "WITHDRAWAL",
        /// A stakeholder.
        Stakeholder = "STAKEHOLDER",
        /// A reaction.
        Reaction = "REACTION",
        /// A pact.
        Pact = "PACT",
        /// A source.
        Source = "SOURCE",
        /// A correction.
        Correction = "CORRECTION",
    }
}

db_enum! {
    /// An editor's permissions.
    EditorRole {
        /// Curates records.
        Editor = "EDITOR",
        /// Curates records and manages editors.
        Admin = "ADMIN",
    }
}

db_enum! {
    /// What a revision did to its record.
    RevisionAction {
        /// The record was created.
        Create = "CREATE",
        /// Its fields were changed.
        Update = "UPDATE",
        /// It was published.
        Publish = "PUBLISH",
        /// It was archived.
        Archive = "ARCHIVE",
        /// It was restored to an earlier revision.
        Revert = "REVERT",
    }
}
