//! Migrations run down as well as up: every one can be rolled back, the schema is then empty,
//! and applying them again gives a database the app serves and the dataset loads into.

use harness::{backend_tests, serde_json::json, TestApp};
use migration::{Migrator, MigratorTrait};
use sea_orm::{ConnectionTrait, DbBackend, Statement};

backend_tests!(every_migration_rolls_back_and_applies_again,);

/// The tables of the database, bar the migrator's own.
async fn tables(app: &TestApp) -> Vec<String> {
    let sql = match app.db.get_database_backend() {
        DbBackend::Postgres => {
            "SELECT table_name AS name FROM information_schema.tables \
             WHERE table_schema = 'public' ORDER BY 1"
        }
        _ => "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY 1",
    };
    let rows = app
        .db
        .query_all_raw(Statement::from_string(app.db.get_database_backend(), sql))
        .await
        .unwrap();
    rows.iter()
        .map(|r| r.try_get::<String>("", "name").unwrap())
        .filter(|n| n != "seaql_migrations" && !n.starts_with("sqlite_"))
        .collect()
}

async fn every_migration_rolls_back_and_applies_again(app: TestApp) {
    let before = tables(&app).await;
    assert!(before.contains(&"revision".to_owned()), "{before:?}");
    let applied = Migrator::get_applied_migrations(&app.db)
        .await
        .unwrap()
        .len();
    assert_eq!(applied, Migrator::migrations().len());

    Migrator::down(&app.db, None)
        .await
        .expect("every migration rolls back");
    assert_eq!(tables(&app).await, Vec::<String>::new());
    assert!(Migrator::get_applied_migrations(&app.db)
        .await
        .unwrap()
        .is_empty());

    Migrator::up(&app.db, None)
        .await
        .expect("and applies again");
    assert_eq!(tables(&app).await, before);
    let dataset = exodus::seed::parse(exodus::seed::BUILTIN).unwrap();
    let report = exodus::seed::load(&app.db, &dataset).await.unwrap();
    assert_eq!(report.total(), 332, "{report}");
    // The server, still running, reads the rebuilt database (as an editor: not from the
    // response cache, which holds answers from before).
    let token = app
        .editor("ed@example.org", entity::enums::EditorRole::Editor)
        .await;
    let data = app
        .data_as(&token, "{ stats { organizations pacts } }", json!({}))
        .await;
    assert_eq!(data["stats"]["pacts"], 8, "{data}");
    assert_eq!(data["stats"]["organizations"], 72, "{data}");
}
