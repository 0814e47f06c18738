//! The mutation root: sign-in, curation and editor management. Each write runs in one
//! transaction with the revision it produces; resolvers only unpack arguments and wrap results.

use crate::error::{AppError, AppResult};
use crate::graphql::context::data;
use crate::graphql::inputs::*;
use crate::graphql::types::*;
use crate::service::curated::for_kind;
use crate::service::editing::{self, require_admin, require_editor};
use crate::service::inputs::{create_record, update_record};
use crate::service::{editors, history, ids};
use async_graphql::{Context, InputObject, MergedObject, Object, Result, SimpleObject, ID};
use entity::enums::*;

use sea_orm::{DatabaseTransaction, TransactionTrait};
use std::future::Future;

/// Every way to change Exodus.
#[derive(MergedObject, Default)]
pub struct Mutation(
    AccountMutation,
    RecordMutation,
    EditMutation,
    crate::graphql::webhooks::WebhookMutation,
);

/// Runs `work` in a transaction that commits only when it succeeds.
async fn in_transaction<T, F, Fut>(ctx: &Context<'_>, work: F) -> AppResult<T>
where
    F: FnOnce(DatabaseTransaction) -> Fut,
    Fut: Future<Output = (DatabaseTransaction, AppResult<T>)>,
{
    let tx = data(ctx).db.begin().await?;
    crate::service::editing::writers_turn(&tx).await?;
    let (tx, result) = work(tx).await;
    match result {
        Ok(value) => {
            tx.commit().await?;
            // Wake this replica's subscribers now; other replicas hear PostgreSQL's NOTIFY.
            if let Ok(bus) = ctx.data::<crate::events::ChangeBus>() {
                bus.poke().await;
            }
            Ok(value)
        }
        Err(err) => {
            tx.rollback().await?;
            Err(err)
        }
    }
}

/// A signed-in editor's token.
#[derive(SimpleObject)]
pub struct LoginPayload {
    /// Send it as `Authorization: Bearer <token>` (or as `authorization` in a websocket's
    /// connection_init payload).
    token: String,
    /// When it expires, in seconds since the Unix epoch.
    expires_at: u64,
    /// Who signed in.
    editor: Editor,
}

/// A new editor account.
#[derive(InputObject)]
pub struct CreateEditorInput {
    /// Their email, which they sign in with.
    email: String,
    /// The name shown in the history.
    display_name: String,
    /// What they may do.
    role: EditorRole,
    /// At least 12 characters.
    password: String,
}

/// Sign-in and editor management.
#[derive(Default)]
pub struct AccountMutation;

#[Object]
impl AccountMutation {
    /// Signs in with an email and password and returns a token. Attempts are limited per
    /// account and per client address.
    async fn login(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The editor's email.")] email: String,
        #[graphql(desc = "The editor's password.")] password: String,
    ) -> Result<LoginPayload> {
        let d = data(ctx);
        let (token, expires_at, account) =
            editors::login(&d.db, &d.auth, &d.throttle, &email, &password, d.client_ip).await?;
        Ok(LoginPayload {
            token,
            expires_at,
            editor: Editor(account),
        })
    }

    /// Adds an editor (admins only).
    async fn create_editor(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The new account.")] input: CreateEditorInput,
    ) -> Result<Editor> {
        let d = data(ctx);
        require_admin(&d.viewer)?;
        let account = editors::add(
            &d.db,
            &input.email,
            &input.display_name,
            input.role,
            &input.password,
        )
        .await?;
        Ok(Editor(account))
    }

    /// Disables an editor (admins only): they cannot sign in and their tokens stop working.
    async fn disable_editor(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The editor's global id.")] id: ID,
    ) -> Result<Editor> {
        set_disabled(ctx, &id, true).await
    }

    /// Enables a disabled editor again (admins only).
    async fn enable_editor(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The editor's global id.")] id: ID,
    ) -> Result<Editor> {
        set_disabled(ctx, &id, false).await
    }
}

async fn set_disabled(ctx: &Context<'_>, id: &ID, disabled: bool) -> Result<Editor> {
    let d = data(ctx);
    let me = require_admin(&d.viewer)?;
    let id = decode_editor_id(id)
        .ok_or_else(|| AppError::bad_input(format!("{:?} is not an editor id", id.as_str())))?;
    if id == me && disabled {
        return Err(AppError::bad_input("you cannot disable yourself").into());
    }
    let account = editors::by_id(&d.db, id).await?;
    Ok(Editor(
        editors::set_disabled(&d.db, account, disabled).await?,
    ))
}

/// Declares createX and updateX for every kind.
macro_rules! record_mutations {
    ($($create:ident, $update:ident, $input:ident, $ty:ident, $kind:ident, $what:literal;)*) => {
        /// Creating and updating records of each kind.
        #[derive(Default)]
        pub struct RecordMutation;

        #[Object]
        impl RecordMutation {
            $(
            #[doc = concat!("Creates ", $what, " as a DRAFT, visible to editors only until published.")]
            async fn $create(
                &self,
                ctx: &Context<'_>,
                #[graphql(desc = "The new record.")] input: $input,
            ) -> Result<$ty> {
                let editor = require_editor(&data(ctx).viewer)?;
                let input = crate::service::inputs::$input::from(input);
                let model = in_transaction(ctx, |tx| async move {
                    let result = create_record(&tx, &input, editor).await;
                    (tx, result)
                })
                .await?;
                Ok($ty(model))
            }

            #[doc = concat!(
                "Replaces the editable state of ", $what, " if it is still at `expectedVersion`; ",
                "otherwise CONFLICT with the current version, and nothing is written."
            )]
            async fn $update(
                &self,
                ctx: &Context<'_>,
                #[graphql(desc = "The record's global id.")] id: ID,
                #[graphql(desc = "The version you read; the update applies only if it is still current.")]
                expected_version: i32,
                #[graphql(desc = "The record's new editable state (all of it).")] input: $input,
            ) -> Result<$ty> {
                let editor = require_editor(&data(ctx).viewer)?;
                let id = ids::decode_as(&id, RecordKind::$kind)?;
                let input = crate::service::inputs::$input::from(input);
                let model = in_transaction(ctx, |tx| async move {
                    let result = update_record(&tx, id, expected_version, &input, editor).await;
                    (tx, result)
                })
                .await?;
                Ok($ty(model))
            }
            )*
        }
    };
}

record_mutations! {
    create_organization, update_organization, OrganizationInput, Organization, Organization, "an organization";
    create_instrument, update_instrument, InstrumentInput, Instrument, Instrument, "an instrument";
    create_withdrawal, update_withdrawal, WithdrawalInput, Withdrawal, Withdrawal, "a withdrawal";
    create_stakeholder, update_stakeholder, StakeholderInput, Stakeholder, Stakeholder, "a stakeholder";
    create_reaction, update_reaction, ReactionInput, Reaction, Reaction, "a reaction";
    create_pact, update_pact, PactInput, Pact, Pact, "a pact";
    create_source, update_source, SourceInput, Source, Source, "a source";
    create_correction, update_correction, CorrectionInput, Correction, Correction, "a correction";
}

/// Publishing, archiving, reverting and citing.
#[derive(Default)]
pub struct EditMutation;

async fn set_status(
    ctx: &Context<'_>,
    id: &ID,
    expected: i32,
    status: RecordStatus,
) -> Result<Node> {
    let editor = require_editor(&data(ctx).viewer)?;
    let (kind, id) = ids::decode(id)?;
    in_transaction(ctx, |tx| async move {
        let result = for_kind!(kind, K => {
            editing::set_status::<K, _>(&tx, id, expected, status, editor)
                .await
                .map(|_| ())
        });
        (tx, result)
    })
    .await?;
    reload(ctx, kind, id).await
}

/// The record after a write, as the writer sees it.
async fn reload(ctx: &Context<'_>, kind: RecordKind, id: i64) -> Result<Node> {
    load_node(ctx, kind, id)
        .await?
        .ok_or_else(|| AppError::NotFound("the record is not visible".into()).into())
}

#[Object]
impl EditMutation {
    /// Publishes a record: everyone can see it. It needs at least one published source.
    async fn publish(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The record's global id.")] id: ID,
        #[graphql(desc = "The version you read.")] expected_version: i32,
    ) -> Result<Node> {
        set_status(ctx, &id, expected_version, RecordStatus::Published).await
    }

    /// Archives a record: it leaves public view and keeps its whole history.
    async fn archive(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The record's global id.")] id: ID,
        #[graphql(desc = "The version you read.")] expected_version: i32,
    ) -> Result<Node> {
        set_status(ctx, &id, expected_version, RecordStatus::Archived).await
    }

    /// Restores a record to the state recorded in a revision. This writes a new REVERT
    /// revision; history is never rewritten.
    async fn revert(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The global id of the revision to go back to.")] revision_id: ID,
    ) -> Result<Node> {
        let editor = require_editor(&data(ctx).viewer)?;
        let rev = decode_revision_id(&revision_id).ok_or_else(|| {
            AppError::bad_input(format!("{:?} is not a revision id", revision_id.as_str()))
        })?;
        let (kind, id) = in_transaction(ctx, |tx| async move {
            let result = history::revert(&tx, rev, editor).await;
            (tx, result)
        })
        .await?;
        reload(ctx, kind, id).await
    }

    /// Cites a source for a record, with a note on what it supports (or changes the note).
    async fn attach_source(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The record's global id.")] record_id: ID,
        #[graphql(desc = "The source's global id.")] source_id: ID,
        #[graphql(desc = "What the source supports in the record.")] note: Option<String>,
    ) -> Result<Node> {
        let editor = require_editor(&data(ctx).viewer)?;
        let (kind, id) = ids::decode(&record_id)?;
        let source = ids::decode_as(&source_id, RecordKind::Source)?;
        in_transaction(ctx, |tx| async move {
            let result = editing::attach_source(&tx, kind, id, source, note, editor).await;
            (tx, result)
        })
        .await?;
        reload(ctx, kind, id).await
    }

    /// Stops citing a source for a record.
    async fn detach_source(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The record's global id.")] record_id: ID,
        #[graphql(desc = "The source's global id.")] source_id: ID,
    ) -> Result<Node> {
        let editor = require_editor(&data(ctx).viewer)?;
        let (kind, id) = ids::decode(&record_id)?;
        let source = ids::decode_as(&source_id, RecordKind::Source)?;
        in_transaction(ctx, |tx| async move {
            let result = editing::detach_source(&tx, kind, id, source, editor).await;
            (tx, result)
        })
        .await?;
        reload(ctx, kind, id).await
    }
}
