//! `/api/users`: account administration.

use portero::domain::Role;
use rocket::http::{ContentType, Header, Status};
use serde_json::{Value, json};

use crate::helpers::*;

fn new_user(username: &str) -> Value {
    json!({
        "username": username,
        "email": format!("{username}@example.com"),
        "password": PASSWORD,
        "first_name": "New",
        "last_name": "Person",
    })
}

/// Creates an account through the API as the logged-in administrator.
async fn create(app: &TestApp, body: Value) -> Value {
    let (status, user) = app.post_json("/api/users", &body).await;
    assert_eq!(status, Status::Created, "{user}");
    user
}

fn usernames(list: &Value) -> Vec<String> {
    list["items"]
        .as_array()
        .unwrap_or_else(|| panic!("not a list: {list}"))
        .iter()
        .map(|user| user["username"].as_str().expect("username").to_owned())
        .collect()
}

#[rocket::async_test]
async fn listing_users_needs_an_administrator() {
    let app = spawn_app().await;
    expect_problem(app.get("/api/users").await, Status::Unauthorized).await;
    app.login_user("plain").await;
    expect_problem(app.get("/api/users").await, Status::Forbidden).await;
    let response = app
        .client
        .post("/api/users")
        .header(ContentType::JSON)
        .body(new_user("newbie").to_string())
        .dispatch()
        .await;
    expect_problem(response, Status::Forbidden).await;
    let response = app
        .client
        .patch("/api/users/1")
        .header(ContentType::JSON)
        .body(json!({ "role": "admin" }).to_string())
        .dispatch()
        .await;
    expect_problem(response, Status::Forbidden).await;
    expect_problem(
        app.client.delete("/api/users/1").dispatch().await,
        Status::Forbidden,
    )
    .await;
    let (_, me) = app.get_json("/api/me").await;
    assert_eq!(me["role"], "user");
}

#[rocket::async_test]
async fn list_users_envelope_and_paging() {
    let app = spawn_app().await;
    app.login_admin("root").await;
    for name in ["anna", "bart", "cody", "dana"] {
        app.create_user(name, Role::User).await;
    }
    let (status, list) = app.get_json("/api/users").await;
    assert_eq!(status, Status::Ok, "{list}");
    assert_eq!(list["total"], 5);
    assert_eq!(list["page"], 1);
    assert_eq!(list["per_page"], 20);
    assert_eq!(usernames(&list), ["anna", "bart", "cody", "dana", "root"]);
    for user in list["items"].as_array().expect("items") {
        assert_no_secrets(user);
    }

    let (status, page) = app.get_json("/api/users?per_page=2&page=2").await;
    assert_eq!(status, Status::Ok);
    assert_eq!(usernames(&page), ["cody", "dana"]);
    assert_eq!(
        (
            page["page"].clone(),
            page["per_page"].clone(),
            page["total"].clone()
        ),
        (json!(2), json!(2), json!(5))
    );
    let (_, last) = app.get_json("/api/users?per_page=2&page=3").await;
    assert_eq!(usernames(&last), ["root"]);
    let (_, beyond) = app.get_json("/api/users?per_page=2&page=9").await;
    assert_eq!(usernames(&beyond), Vec::<String>::new());
    assert_eq!(beyond["total"], 5);

    let (status, _) = app.get_json("/api/users?per_page=100").await;
    assert_eq!(status, Status::Ok);
    for bad in ["per_page=101", "per_page=0", "page=0", "per_page=-1"] {
        let response = app.get(&format!("/api/users?{bad}")).await;
        let problem = expect_problem(response, Status::UnprocessableEntity).await;
        let field = bad.split('=').next().unwrap_or_default();
        assert_eq!(error_fields(&problem), [field], "{bad}: {problem}");
    }
}

#[rocket::async_test]
async fn list_users_searches_inside_username_email_and_names() {
    let app = spawn_app().await;
    app.login_admin("root").await;
    create(
        &app,
        json!({
            "username": "carol", "email": "zed@corp.example", "password": PASSWORD,
            "first_name": "Quentin", "last_name": "Xavier",
        }),
    )
    .await;
    create(&app, new_user("caroline")).await;
    create(&app, new_user("mike")).await;

    let search = |q: &'static str| {
        let app = &app;
        async move {
            let (status, list) = app.get_json(&format!("/api/users?q={q}")).await;
            assert_eq!(status, Status::Ok, "{q}: {list}");
            let mut names = usernames(&list);
            names.sort();
            assert_eq!(list["total"], json!(names.len()), "{q}: {list}");
            names
        }
    };
    assert_eq!(search("car").await, ["carol", "caroline"]);
    assert_eq!(search("CAROLI").await, ["caroline"]);
    assert_eq!(search("zed").await, ["carol"]);
    assert_eq!(search("zed%40corp").await, ["carol"]);
    assert_eq!(search("quen").await, ["carol"]);
    assert_eq!(search("XAV").await, ["carol"]);
    assert_eq!(search("New").await, ["caroline", "mike"]);
    // Anywhere inside, not only at the start; wildcards are literal.
    assert_eq!(search("arol").await, ["carol", "caroline"]);
    assert_eq!(search("orp.exam").await, ["carol"]);
    assert_eq!(search("%25").await, Vec::<String>::new());
    assert_eq!(search("_arol").await, Vec::<String>::new());
}

#[rocket::async_test]
async fn list_users_filters_by_role_and_active_and_sorts() {
    let app = spawn_app().await;
    app.login_admin("root").await;
    app.create_user("boss", Role::Admin).await;
    let gone = app.create_user("gone", Role::User).await;
    app.create_user("here", Role::User).await;
    app.deactivate_in_db(gone).await;

    let (_, admins) = app.get_json("/api/users?role=admin").await;
    assert_eq!(usernames(&admins), ["boss", "root"]);
    let (_, users) = app.get_json("/api/users?role=user").await;
    assert_eq!(usernames(&users), ["gone", "here"]);
    let (_, inactive) = app.get_json("/api/users?active=false").await;
    assert_eq!(usernames(&inactive), ["gone"]);
    assert_eq!(inactive["total"], 1);
    let (_, active_users) = app.get_json("/api/users?active=true&role=user").await;
    assert_eq!(usernames(&active_users), ["here"]);

    let (_, desc) = app.get_json("/api/users?sort=username_desc").await;
    assert_eq!(usernames(&desc), ["root", "here", "gone", "boss"]);
    let (_, created) = app.get_json("/api/users?sort=created").await;
    assert_eq!(usernames(&created), ["root", "boss", "gone", "here"]);
    let (_, newest) = app.get_json("/api/users?sort=created_desc").await;
    assert_eq!(usernames(&newest), ["here", "gone", "boss", "root"]);

    for bad in ["sort=password", "role=root"] {
        let problem = expect_problem(
            app.get(&format!("/api/users?{bad}")).await,
            Status::UnprocessableEntity,
        )
        .await;
        let field = bad.split('=').next().unwrap_or_default();
        assert_eq!(error_fields(&problem), [field], "{bad}: {problem}");
    }
}

#[rocket::async_test]
async fn create_user_answers_201_with_location() {
    let app = spawn_app().await;
    app.login_admin("root").await;
    let response = app
        .client
        .post("/api/users")
        .header(ContentType::JSON)
        .body(
            json!({
                "username": "Helper", "email": "Helper@Example.com", "password": PASSWORD,
                "first_name": "Help", "last_name": "Er", "role": "admin", "phone": "555 1234",
            })
            .to_string(),
        )
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::Created);
    let location = location(&response).expect("Location");
    // Creating an account does not log the administrator in as it.
    assert!(
        set_cookies(&response)
            .iter()
            .all(|c| c.name() != "portero_session")
    );
    let user: Value = response.into_json().await.expect("json");
    assert_eq!(location, format!("/api/users/{}", user["id"]));
    assert_eq!(user["username"], "helper");
    assert_eq!(user["email"], "helper@example.com");
    assert_eq!(user["role"], "admin");
    assert_eq!(user["phone"], "555 1234");
    assert_no_secrets(&user);
    let (status, fetched) = app.get_json(&location).await;
    assert_eq!(status, Status::Ok);
    assert_eq!(fetched, user);
    let (_, me) = app.get_json("/api/me").await;
    assert_eq!(me["username"], "root");

    // The new account can log in; the role defaults to user.
    let other = app.other_browser().await;
    assert_eq!(other.login_api("helper", PASSWORD).await.0, Status::Ok);
    let plain = create(&app, new_user("plainer")).await;
    assert_eq!(plain["role"], "user");
}

#[rocket::async_test]
async fn create_user_conflicts_and_validation() {
    let app = spawn_app().await;
    app.login_admin("root").await;
    create(&app, new_user("taken")).await;
    let mut same_name = new_user("TAKEN");
    same_name["email"] = json!("other@example.com");
    let (status, problem) = app.post_json("/api/users", &same_name).await;
    assert_eq!(status, Status::Conflict, "{problem}");
    assert_eq!(error_fields(&problem), ["username"]);
    let mut same_email = new_user("fresh");
    same_email["email"] = json!("Taken@Example.COM");
    let (status, problem) = app.post_json("/api/users", &same_email).await;
    assert_eq!(status, Status::Conflict, "{problem}");
    assert_eq!(error_fields(&problem), ["email"]);

    let mut invalid = new_user("fresh");
    invalid["password"] = json!("iloveyou1");
    invalid["email"] = json!("broken");
    let (status, problem) = app.post_json("/api/users", &invalid).await;
    assert_eq!(status, Status::UnprocessableEntity, "{problem}");
    let mut fields = error_fields(&problem);
    fields.sort();
    assert_eq!(fields, ["email", "password"]);
    let mut bad_role = new_user("fresh");
    bad_role["role"] = json!("root");
    let (status, problem) = app.post_json("/api/users", &bad_role).await;
    assert_eq!(status, Status::UnprocessableEntity, "{problem}");
    assert_problem_body(&problem, Status::UnprocessableEntity);
    let (_, list) = app.get_json("/api/users").await;
    assert_eq!(list["total"], 2);
}

#[rocket::async_test]
async fn get_user_admin_any_user_self_others_404() {
    let app = spawn_app().await;
    let admin = app.other_browser().await;
    admin.login_admin("root").await;
    let me = app.login_user("self").await;
    let other = app.create_user("other", Role::User).await;

    let (status, user) = admin.get_json(&format!("/api/users/{other}")).await;
    assert_eq!(status, Status::Ok);
    assert_eq!(user["username"], "other");
    assert_no_secrets(&user);
    let (status, user) = app.get_json(&format!("/api/users/{me}")).await;
    assert_eq!(status, Status::Ok);
    assert_eq!(user["username"], "self");

    let not_yours = expect_problem(
        app.get(&format!("/api/users/{other}")).await,
        Status::NotFound,
    )
    .await;
    let missing = expect_problem(admin.get("/api/users/999999").await, Status::NotFound).await;
    let unknown_for_user =
        expect_problem(app.get("/api/users/999999").await, Status::NotFound).await;
    // Another user's record looks exactly like a missing one.
    let not_yours = sans_request_id(not_yours);
    assert_eq!(not_yours, sans_request_id(unknown_for_user));
    assert_eq!(not_yours, sans_request_id(missing));
    let anonymous = app.other_browser().await;
    expect_problem(
        anonymous.get(&format!("/api/users/{other}")).await,
        Status::Unauthorized,
    )
    .await;
}

#[rocket::async_test]
async fn patch_user_changes_only_the_fields_sent() {
    let app = spawn_app().await;
    app.login_admin("root").await;
    let user = create(
        &app,
        json!({
            "username": "pat", "email": "pat@example.com", "password": PASSWORD,
            "first_name": "Pat", "last_name": "Smith", "address": "1 Road", "phone": "555 0000",
        }),
    )
    .await;
    let id = user["id"].clone();

    let (status, after) = app
        .patch_json(
            &format!("/api/users/{id}"),
            &json!({ "last_name": "Jones" }),
        )
        .await;
    assert_eq!(status, Status::Ok, "{after}");
    assert_eq!(after["last_name"], "Jones");
    for key in [
        "username",
        "email",
        "first_name",
        "address",
        "phone",
        "role",
        "is_active",
        "created_at",
    ] {
        assert_eq!(after[key], user[key], "{key} changed");
    }

    let (status, after) = app
        .patch_json(
            &format!("/api/users/{id}"),
            &json!({ "phone": null, "email_verified": true, "role": "admin" }),
        )
        .await;
    assert_eq!(status, Status::Ok, "{after}");
    assert!(after["phone"].is_null());
    assert_eq!(after["address"], "1 Road");
    assert_eq!(after["role"], "admin");
    rfc3339_utc(&after["email_verified_at"]);

    let (status, problem) = app
        .patch_json(&format!("/api/users/{id}"), &json!({ "email": "x" }))
        .await;
    assert_eq!(status, Status::UnprocessableEntity);
    assert_eq!(error_fields(&problem), ["email"]);
    let (status, problem) = app
        .patch_json(
            &format!("/api/users/{id}"),
            &json!({ "email": "ROOT@example.com" }),
        )
        .await;
    assert_eq!(status, Status::Conflict, "{problem}");
    assert_eq!(error_fields(&problem), ["email"]);
    let (status, problem) = app
        .patch_json(
            &format!("/api/users/{id}"),
            &json!({ "password_hash": "x" }),
        )
        .await;
    assert_eq!(status, Status::UnprocessableEntity, "{problem}");
    let (status, problem) = app
        .patch_json("/api/users/999999", &json!({ "last_name": "Nobody" }))
        .await;
    assert_eq!(status, Status::NotFound, "{problem}");
    assert_problem_body(&problem, Status::NotFound);
}

#[rocket::async_test]
async fn deactivating_a_user_ends_their_sessions_at_once() {
    let app = spawn_app().await;
    app.login_admin("root").await;
    let victim = app.other_browser().await;
    let id = victim.login_user("vic").await;
    let cookie = victim.session_cookie().expect("cookie");
    assert_eq!(victim.me_status().await, Status::Ok);

    let (status, user) = app
        .patch_json(&format!("/api/users/{id}"), &json!({ "is_active": false }))
        .await;
    assert_eq!(status, Status::Ok, "{user}");
    assert_eq!(user["is_active"], false);
    assert_eq!(victim.me_status().await, Status::Unauthorized);
    assert_eq!(
        victim.login_api("vic", PASSWORD).await.0,
        Status::Unauthorized
    );

    // Reactivating does not bring the old session back: it was deleted.
    let (status, user) = app
        .patch_json(&format!("/api/users/{id}"), &json!({ "is_active": true }))
        .await;
    assert_eq!(status, Status::Ok, "{user}");
    assert_eq!(victim.me_status_with(cookie).await, Status::Unauthorized);
    assert_eq!(victim.login_api("vic", PASSWORD).await.0, Status::Ok);
    let actions = app.audit_actions().await;
    assert!(
        actions.contains(&"user_deactivate".to_owned()),
        "{actions:?}"
    );
    assert!(actions.contains(&"user_activate".to_owned()), "{actions:?}");
}

#[rocket::async_test]
async fn demoting_an_admin_ends_their_sessions() {
    let app = spawn_app().await;
    app.login_admin("root").await;
    let other = app.other_browser().await;
    let id = other.login_admin("second").await;
    let (status, _) = app
        .patch_json(&format!("/api/users/{id}"), &json!({ "role": "user" }))
        .await;
    assert_eq!(status, Status::Ok);
    assert_eq!(other.me_status().await, Status::Unauthorized);
    other.login_as("second").await;
    expect_problem(other.get("/api/users").await, Status::Forbidden).await;
}

#[rocket::async_test]
async fn the_last_active_admin_cannot_be_demoted_deactivated_or_deleted() {
    let app = spawn_app().await;
    let root = app.login_admin("root").await;
    let path = format!("/api/users/{root}");
    for body in [json!({ "role": "user" }), json!({ "is_active": false })] {
        let (status, problem) = app.patch_json(&path, &body).await;
        assert_eq!(status, Status::Conflict, "{body}: {problem}");
        assert_problem_body(&problem, Status::Conflict);
    }
    expect_problem(
        app.client.delete(path.clone()).dispatch().await,
        Status::Conflict,
    )
    .await;
    let (_, me) = app.get_json("/api/me").await;
    assert_eq!(
        (me["role"].clone(), me["is_active"].clone()),
        (json!("admin"), json!(true))
    );

    // An inactive administrator does not count as another one.
    let dormant = app.create_user("dormant", Role::Admin).await;
    app.deactivate_in_db(dormant).await;
    let (status, _) = app.patch_json(&path, &json!({ "role": "user" })).await;
    assert_eq!(status, Status::Conflict);

    // With a second active administrator, the first may step down.
    app.create_user("backup", Role::Admin).await;
    let (status, user) = app.patch_json(&path, &json!({ "role": "user" })).await;
    assert_eq!(status, Status::Ok, "{user}");
    assert_eq!(user["role"], "user");
}

#[rocket::async_test]
async fn delete_user_answers_204_then_404() {
    let app = spawn_app().await;
    app.login_admin("root").await;
    let doomed = app.other_browser().await;
    let id = doomed.login_user("doomed").await;

    let (status, body) = app.delete(&format!("/api/users/{id}")).await;
    assert_eq!(status, Status::NoContent, "{body}");
    assert_eq!(doomed.me_status().await, Status::Unauthorized);
    expect_problem(app.get(&format!("/api/users/{id}")).await, Status::NotFound).await;
    expect_problem(
        app.client
            .delete(format!("/api/users/{id}"))
            .dispatch()
            .await,
        Status::NotFound,
    )
    .await;
    assert_eq!(
        doomed.login_api("doomed", PASSWORD).await.0,
        Status::Unauthorized
    );
    // The name is free again.
    doomed.signup_api("doomed").await;

    let response = app
        .client
        .delete(format!("/api/users/{id}"))
        .header(Header::new("Origin", "https://evil.example"))
        .dispatch()
        .await;
    expect_problem(response, Status::Forbidden).await;
}

#[rocket::async_test]
async fn revoke_user_sessions_as_admin() {
    let app = spawn_app().await;
    app.login_admin("root").await;
    let user = app.other_browser().await;
    let id = user.login_user("ursula").await;
    let (status, _) = app.delete(&format!("/api/users/{id}/sessions")).await;
    assert_eq!(status, Status::NoContent);
    assert_eq!(user.me_status().await, Status::Unauthorized);
    assert_eq!(app.me_status().await, Status::Ok);
    expect_problem(
        user.client
            .delete(format!("/api/users/{id}/sessions"))
            .dispatch()
            .await,
        Status::Unauthorized,
    )
    .await;
}
