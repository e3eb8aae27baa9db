//! What callers see besides: decode errors, events, audio frames, `Send` handles and
//! futures, and cancel-safe receiving.

use super::*;

#[tokio::test]
async fn decode_errors_keep_the_raw_text() {
    let frame = Frame::Text("{not json".into());
    let error = frame.decode_json::<serde_json::Value>("c").unwrap_err();
    assert_eq!(error.raw(), Some("{not json"));
    let frame = Frame::Binary(Bytes::from_static(&[1, 2]));
    let error = frame.decode_json::<serde_json::Value>("c").unwrap_err();
    assert_eq!(error.raw(), Some("<binary frame of 2 bytes>"));
    let value: serde_json::Value = Frame::Text("[1]".into()).decode_json("c").unwrap();
    assert_eq!(value, serde_json::json!([1]));
}

#[test]
fn events_map() {
    let event: Event<u8> = Event::Message(2);
    assert_eq!(event.map(u16::from), Event::Message(2_u16));
    let event: Event<u8> = Event::Reconnecting {
        attempt: 1,
        delay: Duration::from_millis(5),
    };
    assert_eq!(
        event.map(u16::from),
        Event::Reconnecting {
            attempt: 1,
            delay: Duration::from_millis(5)
        }
    );
}

#[tokio::test(start_paused = true)]
async fn pcm_is_sent_in_frames_of_the_given_size() {
    let (session, mut server) = pair(quiet()).await;
    let pcm: Vec<u8> = (0..=255).collect();
    let sent = session.send_pcm_reader(&pcm[..], 100).await.unwrap();
    assert_eq!(sent, 256);
    let chunks = futures_util::stream::iter(vec![
        Ok::<_, std::io::Error>(vec![1_u8; 30]),
        Ok(vec![2_u8; 50]),
        Ok(vec![3_u8; 5]),
    ]);
    let sent = session.send_pcm_stream(chunks, 40).await.unwrap();
    assert_eq!(sent, 85);
    let mut sizes = Vec::new();
    let mut bytes = Vec::new();
    while sizes.len() < 6 {
        if let Message::Binary(data) = server_next(&mut server).await {
            sizes.push(data.len());
            bytes.extend_from_slice(&data);
        }
    }
    assert_eq!(sizes, [100, 100, 56, 40, 40, 5]);
    assert_eq!(&bytes[..256], &pcm[..]);

    let failing = futures_util::stream::iter(vec![
        Ok(vec![0_u8; 4]),
        Err(std::io::Error::other("microphone unplugged")),
    ]);
    let error = session.send_pcm_stream(failing, 2).await.unwrap_err();
    assert!(matches!(error, WsError::Source { .. }), "{error:?}");
}

fn assert_send_sync<T: Send + Sync>(_: &T) {}

#[tokio::test]
async fn handles_and_futures_are_send() {
    let (session, _server) = pair(quiet()).await;
    assert_send_sync(&session);
    assert_send_sync(&session.sender());
    let http = client("http://h", QUERY);
    let request = http.websocket("c", "/x");
    assert_send_sync(&request);
    fn assert_send<T: Send>(_: T) {}
    assert_send(request.connect());
    assert_send(session.send_json("x"));
    assert_send_sync(&WsError::Closed { channel: "c" });
}

#[tokio::test(start_paused = true)]
async fn recv_is_cancel_safe_and_the_session_is_a_stream() {
    let (mut session, mut server) = pair(quiet()).await;
    // `recv` futures dropped while waiting lose nothing.
    for _ in 0..3 {
        let waited = tokio::time::timeout(Duration::from_millis(5), session.recv()).await;
        assert!(waited.is_err(), "{waited:?}");
    }
    for n in 0..3 {
        server.send(Message::text(format!("s{n}"))).await.unwrap();
    }
    server.close(None).await.unwrap();
    let mut texts = Vec::new();
    while let Some(event) = session.next().await {
        match event.unwrap() {
            Event::Message(Frame::Text(text)) => texts.push(text.to_string()),
            Event::Closed { .. } => {}
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(texts, ["s0", "s1", "s2"]);
    assert!(session.recv().await.is_none());
}
