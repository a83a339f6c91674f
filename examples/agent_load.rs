//! For the agent benchmark (benches/token_vs_pizauth.sh, `LOAD=`): CLIENTS clients connect to the
//! agent's socket at once and each asks for ACCOUNT's token, then one connection asks REQUESTS
//! times in sequence. Prints how many were answered with a token, when the answers came (the last
//! after the first), what went wrong for the others, and the sequence's p50, p99 and slowest
//! answer. Never a token.
//!
//! Usage: agent_load SOCKET ACCOUNT [CLIENTS=1000] [REQUESTS=10000]

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::UnixStream;

#[tokio::main]
async fn main() -> Result<(), String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [socket, account, rest @ ..] = args.as_slice() else {
        return Err("usage: agent_load SOCKET ACCOUNT [CLIENTS] [REQUESTS]".into());
    };
    let number = |i: usize, default: usize| {
        rest.get(i)
            .map_or(Ok(default), |n| n.parse().map_err(|e| format!("{n}: {e}")))
    };
    let (clients, requests) = (number(0, 1000)?, number(1, 10_000)?);
    let socket = PathBuf::from(socket);
    let line = format!("{{\"v\":1,\"op\":\"token\",\"account\":{account:?}}}\n");

    // All clients start together: each task waits at the barrier, then connects and asks.
    let barrier = Arc::new(tokio::sync::Barrier::new(clients));
    let start = Instant::now();
    let tasks: Vec<_> = (0..clients)
        .map(|_| {
            let (barrier, socket, line) = (barrier.clone(), socket.clone(), line.clone());
            tokio::spawn(async move {
                barrier.wait().await;
                let answer = ask_once(&socket, &line).await;
                (answer, Instant::now())
            })
        })
        .collect();
    let mut answered = Vec::new();
    let mut failures = BTreeMap::<String, usize>::new();
    for task in tasks {
        match task.await.map_err(|e| e.to_string())? {
            (Ok(()), at) => answered.push(at),
            (Err(why), _) => *failures.entry(why).or_default() += 1,
        }
    }
    answered.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    match (answered.first(), answered.last()) {
        (Some(first), Some(last)) => println!(
            "{clients} clients at once: {} answered with a token; first answer {:.1} ms after the start, last {:.1} ms after the first",
            answered.len(),
            ms(*first - start),
            ms(*last - *first)
        ),
        _ => println!("{clients} clients at once: none answered with a token"),
    }
    for (why, count) in &failures {
        println!("  {count} failed: {why}");
    }

    let mut stream = BufReader::new(
        UnixStream::connect(&socket)
            .await
            .map_err(|e| e.to_string())?,
    );
    let mut took = Vec::with_capacity(requests);
    let mut answer = String::new();
    for _ in 0..requests {
        let sent = Instant::now();
        stream
            .get_mut()
            .write_all(line.as_bytes())
            .await
            .map_err(|e| e.to_string())?;
        answer.clear();
        stream
            .read_line(&mut answer)
            .await
            .map_err(|e| e.to_string())?;
        took.push(sent.elapsed());
        if !answer.contains("\"access_token\"") {
            return Err(format!("request {} got no token", took.len()));
        }
    }
    took.sort();
    let at = |q: f64| ms(took[((took.len() as f64 * q) as usize).min(took.len() - 1)]);
    println!(
        "{requests} requests in sequence on one connection: p50 {:.3} ms, p99 {:.3} ms, slowest {:.3} ms",
        at(0.5),
        at(0.99),
        at(1.0)
    );
    Ok(())
}

/// Connects, asks once, and reads the answer: `Ok` for a token, else what went wrong (never the
/// answer itself, which could hold one).
async fn ask_once(socket: &PathBuf, line: &str) -> Result<(), String> {
    let stream = UnixStream::connect(socket)
        .await
        .map_err(|e| format!("connect: {}", e.kind()))?;
    let (from, mut to) = stream.into_split();
    to.write_all(line.as_bytes())
        .await
        .map_err(|e| format!("write: {}", e.kind()))?;
    let mut answer = String::new();
    BufReader::new(from)
        .read_line(&mut answer)
        .await
        .map_err(|e| format!("read: {}", e.kind()))?;
    if answer.contains("\"access_token\"") {
        Ok(())
    } else if answer.is_empty() {
        Err("closed without an answer".into())
    } else {
        Err("an answer without a token".into())
    }
}
