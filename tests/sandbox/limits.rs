//! HighLevel's rate limits in the sandbox, and the client's pacing that keeps under them.

use super::*;

#[tokio::test]
async fn past_the_interval_limit_429_then_success_after_the_window() {
    // Two seconds leaves room for a slow machine to send the first requests within the
    // window; Retry-After, in whole seconds, is then 1 or 2.
    let sandbox = rate_limited(2, Duration::from_secs(2)).await;
    // The sandbox's 429s and the retry policy, not the client's pacing, are under test here.
    let client = client_with_pacing(&sandbox, Pacing::off());
    for name in ["one", "two"] {
        create(&client, event(name)).await.unwrap();
    }

    let (status, limit, error) =
        post(&sandbox, &json!({"locationId": "loc", "name": "three"})).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert_error_shape(&error, 429, "Too Many Requests");
    assert_eq!(limit.remaining, Some(0));
    assert_eq!(limit.interval, Some(Duration::from_secs(2)));
    let wait = limit.retry_after.expect("Retry-After");
    assert!(
        wait >= Duration::from_secs(1) && wait <= Duration::from_secs(2),
        "{wait:?}"
    );

    let impatient = client_without_retries(&sandbox);
    let error = create(&impatient, event("four")).await.unwrap_err();
    assert!(matches!(error, Error::RateLimited { .. }), "{error:?}");
    assert!(error.is_retryable());

    // Another location has its own allowance.
    create(&client, calendar::event("elsewhere", "five"))
        .await
        .expect("a separate allowance");

    // The default policy waits what Retry-After says and then succeeds.
    let created = create(&client, event("six"))
        .await
        .expect("accepted after the window");
    assert_eq!(created.calendar.name, "six");
    assert_eq!(created.rate_limit.remaining, Some(1));
    assert_eq!(sandbox.requests_received(), 7, "six was sent twice");
    assert_eq!(sandbox.calendars_in("loc").len(), 3);
}

#[tokio::test]
async fn without_a_location_the_token_is_limited() {
    let sandbox = rate_limited(1, Duration::from_secs(60)).await;
    let send = |token: &'static str| {
        raw()
            .post(format!("{}/calendars/", sandbox.base_url()))
            .bearer_auth(token)
            .header("Version", API_VERSION)
            .json(&json!({"name": "no location"}))
            .send()
    };
    assert_eq!(
        send("a").await.unwrap().status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        send("a").await.unwrap().status(),
        StatusCode::TOO_MANY_REQUESTS
    );
    assert_eq!(
        send("b").await.unwrap().status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
}

#[tokio::test]
async fn an_exhausted_daily_limit_is_not_retried() {
    let sandbox = Sandbox::builder().daily_limit(1).start().await.unwrap();
    let client = client_with_pacing(&sandbox, Pacing::off());
    let created = create(&client, event("first")).await.unwrap();
    assert_eq!(created.rate_limit.daily_remaining, Some(0));
    assert_eq!(created.rate_limit.daily_limit, Some(1));

    let error = create(&client, event("second")).await.unwrap_err();
    match &error {
        Error::RateLimited { error: api, .. } => {
            assert!(api.rate_limit.daily_exhausted(), "{api:?}");
            assert!(api.messages[0].contains("daily"), "{api:?}");
        }
        other => panic!("expected RateLimited, got {other:?}"),
    }
    assert!(!error.is_retryable());
    assert_eq!(sandbox.requests_received(), 2, "not retried");
}

/// With pacing (the default) the client takes the sandbox's reported budget and waits for a
/// free slot instead of spending a request on a 429; the daily allowance it has seen used up
/// stops calls before they are sent.
#[tokio::test]
async fn pacing_avoids_the_429s_and_stops_at_the_daily_allowance() {
    let sandbox = rate_limited(3, Duration::from_millis(300)).await;
    let client = sandbox.client_builder().build().unwrap();
    let started = std::time::Instant::now();
    for i in 0..9 {
        create(&client, event(format!("paced {i}")))
            .await
            .expect("paced, never limited");
    }
    assert_eq!(sandbox.requests_received(), 9, "no 429 was paid for");
    assert!(
        started.elapsed() >= Duration::from_millis(600),
        "three windows of three"
    );

    let daily = Sandbox::builder().daily_limit(1).start().await.unwrap();
    let client = daily.client_builder().build().unwrap();
    create(&client, event("first")).await.unwrap();
    assert_stopped_by_the_daily_allowance(&client, "second", &daily, 1).await;

    // Failing fast instead of waiting: nothing is sent either.
    let busy = rate_limited(1, Duration::from_secs(5)).await;
    let client = client_with_pacing(&busy, Pacing::fail());
    list(&client).await.unwrap();
    let error = list(&client).await.unwrap_err();
    assert!(
        matches!(
            error,
            Error::Throttled {
                retry_after: Some(_),
                ..
            }
        ),
        "{error:?}"
    );
    assert!(
        error.to_string().contains("get-calendars: not sent"),
        "{error}"
    );
    assert_eq!(busy.requests_received(), 1);
}

/// One process, sixteen tasks, one shared budget of 20 calls per second: no 429 is paid for
/// (every request the sandbox received was a success) and the rate stays near the limit.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sixteen_tasks_share_one_budget_without_429s() {
    const CALLS: usize = 100;
    let sandbox = rate_limited(20, Duration::from_secs(1)).await;
    let client = sandbox.client_builder().build().unwrap();
    // The first answer tells the client the budget (HighLevel's default is 100 per 10 s).
    list(&client).await.unwrap();
    let started = std::time::Instant::now();
    let tasks: Vec<_> = (0..16)
        .map(|task| {
            let client = client.clone();
            tokio::spawn(async move {
                for _ in (task..CALLS).step_by(16) {
                    list(&client).await?;
                }
                Ok::<(), Error>(())
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap().expect("every call succeeds");
    }
    let elapsed = started.elapsed().as_secs_f64();
    assert_eq!(
        sandbox.requests_received(),
        CALLS + 1,
        "no request was answered 429 and sent again"
    );
    // 101 calls in windows of 20 take at least four more seconds; 90 % of the limit is 18/s
    // over the windows the calls needed.
    let windows = (CALLS + 1).div_ceil(20) as f64 - 1.0;
    assert!(elapsed >= windows * 0.95, "paced: {elapsed:.2} s");
    let rate = CALLS as f64 / elapsed.max(windows);
    assert!(rate >= 18.0, "{rate:.1} calls/s of 20/s ({elapsed:.2} s)");
}
