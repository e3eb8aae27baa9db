//! The running session: messages both ways, pings and dead peers, the idle limit, closing,
//! and backpressure in both directions.

use super::*;

#[tokio::test(start_paused = true)]
async fn messages_flow_both_ways_in_order() {
    let (mut session, mut server) = pair(quiet()).await;
    session
        .send_json(&serde_json::json!({"n": 1}))
        .await
        .unwrap();
    session.send_binary(vec![1_u8, 2, 3]).await.unwrap();
    let sender = session.sender();
    tokio::spawn(async move { sender.send_json("from a task").await.unwrap() })
        .await
        .unwrap();
    assert_eq!(server_next(&mut server).await, Message::text(r#"{"n":1}"#));
    assert_eq!(
        server_next(&mut server).await,
        Message::binary(vec![1, 2, 3])
    );
    assert_eq!(
        server_next(&mut server).await,
        Message::text(r#""from a task""#)
    );

    server.send(Message::text("one")).await.unwrap();
    server.send(Message::binary(vec![9_u8])).await.unwrap();
    assert_eq!(next_message(&mut session).await, Frame::Text("one".into()));
    assert_eq!(
        next_message(&mut session).await,
        Frame::Binary(Bytes::from_static(&[9]))
    );
    assert_eq!(session.channel(), "test");
}

#[tokio::test(start_paused = true)]
async fn answers_pings_and_sends_its_own() {
    let config = quiet().ping_interval(Duration::from_secs(5));
    let (mut session, mut server) = pair(config).await;
    // The server's ping is read, and so answered, while the application waits in `recv`.
    tokio::spawn(async move { while session.recv().await.is_some() {} });
    server
        .send(Message::Ping(Bytes::from_static(b"hi")))
        .await
        .unwrap();
    let started = tokio::time::Instant::now();
    let mut pong = false;
    let mut pings = 0;
    while !(pong && pings >= 3) {
        match server.next().await.unwrap().unwrap() {
            Message::Pong(data) => {
                assert_eq!(data, "hi");
                pong = true;
            }
            Message::Ping(_) => pings += 1,
            other => panic!("{other:?}"),
        }
    }
    // Three pings, five seconds apart.
    let elapsed = started.elapsed();
    assert!(
        elapsed >= Duration::from_secs(15) && elapsed < Duration::from_secs(16),
        "{elapsed:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn a_live_peer_is_never_presumed_dead() {
    let config = quiet()
        .ping_interval(Duration::from_secs(1))
        .pong_timeout(Duration::from_millis(500));
    let (mut session, mut server) = pair(config).await;
    // The server reads (and so answers pings) but says nothing.
    tokio::spawn(async move { while server.next().await.is_some() {} });
    let waited = tokio::time::timeout(Duration::from_secs(300), session.recv()).await;
    assert!(waited.is_err(), "{waited:?}");
}

#[tokio::test(start_paused = true)]
async fn a_silent_peer_is_found_dead() {
    let config = quiet()
        .ping_interval(Duration::from_secs(20))
        .pong_timeout(Duration::from_secs(10));
    let (mut session, _server) = pair(config).await;
    let started = tokio::time::Instant::now();
    let error = session.recv().await.unwrap().unwrap_err();
    assert!(
        matches!(error, WsError::DeadPeer { timeout, .. } if timeout == Duration::from_secs(10)),
        "{error:?}"
    );
    let elapsed = started.elapsed();
    assert!(
        elapsed >= Duration::from_secs(30) && elapsed < Duration::from_secs(31),
        "{elapsed:?}"
    );
    let (code, reason) = expect_closed(&mut session).await;
    assert_eq!(code, None);
    assert!(reason.contains("presumed dead"), "{reason}");
    let error = session.send_json("late").await.unwrap_err();
    assert!(matches!(error, WsError::Closed { .. }), "{error:?}");
}

#[tokio::test(start_paused = true)]
async fn a_slow_consumer_is_not_a_dead_peer() {
    let config = quiet()
        .ping_interval(Duration::from_secs(1))
        .pong_timeout(Duration::from_millis(500))
        .buffer(1);
    let (mut session, mut server) = pair(config).await;
    for n in 0..10 {
        server.send(Message::text(n.to_string())).await.unwrap();
    }
    tokio::spawn(async move { while server.next().await.is_some() {} });
    // Nobody reads for a long while: the pongs wait in the socket, unread.
    tokio::time::sleep(Duration::from_secs(120)).await;
    for n in 0..10 {
        assert_eq!(
            next_message(&mut session).await,
            Frame::Text(n.to_string().into())
        );
    }
    let waited = tokio::time::timeout(Duration::from_secs(10), session.recv()).await;
    assert!(waited.is_err(), "{waited:?}");
}

#[tokio::test(start_paused = true)]
async fn the_idle_limit_closes_the_session() {
    let config = quiet().idle_timeout(Duration::from_secs(30 * 60));
    let (mut session, mut server) = pair(config).await;
    let server = tokio::spawn(async move {
        // Pings keep coming and are answered, but they do not count as activity.
        loop {
            match server.next().await {
                Some(Ok(Message::Close(frame))) => return frame,
                Some(Ok(_)) => {}
                other => panic!("{other:?}"),
            }
        }
    });
    session.send_json("hello").await.unwrap();
    let started = tokio::time::Instant::now();
    let error = session.recv().await.unwrap().unwrap_err();
    assert!(
        matches!(error, WsError::Idle { after, .. } if after == Duration::from_secs(1800)),
        "{error:?}"
    );
    let elapsed = started.elapsed();
    assert!(
        elapsed >= Duration::from_secs(1799) && elapsed <= Duration::from_secs(1801),
        "{elapsed:?}"
    );
    expect_closed(&mut session).await;
    let frame = server.await.unwrap().unwrap();
    assert_eq!(frame.code, CloseCode::Normal);
}

#[tokio::test(start_paused = true)]
async fn close_keeps_everything_received() {
    let (mut session, mut server) = pair(quiet()).await;
    for n in 0..3 {
        server.send(Message::text(format!("m{n}"))).await.unwrap();
    }
    // Let the messages reach the session before it closes.
    tokio::time::sleep(Duration::from_millis(10)).await;
    session.close().await.unwrap();
    session.close().await.unwrap();
    let error = session.send_json("after close").await.unwrap_err();
    assert!(matches!(error, WsError::Closed { .. }));
    let Message::Close(Some(frame)) = server_next(&mut server).await else {
        panic!("expected a close frame");
    };
    assert_eq!(frame.code, CloseCode::Normal);
    // tungstenite answers the close on the next read.
    assert!(server.next().await.is_none());
    for n in 0..3 {
        assert_eq!(
            next_message(&mut session).await,
            Frame::Text(format!("m{n}").into())
        );
    }
    let (code, _) = expect_closed(&mut session).await;
    assert_eq!(code, Some(1000));
}

#[tokio::test(start_paused = true)]
async fn a_server_close_mid_stream_delivers_what_came_before() {
    let (mut session, mut server) = pair(quiet()).await;
    server.send(Message::text("a")).await.unwrap();
    server.send(Message::text("b")).await.unwrap();
    server
        .close(Some(CloseFrame {
            code: CloseCode::Normal,
            reason: "bye".into(),
        }))
        .await
        .unwrap();
    assert_eq!(next_message(&mut session).await, Frame::Text("a".into()));
    assert_eq!(next_message(&mut session).await, Frame::Text("b".into()));
    assert_eq!(
        expect_closed(&mut session).await,
        (Some(1000), "bye".to_owned())
    );
    // The server's close frame was answered with its code.
    match server.next().await {
        Some(Ok(Message::Close(Some(frame)))) => assert_eq!(frame.code, CloseCode::Normal),
        other => panic!("expected the close answer, got {other:?}"),
    }
}

#[tokio::test(start_paused = true)]
async fn a_dropped_connection_is_an_error_then_closed() {
    let (mut session, mut server) = pair(quiet()).await;
    server.send(Message::text("last words")).await.unwrap();
    drop(server);
    assert_eq!(
        next_message(&mut session).await,
        Frame::Text("last words".into())
    );
    let error = session.recv().await.unwrap().unwrap_err();
    assert!(matches!(error, WsError::Transport { .. }), "{error:?}");
    let (code, _) = expect_closed(&mut session).await;
    assert_eq!(code, None);
}

#[tokio::test(start_paused = true)]
async fn dropping_the_session_sends_a_close_frame() {
    let (session, mut server) = pair(quiet()).await;
    let sender = session.sender();
    drop(session);
    let Message::Close(Some(frame)) = server_next(&mut server).await else {
        panic!("expected a close frame");
    };
    assert_eq!(frame.code, CloseCode::Away);
    assert!(sender.is_closing());
    assert!(sender.send_binary(vec![1_u8]).await.is_err());
}

#[tokio::test(start_paused = true)]
async fn receiving_is_bounded_by_the_socket() {
    let (mut session, mut server) = pair(quiet().buffer(2)).await;
    let chunk = "x".repeat(4096);
    let writer = tokio::spawn(async move {
        for n in 0..200 {
            server
                .send(Message::text(format!("{n}:{chunk}")))
                .await
                .unwrap();
        }
        server
    });
    tokio::time::sleep(Duration::from_secs(5)).await;
    // Nothing reads ahead of `recv`: 800 KiB do not fit in the pipe (64 KiB), so the
    // server waits.
    assert!(!writer.is_finished());
    for n in 0..200 {
        let Frame::Text(text) = next_message(&mut session).await else {
            panic!("text expected");
        };
        assert!(text.starts_with(&format!("{n}:")), "{n}");
    }
    let _server = writer.await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn sends_wait_for_room_in_the_queue() {
    let (session, mut server) = pair(quiet().buffer(1)).await;
    let sender = session.sender();
    let big = vec![0_u8; 16 * 1024];
    let writer = tokio::spawn(async move {
        for _ in 0..64 {
            sender.send_binary(big.clone()).await.unwrap();
        }
    });
    tokio::time::sleep(Duration::from_secs(1)).await;
    // The server reads nothing: 1 MiB cannot all be queued.
    assert!(!writer.is_finished());
    let mut received = 0;
    while received < 64 {
        if let Message::Binary(data) = server_next(&mut server).await {
            assert_eq!(data.len(), 16 * 1024);
            received += 1;
        }
    }
    writer.await.unwrap();
    drop(session);
}

#[tokio::test(start_paused = true)]
async fn a_write_the_peer_never_takes_means_a_dead_peer() {
    let config = quiet()
        .ping_interval(Duration::from_secs(3600))
        .pong_timeout(Duration::from_secs(10));
    let (mut session, _server) = pair(config).await;
    let sender = session.sender();
    tokio::spawn(async move {
        let big = vec![0_u8; 256 * 1024];
        while sender.send_binary(big.clone()).await.is_ok() {}
    });
    let error = session.recv().await.unwrap().unwrap_err();
    assert!(matches!(error, WsError::DeadPeer { .. }), "{error:?}");
    expect_closed(&mut session).await;
}
