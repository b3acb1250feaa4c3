//! `GET /ws`: WebSocket echo and the close handshake.

use crate::{Outcomes, Probe};
use futures_util::{SinkExt, StreamExt};
use std::time::Duration;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::{
    CloseFrame, WebSocketConfig, frame::coding::CloseCode,
};

const IDS: [&str; 4] = ["ws.text", "ws.binary", "ws.large", "ws.close"];
const TIMEOUT: Duration = Duration::from_secs(10);

/// Runs the WebSocket checks.
pub async fn run(probe: &Probe, out: &mut Outcomes) {
    let url = format!("{}/ws", probe.base().replacen("http", "ws", 1));
    let config = WebSocketConfig::default()
        .max_message_size(Some(8 << 20))
        .max_frame_size(Some(8 << 20));
    let connect = tokio::time::timeout(
        TIMEOUT,
        tokio_tungstenite::connect_async_with_config(&url, Some(config), false),
    )
    .await;
    let mut socket = match connect {
        Ok(Ok((socket, _))) => socket,
        Ok(Err(e)) => return fail_all(out, &format!("upgrade of {url} failed: {e}")),
        Err(_) => return fail_all(out, &format!("upgrade of {url} timed out")),
    };

    let text = "héllo, podium ✓".to_string();
    let reply = round_trip(&mut socket, Message::text(text.clone())).await;
    out.record(
        "ws.text",
        reply
            .as_ref()
            .is_ok_and(|m| *m == Message::text(text.clone())),
        format!("text {text:?} echoed as text"),
        describe(&reply),
    );

    let bytes: Vec<u8> = (0..=255u8).collect();
    let reply = round_trip(&mut socket, Message::binary(bytes.clone())).await;
    out.record(
        "ws.binary",
        reply
            .as_ref()
            .is_ok_and(|m| *m == Message::binary(bytes.clone())),
        "256 bytes echoed as binary",
        describe(&reply),
    );

    let big: Vec<u8> = (0..(1usize << 20)).map(|i| (i * 31 % 251) as u8).collect();
    let reply = round_trip(&mut socket, Message::binary(big.clone())).await;
    out.record(
        "ws.large",
        reply
            .as_ref()
            .is_ok_and(|m| *m == Message::binary(big.clone())),
        "1 MiB binary message echoed unchanged",
        describe(&reply),
    );

    let close = Message::Close(Some(CloseFrame {
        code: CloseCode::Normal,
        reason: "podium done".into(),
    }));
    let reply = round_trip(&mut socket, close).await;
    out.record(
        "ws.close",
        matches!(reply, Ok(Message::Close(_))),
        "close frame answered with a close frame",
        describe(&reply),
    );
}

fn fail_all(out: &mut Outcomes, why: &str) {
    for id in IDS {
        out.record(id, false, "a WebSocket upgrade on GET /ws", why);
    }
}

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// Sends a message and returns the next data or close message (pings are skipped).
async fn round_trip(socket: &mut Socket, msg: Message) -> Result<Message, String> {
    socket
        .send(msg)
        .await
        .map_err(|e| format!("send failed: {e}"))?;
    let wait = async {
        loop {
            match socket.next().await {
                Some(Ok(Message::Ping(_) | Message::Pong(_))) => continue,
                Some(Ok(m)) => return Ok(m),
                Some(Err(e)) => return Err(format!("receive failed: {e}")),
                None => return Err("connection closed without a reply".to_string()),
            }
        }
    };
    tokio::time::timeout(TIMEOUT, wait)
        .await
        .map_err(|_| "no reply within 10 s".to_string())?
}

fn describe(reply: &Result<Message, String>) -> String {
    match reply {
        Ok(Message::Text(t)) if t.len() <= 80 => format!("text {:?}", t.as_str()),
        Ok(Message::Text(t)) => format!("text of {} bytes", t.len()),
        Ok(Message::Binary(b)) => format!("binary of {} bytes", b.len()),
        Ok(Message::Close(frame)) => format!(
            "close frame {:?}",
            frame.as_ref().map(|f| u16::from(f.code))
        ),
        Ok(other) => format!("{other:?}"),
        Err(e) => e.clone(),
    }
}
