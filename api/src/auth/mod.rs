//! Who is calling: JWT verification and issuing, password hashing, login throttling.
//!
//! Tokens carry `sub` (the editor's email), a role claim, `iat`, `exp`, `iss` and `aud`.
//! Exactly one algorithm is accepted, the configured one, so a token signed otherwise (or not
//! at all: `alg: none`) is refused before its claims are read. Every refusal tells the client
//! only "invalid token"; the reason goes to the debug log.

pub mod password;
pub mod throttle;

use crate::config::{Config, JwtAlgorithm};
use crate::db::DatabaseKind;
use crate::error::{AppError, AppResult};
use crate::service::Viewer;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use entity::editor;
use entity::enums::EditorRole;
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, Statement,
};
use serde_json::{json, Map, Value};

/// The keys that verify tokens.
enum VerifyKeys {
    One(DecodingKey),
    /// A JWKS: keys by `kid`.
    Set(Vec<(Option<String>, DecodingKey)>),
}

/// Token verification and issuing, built once from the configuration.
pub struct Auth {
    algorithm: Algorithm,
    keys: VerifyKeys,
    signing: Option<EncodingKey>,
    issuer: String,
    audience: String,
    role_claim: String,
    ttl: u64,
    /// Seconds of clock difference allowed on `exp` and `nbf` (tokens from another issuer).
    leeway: u64,
}

/// A token that passed every check.
#[derive(Debug, Clone)]
pub struct VerifiedToken {
    pub email: String,
    pub role: EditorRole,
}

fn read(path: &std::path::Path, what: &str) -> anyhow::Result<Vec<u8>> {
    std::fs::read(path)
        .map_err(|e| anyhow::anyhow!("cannot read the {what} at {}: {e}", path.display()))
}

/// The HS256 secret of the embedded default: generated once, kept in the database.
async fn stored_secret(db: &DatabaseConnection) -> anyhow::Result<String> {
    use argon2::password_hash::rand_core::{OsRng, RngCore};
    let backend = db.get_database_backend();
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    let fresh = STANDARD.encode(bytes);
    // Insert-if-absent, then read: two processes starting at once agree on one secret.
    db.execute_raw(Statement::from_sql_and_values(
        backend,
        "INSERT INTO setting (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING"
            .replace(
                "$1",
                if backend == sea_orm::DbBackend::Sqlite {
                    "?"
                } else {
                    "$1"
                },
            )
            .replace(
                "$2",
                if backend == sea_orm::DbBackend::Sqlite {
                    "?"
                } else {
                    "$2"
                },
            ),
        ["jwt_secret".into(), fresh.into()],
    ))
    .await?;
    let row = db
        .query_one_raw(Statement::from_sql_and_values(
            backend,
            if backend == sea_orm::DbBackend::Sqlite {
                "SELECT value FROM setting WHERE key = ?"
            } else {
                "SELECT value FROM setting WHERE key = $1"
            },
            ["jwt_secret".into()],
        ))
        .await?
        .ok_or_else(|| anyhow::anyhow!("the generated token secret was not stored"))?;
    Ok(row.try_get("", "value")?)
}

impl Auth {
    /// Builds the verifier (and signer) from the configuration. On PostgreSQL an HS256
    /// deployment must name its secret: replicas must share it, so none is generated.
    pub async fn from_config(config: &Config, db: &DatabaseConnection) -> anyhow::Result<Self> {
        let (algorithm, keys, signing) = match config.jwt_algorithm {
            JwtAlgorithm::Hs256 => {
                let secret = match &config.jwt_secret {
                    Some(s) => s.clone(),
                    None if DatabaseKind::of(&config.database_url()).ok()
                        == Some(DatabaseKind::Postgres) =>
                    {
                        anyhow::bail!(
                            "EXODUS_JWT_SECRET is not set: a PostgreSQL deployment needs a token secret \
                             (at least 32 bytes, the same on every replica), or RS256/ES256 with \
                             EXODUS_JWT_PUBLIC_KEY or EXODUS_JWT_JWKS"
                        )
                    }
                    None => stored_secret(db).await?,
                };
                (
                    Algorithm::HS256,
                    VerifyKeys::One(DecodingKey::from_secret(secret.as_bytes())),
                    Some(EncodingKey::from_secret(secret.as_bytes())),
                )
            }
            alg @ (JwtAlgorithm::Rs256 | JwtAlgorithm::Es256) => {
                let algorithm = if alg == JwtAlgorithm::Rs256 {
                    Algorithm::RS256
                } else {
                    Algorithm::ES256
                };
                let keys = match (&config.jwt_public_key, &config.jwt_jwks) {
                    (Some(path), _) => {
                        let pem = read(path, "public key")?;
                        let key = if algorithm == Algorithm::RS256 {
                            DecodingKey::from_rsa_pem(&pem)
                        } else {
                            DecodingKey::from_ec_pem(&pem)
                        }
                        .map_err(|e| {
                            anyhow::anyhow!(
                                "the public key at {} is not usable: {e}",
                                path.display()
                            )
                        })?;
                        VerifyKeys::One(key)
                    }
                    (None, Some(path)) => {
                        let set: JwkSet =
                            serde_json::from_slice(&read(path, "JWKS")?).map_err(|e| {
                                anyhow::anyhow!("the JWKS at {} is not valid: {e}", path.display())
                            })?;
                        let mut keys = Vec::new();
                        for jwk in &set.keys {
                            let key = DecodingKey::from_jwk(jwk).map_err(|e| {
                                anyhow::anyhow!("a key in the JWKS is not usable: {e}")
                            })?;
                            keys.push((jwk.common.key_id.clone(), key));
                        }
                        if keys.is_empty() {
                            anyhow::bail!("the JWKS at {} has no keys", path.display());
                        }
                        VerifyKeys::Set(keys)
                    }
                    (None, None) => anyhow::bail!(
                        "RS256 and ES256 need EXODUS_JWT_PUBLIC_KEY or EXODUS_JWT_JWKS"
                    ),
                };
                let signing = match &config.jwt_private_key {
                    Some(path) => {
                        let pem = read(path, "private key")?;
                        Some(
                            if algorithm == Algorithm::RS256 {
                                EncodingKey::from_rsa_pem(&pem)
                            } else {
                                EncodingKey::from_ec_pem(&pem)
                            }
                            .map_err(|e| {
                                anyhow::anyhow!(
                                    "the private key at {} is not usable: {e}",
                                    path.display()
                                )
                            })?,
                        )
                    }
                    None => None,
                };
                (algorithm, keys, signing)
            }
        };
        Ok(Self {
            algorithm,
            keys,
            signing,
            issuer: config.jwt_issuer.clone(),
            leeway: config.jwt_leeway,
            audience: config.jwt_audience.clone(),
            role_claim: config.jwt_role_claim.clone(),
            ttl: config.jwt_ttl,
        })
    }

    /// Signs a token for an editor; returns it with its expiry (seconds since the epoch).
    pub fn issue(&self, editor: &editor::Model) -> AppResult<(String, u64)> {
        let Some(key) = &self.signing else {
            return Err(AppError::Forbidden(
                "this server verifies tokens from an identity provider and does not issue its own"
                    .into(),
            ));
        };
        let now = jsonwebtoken::get_current_timestamp();
        let exp = now + self.ttl;
        let mut claims = json!({
            "sub": editor.email, "iat": now, "nbf": now, "exp": exp,
            "iss": self.issuer, "aud": self.audience,
        });
        claims[&self.role_claim] = Value::String(editor.role.as_str().to_owned());
        let token = jsonwebtoken::encode(&Header::new(self.algorithm), &claims, key)
            .map_err(|e| AppError::Internal(anyhow::anyhow!("signing a token failed: {e}")))?;
        Ok((token, exp))
    }

    /// Checks signature, algorithm, expiry, not-before, issuer and audience.
    pub fn verify(&self, token: &str) -> AppResult<VerifiedToken> {
        let invalid = |why: &str| {
            tracing::debug!(reason = why, "token refused");
            AppError::Unauthenticated("invalid token".into())
        };
        let header = jsonwebtoken::decode_header(token).map_err(|e| invalid(&e.to_string()))?;
        if header.alg != self.algorithm {
            return Err(invalid("algorithm other than the configured one"));
        }
        let key = match &self.keys {
            VerifyKeys::One(key) => key,
            VerifyKeys::Set(keys) => match (&header.kid, keys.as_slice()) {
                (Some(kid), _) => keys
                    .iter()
                    .find(|(k, _)| k.as_deref() == Some(kid))
                    .map(|(_, key)| key)
                    .ok_or_else(|| invalid("unknown kid"))?,
                (None, [(_, only)]) => only,
                (None, _) => return Err(invalid("no kid and several keys")),
            },
        };
        let mut validation = Validation::new(self.algorithm);
        validation.set_issuer(&[&self.issuer]);
        validation.set_audience(&[&self.audience]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.validate_nbf = true;
        validation.leeway = self.leeway;
        let data = jsonwebtoken::decode::<Map<String, Value>>(token, key, &validation)
            .map_err(|e| invalid(&e.to_string()))?;
        let claims = data.claims;
        let email = claims
            .get("sub")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .ok_or_else(|| invalid("no subject"))?
            .to_owned();
        let role = match claims
            .get(&self.role_claim)
            .and_then(Value::as_str)
            .map(str::to_ascii_uppercase)
        {
            Some(r) if r == "EDITOR" => EditorRole::Editor,
            Some(r) if r == "ADMIN" => EditorRole::Admin,
            _ => return Err(AppError::Forbidden("this role may not edit Exodus".into())),
        };
        Ok(VerifiedToken { email, role })
    }

    /// Turns an `Authorization` header value into a viewer: the token must verify and name an
    /// enabled editor. The effective role is the lower of the token's and the account's.
    pub async fn authenticate<C: ConnectionTrait>(
        &self,
        db: &C,
        header: &str,
    ) -> AppResult<Viewer> {
        let token = header
            .strip_prefix("Bearer ")
            .or_else(|| header.strip_prefix("bearer "))
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or_else(|| AppError::Unauthenticated("invalid token".into()))?;
        let verified = self.verify(token)?;
        let account = editor::Entity::find()
            .filter(editor::Column::Email.eq(verified.email.to_lowercase()))
            .one(db)
            .await?
            .ok_or_else(|| AppError::Unauthenticated("invalid token".into()))?;
        if account.disabled {
            return Err(AppError::Forbidden(
                "this editor account is disabled".into(),
            ));
        }
        let role = if account.role == EditorRole::Admin && verified.role == EditorRole::Admin {
            EditorRole::Admin
        } else {
            EditorRole::Editor
        };
        Ok(Viewer::Editor {
            id: account.id,
            role,
        })
    }
}
