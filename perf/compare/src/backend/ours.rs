//! zmtp, through the `zmtp-perf` library (the same code as the perf
//! binaries).

use core::time::Duration;

use tokio::io::AsyncBufReadExt;
use zmtp_perf::{extra, lat, thr};

use crate::tool::{Tool, ToolError, rss_line, say_ready};

/// Runs one tool.
///
/// # Errors
/// The tool's failure.
pub fn run(tool: Tool) -> Result<String, ToolError> {
    let threads = match tool {
        Tool::InprocThr { .. } | Tool::InprocLat { .. } => zmtp_perf::runtime::INPROC_THREADS,
        _ => zmtp_perf::runtime::NETWORK_THREADS,
    };
    zmtp_perf::runtime::run(threads, async move {
        Ok::<_, ToolError>(match tool {
            Tool::LocalThr { ep, size, count } => {
                thr::local_thr(&ep, size, count).await?.to_string()
            }
            Tool::RemoteThr { ep, size, count } => {
                thr::remote_thr(&ep, size, count).await?;
                String::new()
            }
            Tool::LocalLat { ep, size, count } => {
                lat::local_lat(&ep, size, count).await?;
                String::new()
            }
            Tool::RemoteLat { ep, size, count } => {
                lat::remote_lat(&ep, size, count).await?.to_string()
            }
            Tool::InprocThr { size, count } => thr::inproc_thr(size, count).await?.to_string(),
            Tool::InprocLat { size, count } => lat::inproc_lat(size, count).await?.to_string(),
            Tool::PubThr { ep, size, count } => {
                extra::publish(&ep, size, count, stdin_line()).await?;
                String::new()
            }
            Tool::SubThr { ep, size, count } => extra::subscribe(&ep, size, count, say_ready)
                .await?
                .to_string(),
            Tool::RouterThr { ep, size, count } => {
                extra::router_receive(&ep, size, count).await?.to_string()
            }
            Tool::DealerThr { ep, size, count } => {
                extra::dealer_send(&ep, size, count).await?;
                String::new()
            }
            Tool::FloodRx {
                ep,
                size,
                count,
                pause_ms,
            } => rss_line(
                extra::flood_receive(&ep, size, count, Duration::from_millis(pause_ms)).await?,
            ),
        })
    })
}

/// Completes when a line (or end of file) arrives on standard input.
pub async fn stdin_line() {
    let mut line = String::new();
    let _ = tokio::io::BufReader::new(tokio::io::stdin())
        .read_line(&mut line)
        .await;
}
