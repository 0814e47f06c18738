use async_graphql::{Object, ID};
use entity::editor;
use entity::enums::EditorRole;

/// A person who curates Exodus.
pub struct Editor(pub editor::Model);

/// The global id of an editor.
pub fn editor_id(id: i64) -> ID {
    crate::service::ids::editor(id).into()
}

/// Reads an editor's global id.
pub fn decode_editor_id(global: &str) -> Option<i64> {
    crate::service::ids::decode_editor(global)
}

/// A person who curates Exodus.
#[Object]
impl Editor {
    /// The editor's global id.
    async fn id(&self) -> ID {
        editor_id(self.0.id)
    }
    /// Their email, which they sign in with.
    async fn email(&self) -> &str {
        &self.0.email
    }
    /// The name shown in the history.
    async fn display_name(&self) -> &str {
        &self.0.display_name
    }
    /// What they may do.
    async fn role(&self) -> EditorRole {
        self.0.role
    }
    /// A disabled editor cannot sign in; their tokens stop working.
    async fn disabled(&self) -> bool {
        self.0.disabled
    }
    /// When the account was created.
    async fn created_at(&self) -> crate::graphql::scalars::DateTime {
        self.0.created_at.into()
    }
}
