//! Editor accounts: adding, listing, disabling, and logging in.

use crate::auth::throttle::LoginThrottle;
use crate::auth::{password, Auth};
use crate::error::{AppError, AppResult, FieldError};
use chrono::Utc;
use entity::editor;
use entity::enums::EditorRole;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};
use std::net::IpAddr;

fn field(field: &str, message: &str) -> AppError {
    AppError::BadUserInput {
        message: format!("{field}: {message}"),
        fields: vec![FieldError {
            field: field.into(),
            message: message.into(),
        }],
    }
}

/// Normalizes and checks an email address.
pub fn normalize_email(email: &str) -> AppResult<String> {
    let email = email.trim().to_lowercase();
    let valid = email.len() <= 320
        && email.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
        })
        && !email.chars().any(char::is_whitespace);
    if !valid {
        return Err(field("email", "is not a valid email address"));
    }
    Ok(email)
}

/// Adds an editor.
pub async fn add<C: ConnectionTrait>(
    db: &C,
    email: &str,
    display_name: &str,
    role: EditorRole,
    plain_password: &str,
) -> AppResult<editor::Model> {
    let email = normalize_email(email)?;
    let name = display_name.trim();
    if name.is_empty() || name.chars().count() > 200 {
        return Err(field("displayName", "must be 1 to 200 characters"));
    }
    password::check_strength(plain_password).map_err(|m| field("password", &m))?;
    if editor::Entity::find()
        .filter(editor::Column::Email.eq(&email))
        .one(db)
        .await?
        .is_some()
    {
        return Err(field("email", "an editor with this email exists"));
    }
    let now = Utc::now();
    Ok(editor::ActiveModel {
        email: Set(email),
        display_name: Set(name.to_owned()),
        role: Set(role),
        password_hash: Set(password::hash(plain_password)?),
        disabled: Set(false),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?)
}

/// Every editor, by email.
pub async fn list<C: ConnectionTrait>(db: &C) -> AppResult<Vec<editor::Model>> {
    Ok(editor::Entity::find()
        .order_by_asc(editor::Column::Email)
        .all(db)
        .await?)
}

/// One editor by email.
pub async fn by_email<C: ConnectionTrait>(db: &C, email: &str) -> AppResult<editor::Model> {
    editor::Entity::find()
        .filter(editor::Column::Email.eq(email.trim().to_lowercase()))
        .one(db)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("no editor with the email {email:?}")))
}

/// One editor by id.
pub async fn by_id<C: ConnectionTrait>(db: &C, id: i64) -> AppResult<editor::Model> {
    editor::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::NotFound("no editor with this id".into()))
}

/// Disables or re-enables an editor; a disabled editor's tokens stop working at once.
pub async fn set_disabled<C: ConnectionTrait>(
    db: &C,
    account: editor::Model,
    disabled: bool,
) -> AppResult<editor::Model> {
    let mut am: editor::ActiveModel = account.into();
    am.disabled = Set(disabled);
    am.updated_at = Set(Utc::now());
    Ok(am.update(db).await?)
}

/// Checks an email and password and issues a token. Every failure looks the same to the
/// client, and an unknown email costs as much time as a wrong password.
pub async fn login<C: ConnectionTrait>(
    db: &C,
    auth: &Auth,
    throttle: &LoginThrottle,
    email: &str,
    plain_password: &str,
    address: Option<IpAddr>,
) -> AppResult<(String, u64, editor::Model)> {
    throttle.check(email, address)?;
    let refused = || AppError::Unauthenticated("wrong email or password".into());
    let account = editor::Entity::find()
        .filter(editor::Column::Email.eq(email.trim().to_lowercase()))
        .one(db)
        .await?;
    let Some(account) = account else {
        password::verify(plain_password, password::decoy());
        return Err(refused());
    };
    if !password::verify(plain_password, &account.password_hash) || account.disabled {
        return Err(refused());
    }
    let (token, exp) = auth.issue(&account)?;
    Ok((token, exp, account))
}
