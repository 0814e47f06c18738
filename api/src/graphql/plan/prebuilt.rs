//! A field's answer as the planner wrote it, or the object the executor resolves.

use async_graphql::parser::types::Field;
use async_graphql::registry::Registry;
use async_graphql::{ContextSelectionSet, OutputType, Positioned, ServerResult, Value};
use std::borrow::Cow;
use std::sync::Mutex;

/// Stands in the schema for `T` (same type, same SDL): resolves to the planner's answer when
/// there is one, and through `T` otherwise.
pub struct Prebuilt<T>(Inner<T>);

enum Inner<T> {
    /// Taken by the one `resolve` the executor makes per field.
    Answer(Mutex<Option<Value>>),
    Object(T),
}

impl<T> Prebuilt<T> {
    /// The planner's answer.
    pub fn answer(value: Value) -> Self {
        Self(Inner::Answer(Mutex::new(Some(value))))
    }

    /// The object the executor resolves.
    pub fn object(object: T) -> Self {
        Self(Inner::Object(object))
    }
}

impl<T: OutputType> OutputType for Prebuilt<T> {
    fn type_name() -> Cow<'static, str> {
        T::type_name()
    }

    fn qualified_type_name() -> String {
        T::qualified_type_name()
    }

    fn introspection_type_name(&self) -> Cow<'static, str> {
        match &self.0 {
            Inner::Object(object) => object.introspection_type_name(),
            Inner::Answer(_) => T::type_name(),
        }
    }

    fn create_type_info(registry: &mut Registry) -> String {
        T::create_type_info(registry)
    }

    async fn resolve(
        &self,
        ctx: &ContextSelectionSet<'_>,
        field: &Positioned<Field>,
    ) -> ServerResult<Value> {
        match &self.0 {
            Inner::Object(object) => object.resolve(ctx, field).await,
            // The executor resolves a field once; a poisoned lock still holds the answer.
            Inner::Answer(answer) => Ok(answer
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .take()
                .unwrap_or_default()),
        }
    }
}
